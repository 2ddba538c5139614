from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import cache, views

# The admin has no login of its own: /admin/login/ sends visitors to allauth's login, with its
# rate limits and second factor (a logged-in non-staff user gets 403 there).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("contact/", views.contact, name="contact"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("uitnodigingen/", views.invitation_list, name="invitation-list"),
    path("uitnodigingen/nieuw/", views.invitation_create_view, name="invitation-create"),
    path("uitnodiging/<str:token>/", views.invitation_accept_view, name="invitation-accept"),
    path("audit/", views.audit_trail, name="audit-trail"),
    path("importeren/<slug:importer>/", views.import_upload, name="import-upload"),
    path("importeren/<slug:importer>/<int:pk>/", views.import_preview, name="import-preview"),
    path(
        "importeren/<slug:importer>/sjabloon/<str:file_format>/",
        views.import_template,
        name="import-template",
    ),
    path("loket/", include("lokaal.urls")),
    path("stages/", include("internships.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("api-sleutels/", include("portal.token_urls")),
    path("api/v1/", include("portal.api_urls")),
    path("", include("monitoring.public_urls")),
    path("", include("partners.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", cache.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
