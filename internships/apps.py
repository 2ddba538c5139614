from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _delete_attachment_file(sender, instance, **kwargs):
    # The encrypted file goes with its row, once the deletion has committed.
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class InternshipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "internships"
    verbose_name = _("Equal internship opportunities")

    def ready(self):
        from portal import access, registry, retention

        from . import selectors
        from .models import (
            TOPIC,
            Attachment,
            InternalNote,
            ManifestoYear,
            Message,
            Report,
            ReportStatusChange,
        )
        from .services import closed_before, report_anonymisation_values

        access.register_topic(TOPIC, _("Internship-report handler"))
        handler = access.Rule([access.PROGRAMME_TEAM, *access.PARTNER_ROLES], topic=TOPIC)

        registry.register_home_entry(
            "internships-report", template="internships/home_entry.html", order=20
        )
        registry.register_nav_item(
            "internships-report",
            url_name="internships-report",
            label=_("Report internship discrimination"),
            rule=access.PUBLIC,
            slot="public",
            order=40,
        )
        registry.register_nav_item(
            "internships-reports",
            url_name="internships-report-list",
            label=_("Internship reports"),
            rule=handler,
            order=50,
        )
        registry.register_dashboard_card(
            "internships-reports",
            template="internships/dashboard_card.html",
            rule=handler,
            context=lambda user: selectors.handler_card(user=user),
            order=30,
        )

        # Closed reports are anonymised, not deleted: the aggregates still count them. Their
        # messages, notes and attachments (free text and files) are deleted with them.
        retention.register(
            "internship_report",
            setting="internship_report",
            expired=lambda cutoff: closed_before(cutoff).filter(anonymised_at__isnull=True),
            anonymise=report_anonymisation_values,
        )
        for name, model in (
            ("internship_report_message", Message),
            ("internship_report_note", InternalNote),
            ("internship_report_attachment", Attachment),
        ):
            retention.register(
                name,
                setting="internship_report",
                expired=lambda cutoff, model=model: model.objects.filter(
                    report__in=closed_before(cutoff).values("pk")
                ),
            )
        # A handler's note on a status change is free text too: emptied, the change stays.
        retention.register(
            "internship_report_status_note",
            setting="internship_report",
            expired=lambda cutoff: ReportStatusChange.objects.filter(
                report__in=closed_before(cutoff).values("pk")
            ).exclude(note=""),
            anonymise={"note": ""},
        )
        post_delete.connect(_delete_attachment_file, sender=Attachment)

        registry.register_audited_model(Report, label=lambda r: r.reference)
        for model in (Message, InternalNote, Attachment):
            registry.register_audited_model(
                model, related=["report"], label=lambda r: r.report.reference
            )
        registry.register_audited_model(
            ManifestoYear,
            related=["signature__organisation"],
            label=lambda r: f"{r.signature.organisation} {r.year}",
        )

        # The manifesto's commitments (brief C): the card for a signatory's editors.
        from .measurement import manifesto_card

        registry.register_dashboard_card(
            "internships-manifesto",
            template="internships/dashboard_manifesto.html",
            rule=access.Rule([access.PARTNER_EDITOR]),
            context=lambda user: manifesto_card(user=user),
            order=35,
        )
        registry.register_dashboard_card(
            "internships-manifesto-overview",
            template="internships/dashboard_manifesto_overview.html",
            rule=access.Rule([access.PROGRAMME_TEAM]),
            order=35,
        )
