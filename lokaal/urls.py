from django.urls import path

from .views import intake, overview

urlpatterns = [
    # Public intake (P1)
    path("aanmelden/", intake.intake, name="lokaal-intake"),
    path("aanmelden/ontvangen/", intake.intake_done, name="lokaal-intake-done"),
    # Programme team overview (P4)
    path("overzicht/", overview.overview, name="lokaal-overview"),
]
