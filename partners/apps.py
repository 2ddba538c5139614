from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from portal import retention

        from .models import Contact

        retention.register(
            "contact",
            setting="contact",
            expired=lambda cutoff: Contact.objects.filter(ended_on__lt=cutoff.date()),
        )
