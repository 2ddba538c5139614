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
        team = access.Rule([access.PROGRAMME_TEAM])

        # Navigation items, cards, the importer and audited models, per part of the app.

        # -- agenda (M1) --
        from portal import cache

        from . import agenda_selectors
        from .models import Activity, Agenda, ProgrammeLine, ProgressUpdate

        registry.register_nav_item(
            "monitoring-agenda",
            url_name="monitoring-agenda",
            label=_("Agenda"),
            rule=access.PUBLIC,
            slot="public",
            order=40,
        )
        registry.register_nav_item(
            "monitoring-agendas",
            url_name="monitoring-agenda-list",
            label=_("Agendas"),
            rule=team,
            order=60,
        )
        registry.register_audited_model(Agenda, label=lambda record: record.name)
        registry.register_audited_model(
            ProgrammeLine, label=lambda record: f"{record.code}. {record.title}"
        )
        registry.register_audited_model(
            Activity, label=lambda record: f"{record.code} {record.title}"
        )
        registry.register_audited_model(
            ProgressUpdate, label=lambda record: f"{record.activity_id}: {record.date}"
        )

        def own_activities(user):
            editor_of = [
                pk for pk, member in access.memberships_of(user).items() if member.role == "editor"
            ]
            return {"activities": list(agenda_selectors.activities_led_by(editor_of)[:10])}

        registry.register_dashboard_card(
            "monitoring-own-activities",
            template="monitoring/activity_dashboard_card.html",
            rule=access.Rule([access.PARTNER_EDITOR]),
            context=own_activities,
            order=50,
        )
        # The public /agenda/ pages are cached; a change to what they show renders them afresh.
        cache.register(Agenda, ProgrammeLine, Activity, ProgressUpdate)

        # -- figures (M2) --
        from portal import imports

        from .importers import FigureImporter
        from .models import FigureValue, Indicator, ReportingRound
        from .services import figures as figure_services

        imports.register(FigureImporter)
        from portal import api

        api.register_scope("figures:read", _("Read the organisation's figures"), topic=TOPIC)
        api.register_scope("figures:submit", _("Submit figures"), topic=TOPIC)
        # The token pages (portal.token_views) are for whoever may give a token a scope.
        registry.register_nav_item(
            "api-tokens",
            url_name="portal-token-list",
            label=_("API tokens"),
            rule=access.Rule([access.PROGRAMME_TEAM, *access.PARTNER_ROLES], topic=TOPIC),
            order=85,
        )
        submitters = access.Rule(access.PARTNER_ROLES, topic=TOPIC, label="figures submitters")
        registry.register_nav_item(
            "monitoring-my-figures",
            url_name="monitoring-my-figures",
            label=_("My figures"),
            rule=submitters,
            order=50,
        )
        registry.register_nav_item(
            "monitoring-figures",
            url_name="monitoring-value-list",
            label=_("Figures"),
            rule=team,
            order=50,
        )
        registry.register_dashboard_card(
            "monitoring-figures-submitter",
            template="monitoring/my_figures_card.html",
            rule=submitters,
            context=figure_services.submitter_card,
            order=50,
        )
        registry.register_dashboard_card(
            "monitoring-figures-programme",
            template="monitoring/value_card.html",
            rule=team,
            context=figure_services.programme_card,
            order=50,
        )
        registry.register_audited_model(Indicator, label=lambda r: f"{r.code}")
        registry.register_audited_model(ReportingRound, label=lambda r: str(r.year))
        registry.register_audited_model(
            FigureValue,
            related=["organisation", "indicator"],
            label=lambda r: f"{r.organisation or r.area} {r.indicator.code} {r.year} {r.sector}",
        )

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
            rule=team,
            order=60,
        )
        # The public dashboard and the open data are cached pages: a change of a figure or an
        # indicator retires them (agendas are registered above). The desk's and internship
        # counts on the dashboard may lag by the cache's timeout (ten minutes).
        from portal import cache as public_pages

        from .models import FigureValue, Indicator

        public_pages.register(FigureValue, Indicator)

        # -- monitors (M4) --
        from .models import Monitor

        registry.register_nav_item(
            "monitoring-monitors",
            url_name="monitoring-monitor-list",
            label=_("Monitors"),
            rule=team,
            order=75,
        )
        registry.register_dashboard_card(
            "monitoring-monitor",
            template="monitoring/monitor_dashboard_card.html",
            rule=team,
            context=lambda user: {"latest": Monitor.objects.first()},
            order=65,
        )
