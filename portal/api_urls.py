"""/api/v1/: the apps' endpoints, the OpenAPI schema and its browsable documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import access


class SchemaView(SpectacularAPIView):
    access_rule = access.PUBLIC


class DocsView(SpectacularSwaggerSplitView):
    access_rule = access.PUBLIC


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("monitoring.api.urls")),
]
