from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from portal import retention

        from .models import Contact

        self._register_portal_entries()
        self._register_importers()

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

    def _register_portal_entries(self):
        """The partners' dashboard cards, audited models and home page entries."""
        from portal import access, registry

        from . import selectors
        from .models import (
            Agreement,
            CommitmentProgress,
            Contact,
            Membership,
            Organisation,
            Signature,
        )

        staff = access.Rule([access.PROGRAMME_TEAM])
        registry.register_nav_item(
            "partners-organisations",
            url_name="partners-organisation-list",
            label=_("Organisations"),
            rule=staff,
            order=10,
        )
        registry.register_nav_item(
            "partners-agreements",
            url_name="partners-agreement-list",
            label=_("Agreements"),
            rule=staff,
            order=20,
        )
        registry.register_nav_item(
            "partners-my-organisation",
            url_name="partners-my-organisation",
            label=_("My organisation"),
            rule=access.Rule(access.PARTNER_ROLES),
            order=10,
        )
        registry.register_nav_item(
            "partners-public-agreements",
            url_name="partners-public-agreement-list",
            label=_("Agreements"),
            rule=access.PUBLIC,
            slot="public",
            order=20,
        )
        registry.register_dashboard_card(
            "partners-registry",
            template="partners/dashboard_registry.html",
            rule=access.Rule([access.PROGRAMME_TEAM]),
            context=lambda user: {
                "organisation_count": Organisation.objects.filter(active=True).count(),
                "agreement_count": Agreement.objects.count(),
            },
            order=10,
        )
        registry.register_dashboard_card(
            "partners-memberships",
            template="partners/dashboard_memberships.html",
            rule=access.Rule(access.PARTNER_ROLES),
            context=lambda user: {"memberships": selectors.memberships_with_organisation(user)},
            order=50,
        )

        registry.register_audited_model(Organisation, label=lambda r: r.name)
        registry.register_audited_model(Agreement, label=lambda r: r.name)
        registry.register_audited_model(
            Signature,
            related=["organisation", "agreement"],
            label=lambda r: f"{r.organisation} — {r.agreement}",
        )
        registry.register_audited_model(
            Membership,
            related=["user", "organisation"],
            label=lambda r: f"{r.user} — {r.organisation}",
        )
        registry.register_audited_model(
            Contact, related=["organisation"], label=lambda r: f"{r.name} ({r.organisation})"
        )
        registry.register_audited_model(
            CommitmentProgress,
            related=["signature__organisation", "commitment"],
            label=lambda r: f"{r.signature.organisation} {r.year}: {r.commitment}",
        )

        registry.register_home_entry(
            "partners-login", template="partners/home_partner_login.html", order=30
        )
        registry.register_home_entry(
            "partners-agreements-card", template="partners/home_agreements_card.html", order=40
        )
        registry.register_home_entry(
            "partners-agreements",
            template="partners/home_agreements.html",
            slot="section",
            context=lambda: {"agreements": selectors.public_agreements()},
            order=10,
        )

    def _register_importers(self):
        """The organisation and signature imports and the DUO register syncs, on the
        portal's import pages."""
        from portal import imports

        from .duo import duo_importers
        from .importers import OrganisationImporter, SignatureImporter

        imports.register(OrganisationImporter)
        imports.register(SignatureImporter)
        for importer in duo_importers():
            imports.register(importer)
