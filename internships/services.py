"""Writes of the internship-discrimination reports: submitting, following up, handling.

Notification e-mails go through the outbox and say only that there is something new, never
what the report says. Nothing here logs a report's contents or a receipt code.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import workdays, workflow
from portal.mail import queue_email

from .models import (
    TOPIC,
    Attachment,
    InternalNote,
    ManifestoYear,
    Message,
    Outcome,
    Report,
    ReportStatusChange,
    new_receipt_code,
    receipt_code_hash,
)

NEW_REPORT_TEMPLATE = "internships-new-report"
NEW_MESSAGE_TEMPLATE = "internships-new-message"
REPORTER_MESSAGE_TEMPLATE = "internships-reporter-message"
REMINDER_TEMPLATE = "internships-reminder"

# The form's answers that become the report's fields.
REPORT_FIELDS = (
    "reporter_role",
    "institution",
    "level",
    "phase",
    "grounds",
    "ground_other",
    "description",
    "occurred_on",
    "place",
    "wish",
    "anonymous",
    "contact_name",
    "contact_email",
    "contact_phone",
)


# Routing --------------------------------------------------------------------------------


def _programme_team():
    return get_user_model().objects.filter(staff_role="programme_team", is_active=True)


def route_for(institution):
    """Where a report about a student of `institution` goes: the institution when it has a
    handler (a member with the topic role; an editor without it is not enough), else the
    programme team (None)."""
    if institution is None:
        return None
    return institution if _has_handler(institution.pk) else None


def _has_handler(organisation_id):
    # JSON containment is not available on every database for a list; checking in Python
    # keeps SQLite (the embedded default) and PostgreSQL alike.
    from partners.models import Membership

    return any(
        TOPIC in (topics or ())
        for topics in Membership.objects.filter(
            organisation_id=organisation_id, user__is_active=True
        ).values_list("topics", flat=True)
    )


def recipients_of(report):
    """The e-mail addresses told about news on `report`: its handlers, or the programme team."""
    from partners.models import Membership

    if report.routed_to_id is not None:
        emails = [
            email
            for email, topics in Membership.objects.filter(
                organisation_id=report.routed_to_id, user__is_active=True
            ).values_list("user__email", "topics")
            if TOPIC in (topics or ())
        ]
        if emails:
            return sorted(set(emails))
    return sorted(set(_programme_team().values_list("email", flat=True)))


def _email_context(report):
    # The templates link to the portal; they show the reference and the deadline, never the
    # report's text.
    return {"report": report, "base_url": settings.PORTAL_BASE_URL}


def _notify_handlers(report, template):
    # In the portal's language (Dutch), whatever language the reporter wrote in: the handlers
    # are the region's staff.
    for email in recipients_of(report):
        queue_email(
            to=email,
            template=template,
            context=_email_context(report),
            language=settings.LANGUAGE_CODE,
        )


# The reporter's side ----------------------------------------------------------------------


def report_submit(*, data, attachments=(), language=None, now=None):
    """Save a new report with its attachments and tell its handlers; returns (report, code).

    `code` is the receipt code in plain text: the caller shows it once, and only its hash is
    kept. All or nothing: a failure leaves no report and no attachment behind.
    """
    now = now or timezone.now()
    code = new_receipt_code()
    fields = {name: data[name] for name in REPORT_FIELDS if name in data}
    if fields.get("anonymous", True):
        fields.update(contact_name="", contact_email="", contact_phone="")
    report = Report(
        **fields,
        receipt_code_hash=receipt_code_hash(code),
        consent_at=now,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        created_at=now,
        status_changed_at=now,
        response_due=workdays.add_working_days(
            timezone.localtime(now).date(), settings.INTERNSHIPS_RESPONSE_WORKING_DAYS
        ),
        routed_to=route_for(fields.get("institution")),
    )
    with transaction.atomic():
        workflow.create(report, by=None)
        _save_attachments(report, attachments, message=None, now=now)
        _notify_handlers(report, NEW_REPORT_TEMPLATE)
    return report, code


def report_find_by_code(code):
    """The report this receipt code opens, or None. Says nothing about why not."""
    if not code:
        return None
    return Report.objects.filter(
        receipt_code_hash=receipt_code_hash(code), anonymised_at__isnull=True
    ).first()


def reporter_message_add(*, report, body, attachments=(), now=None):
    """A message from the reporter (through their receipt code); tells the handlers."""
    now = now or timezone.now()
    if report.is_anonymised:
        raise ValidationError(_("This report can no longer receive messages."), code="anonymised")
    with transaction.atomic():
        message = Message.objects.create(
            report=report, direction=Message.Direction.FROM_REPORTER, body=body, created_at=now
        )
        _save_attachments(report, attachments, message=message, now=now)
        _notify_handlers(report, NEW_MESSAGE_TEMPLATE)
    return message


def _save_attachments(report, attachments, *, message, now):
    for upload in attachments:
        attachment = Attachment(
            report=report,
            message=message,
            original_name=upload.name[:200],
            content_type=upload.content_type_checked,
            size=upload.size,
            created_at=now,
        )
        attachment.file.save("attachment", upload, save=False)
        attachment.save()


def attachment_bytes(attachment):
    """The decrypted content of an attachment (for a view that has checked access)."""
    return attachment.file.storage.read_decrypted(attachment.file.name)


# The handler's side -------------------------------------------------------------------------


def handler_message_add(*, report, body, by, now=None):
    """A message to the reporter. The first one counts as the first response. A reporter who
    left an e-mail address is told that there is a message (not what it says)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            report=report,
            direction=Message.Direction.TO_REPORTER,
            body=body,
            author=by,
            created_at=now,
        )
        _mark_responded(report, now)
        if not report.anonymous and report.contact_email:
            queue_email(
                to=report.contact_email,
                template=REPORTER_MESSAGE_TEMPLATE,
                context=_email_context(report),
                language=report.language,
            )
    return message


