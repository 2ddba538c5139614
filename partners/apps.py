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
        # The change history of a deleted contact person holds their details too.
        retention.register(
            "contact_history",
            setting="contact",
            expired=lambda cutoff: Contact.history.exclude(id__in=Contact.objects.values("pk")),
        )

        from portal import cache

        from .models import Agreement, Commitment, Organisation, Signature

        # What the public pages show: a change to one of these renders them afresh.
        cache.register(Agreement, Commitment, Organisation, Signature)
