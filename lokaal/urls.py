from django.urls import path

from .views import cases, intake, overview

urlpatterns = [
    # Public intake (P1)
    path("aanmelden/", intake.intake, name="lokaal-intake"),
    path("aanmelden/ontvangen/", intake.intake_done, name="lokaal-intake-done"),
    # Case pipeline (P2)
    path("aanmeldingen/", cases.case_list, name="lokaal-case-list"),
    path("aanmeldingen/export/", cases.case_export_list, name="lokaal-case-export-list"),
    path("aanmeldingen/<int:pk>/", cases.case_detail, name="lokaal-case-detail"),
    path("aanmeldingen/<int:pk>/status/", cases.case_status, name="lokaal-case-status"),
    path("aanmeldingen/<int:pk>/toewijzen/", cases.case_assign, name="lokaal-case-assign"),
    path("aanmeldingen/<int:pk>/tijdlijn/", cases.case_timeline_add, name="lokaal-case-timeline"),
    path("aanmeldingen/<int:pk>/traject/", cases.case_route, name="lokaal-case-route"),
    path("aanmeldingen/<int:pk>/programma/", cases.case_programme, name="lokaal-case-programme"),
    path("aanmeldingen/<int:pk>/gegevens/", cases.case_export, name="lokaal-case-export"),
    path("aanmeldingen/<int:pk>/wissen/", cases.case_erase, name="lokaal-case-erase"),
    path("achterstallig/", cases.overdue_list, name="lokaal-overdue"),
    path("trajecten/", cases.route_list, name="lokaal-route-list"),
    # Programme team overview (P4)
    path("overzicht/", overview.overview, name="lokaal-overview"),
]