def note_add(*, report, body, by, now=None):
    """An internal note; never shown to the reporter."""
    return InternalNote.objects.create(
        report=report, body=body, author=by, created_at=now or timezone.now()
    )


def _mark_responded(report, now):
    if report.first_response_at is None:
        Report.objects.filter(pk=report.pk, first_response_at__isnull=True).update(
            first_response_at=now
        )
        report.first_response_at = now


def report_transition(*, report, to, by, note="", outcome=""):
    """Change a report's status. Closing needs an outcome; reopening clears it. Leaving
    "received" counts as the first response."""
    now = timezone.now()
    if to == Report.Status.CLOSED and not outcome:
        raise ValidationError(
            {"outcome": _("Choose the outcome with which the report is closed.")},
            code="outcome_required",
        )
    with transaction.atomic():
        if to == Report.Status.CLOSED:
            Report.objects.filter(pk=report.pk).update(outcome=outcome, closed_at=now)
            report.outcome, report.closed_at = outcome, now
        change = workflow.transition(report, to, by=by, note=note)
        if change.from_status == Report.Status.CLOSED:
            Report.objects.filter(pk=report.pk).update(outcome="", closed_at=None)
            report.outcome, report.closed_at = "", None
        if change.from_status == Report.Status.RECEIVED:
            _mark_responded(report, now)
    return change


def reminders_send(*, today=None):
    """Tell the handlers (or the programme team) of each overdue report, once a day per report.

    Returns the number of reports reminded of.
    """
    today = today or timezone.localdate()
    reminded = 0
    overdue = Report.objects.overdue(today).exclude(reminded_on=today).select_related("routed_to")
    for report in overdue.iterator():
        with transaction.atomic():
            claimed = (
                Report.objects.filter(pk=report.pk)
                .exclude(reminded_on=today)
                .update(reminded_on=today)
            )
            if claimed:
                _notify_handlers(report, REMINDER_TEMPLATE)
                reminded += 1
    return reminded


# The manifesto's commitments ---------------------------------------------------------------


def manifesto_year_save(*, signature, year, entries, figures, by):
    """A signatory's year: the state of each commitment (partners' CommitmentProgress) and the
    year's figures (ManifestoYear), all or nothing. `entries` maps a Commitment to its state,
    evidence and evidence_url; `figures` holds ManifestoYear's fields."""
    from partners.services import progress_save

    with transaction.atomic():
        progress_save(signature=signature, year=year, entries=entries, by=by)
        ManifestoYear.objects.update_or_create(
            signature=signature, year=year, defaults={**figures, "updated_by": by}
        )


# Retention ----------------------------------------------------------------------------------


def report_anonymisation_values(report):
    """The values that replace a closed report's personal data when its period has passed.

    Messages, notes and attachments are deleted by their own policies (internships/apps.py).
    """
    return {
        "description": "",
        "ground_other": "",
        "place": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "anonymous": True,
        "occurred_on": None,
        "anonymised_at": timezone.now(),
    }


def report_erase(*, report, by=None, note=""):
    """Erase a report's personal data now, at the reporter's request (consent withdrawn).

    What the retention period would do later, done at once: the free text and contact details
    are emptied, messages, notes and attachments (with their files) deleted; the counted fields
    stay. An open report is closed first, with the outcome "withdrawn by the reporter".
    """
    with transaction.atomic():
        if report.is_open:
            report_transition(
                report=report,
                to=Report.Status.CLOSED,
                by=by,
                note=note,
                outcome=Outcome.WITHDRAWN,
            )
        for model in (Attachment, Message, InternalNote):
            model.objects.filter(report=report).delete()
        # A handler's note on a status change may name someone despite the form's advice.
        ReportStatusChange.objects.filter(report=report).update(note="")
        values = report_anonymisation_values(report)
        Report.objects.filter(pk=report.pk).update(**values)
        for name, value in values.items():
            setattr(report, name, value)
    return report


def closed_before(cutoff):
    return Report.objects.filter(closed_at__lt=cutoff)


def days_overdue(report, today=None):
    today = today or timezone.localdate()
    return max((today - report.response_due) // datetime.timedelta(days=1), 0)
