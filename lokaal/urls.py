from django.urls import path

from .views import cases, intake, overview, room, shadowing
from .views import matching as matching_views

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
    # Shadowing, room and matching (P3)
    path("organisaties/<int:pk>/aanbod/", room.partner_offers, name="lokaal-partner-offers"),
    path("organisaties/<int:pk>/ruimte/nieuw/", room.room_create, name="lokaal-room-create"),
    path("ruimte/", room.room_list, name="lokaal-room-list"),
    path("ruimte/totalen/", room.room_totals, name="lokaal-room-totals"),
    path("ruimte/<int:pk>/bewerken/", room.room_edit, name="lokaal-room-edit"),
    path("ruimte/<int:pk>/sluiten/", room.room_close, name="lokaal-room-close"),
    path(
        "organisaties/<int:pk>/meeloopdagen/nieuw/",
        shadowing.slot_create,
        name="lokaal-slot-create",
    ),
    path("meeloopdagen/", shadowing.slot_list, name="lokaal-slot-list"),
    path("meeloopdagen/<int:pk>/bewerken/", shadowing.slot_edit, name="lokaal-slot-edit"),
    path("aanmeldingen/<int:pk>/meelopen/", shadowing.case_shadowing, name="lokaal-case-shadowing"),
    path("boekingen/<int:pk>/uitkomst/", shadowing.booking_outcome, name="lokaal-booking-outcome"),
    path(
        "aanmeldingen/<int:pk>/koppelen/", matching_views.case_matches, name="lokaal-case-matches"
    ),
    path("voorstellen/", matching_views.match_list, name="lokaal-match-list"),
    path("voorstellen/<int:pk>/", matching_views.match_detail, name="lokaal-match-detail"),
    # Programme team overview (P4)
    path("overzicht/", overview.overview, name="lokaal-overview"),
]
