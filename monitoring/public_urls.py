"""Monitoring's public pages, at the root: /agenda/, /cijfers/, /open-data/, /monitor/."""

from django.urls import path

from .views import agenda, dashboard, monitors, opendata

urlpatterns = [
    # The action agendas, public (M1).
    path("agenda/", agenda.public_agenda_list, name="monitoring-agenda"),
    path("agenda/<slug:slug>/", agenda.public_agenda_detail, name="monitoring-agenda-detail"),
    # The public dashboard and open data (M3).
    path("cijfers/", dashboard.public_dashboard, name="monitoring-public-dashboard"),
    path(
        "cijfers/grafiek/<slug:code>.csv",
        dashboard.public_chart_csv,
        name="monitoring-public-chart-csv",
    ),
    path("open-data/", opendata.index, name="monitoring-open-data"),
    path("open-data/cijfers.csv", opendata.figures_csv, name="monitoring-open-data-csv"),
    path("open-data/cijfers.json", opendata.figures_json, name="monitoring-open-data-json"),
    path(
        "open-data/indicatoren.json",
        opendata.indicators_json,
        name="monitoring-open-data-indicators",
    ),
    # Published monitors, public (M4).
    path("monitor/", monitors.public_list, name="monitoring-public-monitors"),
    path("monitor/<int:pk>.pdf", monitors.public_download, name="monitoring-public-monitor"),
]
