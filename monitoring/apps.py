from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from portal import access, registry

        from .models import TOPIC

        access.register_topic(TOPIC, _("Yearly-figures submitter"))
        self.team = access.Rule([access.PROGRAMME_TEAM])

        # Each part registers its navigation items, cards, importers and audited models in its
        # own block below (agenda, figures, dashboard, monitors).
        registry  # noqa: B018  (used by the blocks below)

        # -- agenda (M1) --

        # -- figures (M2) --

        # -- dashboard and open data (M3) --
        registry.register_nav_item(
            "monitoring-figures",
            url_name="monitoring-public-dashboard",
            label=_("Figures"),
            rule=access.PUBLIC,
            slot="public",
            order=60,
        )
        registry.register_nav_item(
            "monitoring-dashboard",
            url_name="monitoring-dashboard",
            label=_("Monitoring"),
            rule=self.team,
            order=60,
        )

        # -- monitors (M4) --
