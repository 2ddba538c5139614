from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from allauth.mfa.signals import authenticator_removed

        from portal import registry, retention
        from portal.middleware import forget_totp

        authenticator_removed.connect(forget_totp, dispatch_uid="portal-forget-totp")
        self._register_navigation()

        from portal import cache
        from portal.models import SiteSettings

        # The footer and contact details of the public pages come from the site settings.
        cache.register(SiteSettings)

        from portal.models import AccessLog, ApiToken, ImportUpload, Invitation, OutgoingEmail

        registry.register_audited_model(
            ApiToken,
            related=["organisation"],
            label=lambda r: (
                _("“%(name)s” of %(organisation)s")
                % {"name": r.name, "organisation": r.organisation}
            ),
        )

        retention.register(
            "outgoing_email",
            setting="outgoing_email",
            expired=lambda cutoff: OutgoingEmail.objects.filter(created_at__lt=cutoff),
        )
        retention.register(
            "access_log",
            setting="access_log",
            expired=lambda cutoff: AccessLog.objects.filter(at__lt=cutoff),
        )
        retention.register(
            "invitation",
            setting="invitation",
            expired=lambda cutoff: Invitation.objects.filter(created_at__lt=cutoff),
        )
        retention.register(
            "import_upload",
            setting="import_file",
            expired=lambda cutoff: ImportUpload.objects.filter(created_at__lt=cutoff),
        )

    def _register_navigation(self):
        from portal import access, registry

        staff = access.Rule([access.PROGRAMME_TEAM])
        registry.register_nav_item(
            "home", url_name="home", label=_("Home"), rule=access.PUBLIC, slot="public", order=0
        )
        registry.register_nav_item(
            "login",
            url_name="account_login",
            label=_("Log in"),
            rule=access.PUBLIC,
            slot="public",
            order=1000,
        )
        registry.register_nav_item(
            "dashboard",
            url_name="dashboard",
            label=_("Dashboard"),
            rule=access.Rule(access.ALL_ROLES),
            order=0,
        )
        registry.register_nav_item(
            "invitations", url_name="invitation-list", label=_("Invitations"), rule=staff, order=80
        )
        registry.register_nav_item(
            "audit", url_name="audit-trail", label=_("Audit trail"), rule=staff, order=90
        )
