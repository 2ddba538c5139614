from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LokaalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lokaal"
    verbose_name = _("Regional desk")

    def ready(self):
        from portal import access, registry, retention

        from . import selectors
        from .models import Case, Match, Room, ShadowingSlot
        from .services import case_anonymisation_values

        access.register_topic("desk_contact", _("Desk contact of the board"))

        desk = access.Rule([access.DESK_ADVISOR, access.PROGRAMME_TEAM])
        registry.register_nav_item(
            "lokaal-intake",
            url_name="lokaal-intake",
            label=_("Become a teacher"),
            rule=access.PUBLIC,
            slot="public",
            order=30,
        )
        registry.register_nav_item(
            "lokaal-cases", url_name="lokaal-case-list", label=_("Desk cases"), rule=desk, order=30
        )
        registry.register_nav_item(
            "lokaal-overview",
            url_name="lokaal-overview",
            label=_("Desk overview"),
            rule=desk,
            order=40,
        )
        registry.register_nav_item(
            "lokaal-proposals",
            url_name="lokaal-match-list",
            label=_("Placement proposals"),
            rule=access.Rule(access.PARTNER_ROLES, topic="desk_contact"),
            order=30,
        )

        # The case lists of the separate desks, through the generic import flow (P2).
        from portal import imports

        from .importers import DeskCaseImporter

        imports.register(DeskCaseImporter)
        registry.register_dashboard_card(
            "lokaal-desk",
            template="lokaal/dashboard_desk.html",
            rule=access.Rule([access.DESK_ADVISOR]),
            context=lambda user: selectors.desk_card(user=user),
            order=20,
        )
        registry.register_dashboard_card(
            "lokaal-programme",
            template="lokaal/dashboard_programme.html",
            rule=access.Rule([access.PROGRAMME_TEAM]),
            context=lambda user: selectors.desk_card(user=user),
            order=20,
        )
        # Room, shadowing and matching (P3): the desk's lists, and a board's desk contact's
        # proposals to decide on.
        registry.register_dashboard_card(
            "lokaal-room",
            template="lokaal/dashboard_room.html",
            rule=access.Rule([access.DESK_ADVISOR, access.PROGRAMME_TEAM]),
            order=25,
        )
        registry.register_dashboard_card(
            "lokaal-desk-contact",
            template="lokaal/dashboard_desk_contact.html",
            rule=access.Rule(access.PARTNER_ROLES, topic="desk_contact"),
            context=lambda user: selectors.desk_contact_card(user=user),
            order=25,
        )
        registry.register_home_entry("lokaal-desk", template="lokaal/home_entry.html", order=10)

        # Closed cases are kept anonymised, not deleted: the desk's figures still count them.
        retention.register(
            "desk_case",
            setting="desk_case",
            expired=lambda cutoff: Case.objects.filter(
                closed_at__lt=cutoff, anonymised_at__isnull=True
            ),
            anonymise=case_anonymisation_values,
        )

        registry.register_audited_model(Case, label=lambda r: r.reference)
        registry.register_audited_model(
            Match,
            related=["case", "room__organisation"],
            label=lambda r: f"{r.case.reference} → {r.room.organisation}",
        )
        registry.register_audited_model(
            Room,
            related=["organisation"],
            label=lambda r: f"{r.organisation} ({r.get_sector_display()})",
        )
        registry.register_audited_model(
            ShadowingSlot, related=["organisation"], label=lambda r: f"{r.organisation} {r.date}"
        )
