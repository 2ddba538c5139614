"""/api/v1/: the apps' endpoints, the OpenAPI schema and its documentation page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from portal import access
from portal.api_docs import documentation


class SchemaView(SpectacularAPIView):
    access_rule = access.PUBLIC


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", documentation, name="api-docs"),
    path("", include("monitoring.api.urls")),
]
