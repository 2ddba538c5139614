from django.urls import path

from . import views

urlpatterns = [
    path("rounds/", views.RoundList.as_view(), name="api-rounds"),
    path("indicators/", views.IndicatorList.as_view(), name="api-indicators"),
    path("indicators/<slug:code>/", views.IndicatorDetail.as_view(), name="api-indicator"),
    path("figures/", views.FigureList.as_view(), name="api-figures"),
    path("figures/<int:pk>/", views.FigureDetail.as_view(), name="api-figure"),
    path("batches/", views.BatchCreate.as_view(), name="api-batches"),
    path("batches/<str:key>/", views.BatchDetail.as_view(), name="api-batch"),
    path("open-data/figures/", views.OpenDataFigures.as_view(), name="api-open-data-figures"),
    path(
        "open-data/indicators/",
        views.OpenDataIndicators.as_view(),
        name="api-open-data-indicators",
    ),
]
