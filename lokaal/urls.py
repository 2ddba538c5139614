from django.urls import path

from .views import intake

urlpatterns = [
    # Public intake (P1)
    path("aanmelden/", intake.intake, name="lokaal-intake"),
    path("aanmelden/ontvangen/", intake.intake_done, name="lokaal-intake-done"),
]
