from django.urls import path

from portal import token_views

urlpatterns = [
    path("", token_views.token_list, name="portal-token-list"),
    path("nieuw/", token_views.token_create, name="portal-token-create"),
    path("<int:pk>/intrekken/", token_views.token_revoke, name="portal-token-revoke"),
]
