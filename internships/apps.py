from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InternshipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "internships"
    verbose_name = _("Equal internship opportunities")

    def ready(self):
        from portal import access, registry

        access.register_topic("internship_reports", _("Internship-report handler"))
        registry.register_home_entry(
            "internships-report", template="internships/home_entry.html", order=20
        )
