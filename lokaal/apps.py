from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LokaalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lokaal"
    verbose_name = _("Regional desk")
