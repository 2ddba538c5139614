from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LokaalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lokaal"
    verbose_name = _("Regional desk")

    def ready(self):
        from portal import access, registry

        access.register_topic("desk_contact", _("Desk contact of the board"))
        registry.register_dashboard_card(
            "lokaal-desk",
            template="lokaal/dashboard_desk.html",
            rule=access.Rule([access.DESK_ADVISOR]),
            order=20,
        )
        registry.register_home_entry("lokaal-desk", template="lokaal/home_entry.html", order=10)
