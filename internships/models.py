"""Equal internship opportunities: reports of internship discrimination and their handling,
and the manifesto signatories' yearly evidence for the biennial measurement.

Free text and contact details are special-category personal data (they can reveal religion,
sexual orientation or health): they are stored encrypted (portal.crypto) and left out of the
change history. What is counted (role, level, phase, grounds, institution, dates, status)
stays plain, so that the aggregates survive anonymisation.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal import access, sequences
from portal.crypto import EncryptedTextField, private_storage
from portal.workflow import StatusChange, Workflow, WorkflowModel

TOPIC = "internship_reports"

# The receipt code's alphabet: Crockford's base 32 (no I, L, O, U), so that a code read aloud
# or copied from paper is not misread. 20 characters of 5 bits each: 100 bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
CODE_GROUP = 4


def new_receipt_code():
    """A new receipt code, grouped for reading: e.g. 7K2M-Q9XA-R4TB-0HVC-WE3N."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_receipt_code(code):
    """The code as typed, without separators and in capitals, with look-alikes mapped."""
    cleaned = "".join(ch for ch in str(code).upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def receipt_code_hash(code):
    """The stored form of a receipt code. A fast hash is enough: the code has 100 random bits,
    far too many to guess, so no salt or slow hash is needed to protect it."""
    return hashlib.sha256(normalise_receipt_code(code).encode()).hexdigest()


class ReporterRole(models.TextChoices):
    STUDENT = "student", _("Student")
    SUPERVISOR = "supervisor", _("Internship supervisor")
    WITNESS = "witness", _("Witness")
    OTHER = "other", pgettext_lazy("reporter role", "Other")


class Level(models.TextChoices):
    MBO = "mbo", _("MBO (secondary vocational)")
    HBO = "hbo", _("HBO (higher professional)")
    WO = "wo", _("WO (university)")


class Phase(models.TextChoices):
    FINDING = "finding", _("Finding a placement")
    APPLICATION = "application", _("Application or interview")
    INTERNSHIP = "internship", _("During the internship")


class Ground(models.TextChoices):
    ORIGIN = "origin", _("Skin colour or origin")
    RELIGION = "religion", _("Religion or belief")
    DISABILITY = "disability", _("Disability or chronic illness")
    GENDER = "gender", _("Gender")
    SEXUAL_ORIENTATION = "sexual_orientation", _("Sexual orientation")
    MIGRATION_BACKGROUND = "migration_background", _("Migration background")
    AGE = "age", _("Age")
    OTHER = "other", pgettext_lazy("ground", "Other")


class Wish(models.TextChoices):
    REGISTER = "register", _("Only register it")
    ADVICE = "advice", _("Advice")
    CONVERSATION = "conversation", _("A conversation")
    MEDIATION = "mediation", _("Mediation")
    COMPLAINT = "complaint", _("A formal complaint")


class Outcome(models.TextChoices):
    REGISTERED = "registered", _("Registered, no further action wished")
    ADVICE_GIVEN = "advice_given", _("Advice given")
    CONVERSATION_HELD = "conversation_held", _("Conversation held")
    MEDIATED = "mediated", _("Mediated, resolved")
    COMPLAINT_HANDLED = "complaint_handled", _("Formal complaint handled")
    MEASURES_TAKEN = "measures_taken", _("Measures taken at the internship organisation")
    REPORTER_UNREACHABLE = "reporter_unreachable", _("Reporter could not be reached")
    NOT_DISCRIMINATION = "not_discrimination", _("No discrimination established")
    WITHDRAWN = "withdrawn", _("Withdrawn by the reporter")
    OTHER = "other", pgettext_lazy("outcome", "Other")


def _handler_rule():
    return access.Rule([access.PROGRAMME_TEAM, *access.PARTNER_ROLES], topic=TOPIC, label="handler")


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Report.Status.CLOSED)

    def overdue(self, today=None):
        """Open reports without a first response whose deadline has passed."""
        today = today or timezone.localdate()
        return self.open().filter(first_response_at__isnull=True, response_due__lt=today)

    def real(self):
        return self.filter(is_demo=False)

    def for_handler(self, user):
        """The reports `user` may handle: the programme team all, a partner those routed to an
        organisation where they hold the handler topic role."""
        if access.PROGRAMME_TEAM in access.roles_of(user):
            return self
        organisations = [
            pk for pk, member in access.memberships_of(user).items() if TOPIC in member.topics
        ]
        return self.filter(routed_to__in=organisations)


def report_reference(pk, at):
    """A report's reference for handlers: the year it came in and its id, e.g. STG-2026-00042.
    The reporter never needs it: their receipt code is what opens the report."""
    return f"STG-{timezone.localtime(at).year}-{pk:05d}"


class Report(WorkflowModel):
    """One report of internship discrimination, from receipt to a closing outcome."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("report status", "Received")
        IN_PROGRESS = "in_progress", pgettext_lazy("report status", "In progress")
        REFERRED = "referred", pgettext_lazy("report status", "Referred")
        CLOSED = "closed", pgettext_lazy("report status", "Closed")

    workflow = Workflow(
        Status,
        {
            Status.RECEIVED: {Status.IN_PROGRESS, Status.REFERRED, Status.CLOSED},
            Status.IN_PROGRESS: {Status.REFERRED, Status.CLOSED},
            Status.REFERRED: {Status.IN_PROGRESS, Status.CLOSED},
            # Reopened when the reporter comes back with more.
            Status.CLOSED: {Status.IN_PROGRESS},
        },
        initial=[Status.RECEIVED],
        default_permission=_handler_rule(),
    )
    status_log_field = "report"

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.RECEIVED
    )
    receipt_code_hash = models.CharField(max_length=64, unique=True, editable=False)

    # What the reporter told: plain where it is counted, encrypted where it is free text.
    reporter_role = models.CharField(_("reporter"), max_length=16, choices=ReporterRole.choices)
    institution = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("educational institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internship_reports",
        help_text=_("Empty: another institution, or unknown."),
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    grounds = models.JSONField(_("grounds"), default=list)
    ground_other = EncryptedTextField(_("other ground"), blank=True)
    description = EncryptedTextField(_("what happened"))
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    place = EncryptedTextField(_("where (organisation)"), blank=True)
    wish = models.CharField(_("what the reporter wants"), max_length=16, choices=Wish.choices)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact_name = EncryptedTextField(_("name"), blank=True)
    contact_email = EncryptedTextField(_("e-mail address"), blank=True)
    contact_phone = EncryptedTextField(_("telephone"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    # Handling.
    routed_to = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routed_internship_reports",
        help_text=_("Empty: the programme team handles it."),
    )
    response_due = models.DateField(_("response due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    history = HistoricalRecords(
        excluded_fields=[
            "receipt_code_hash",
            "ground_other",
            "description",
            "place",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
    )
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("internship report")
        verbose_name_plural = _("internship reports")
        indexes = [
            models.Index(fields=["status"], name="internships_report_status"),
            models.Index(fields=["routed_to", "status"], name="internships_report_routed"),
            models.Index(fields=["response_due"], name="internships_report_due"),
            models.Index(fields=["created_at"], name="internships_report_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("created_at")),
                name="internships_report_closed_after_created",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""),
                name="internships_report_closed_has_outcome",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            # The reference carries the row's own id, complete in the first history row too.
            if self.pk is None:
                self.pk = sequences.next_id(self._meta.db_table)
            if self._state.adding:
                kwargs["force_insert"] = True
            self.reference = report_reference(self.pk, self.created_at)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("internships-report-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED

    @property
    def is_overdue(self):
        return (
            self.is_open
            and self.first_response_at is None
            and self.response_due < timezone.localdate()
        )

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    def ground_labels(self):
        return [Ground(value).label for value in self.grounds if value in Ground.values]


class ReportStatusChange(StatusChange):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("report status change")
        verbose_name_plural = _("report status changes")

    def __str__(self):
        return f"{self.report}: {self.from_status} → {self.to_status}"


class Message(models.Model):
    """A message between the reporter (through the receipt code) and the handlers."""

    class Direction(models.TextChoices):
        FROM_REPORTER = "from_reporter", _("From the reporter")
        TO_REPORTER = "to_reporter", _("To the reporter")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    body = EncryptedTextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    # The audit trail records who wrote when; the text itself stays out of it.
    history = HistoricalRecords(excluded_fields=["body"])

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.report} {self.get_direction_display()} {self.created_at:%Y-%m-%d %H:%M}"


class InternalNote(models.Model):
    """A handler's note on a report; the reporter never sees it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["body"])

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return f"{self.report} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # The stored name says nothing about the file: the original name is kept encrypted.
    return f"internships/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A PDF or image sent with a report or a reporter's message, encrypted on disk outside the
    public media; served only by a view that checks access."""

    class Kind(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"
        GIF = "image/gif", "GIF"
        WEBP = "image/webp", "WebP"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage)
    original_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["file", "original_name"])

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"{self.report} {self.get_content_type_display()}"


class ManifestoYear(models.Model):
    """A manifesto signatory's evidence for one year: the figures behind its five commitments.

    The state of each commitment is partners.CommitmentProgress; these are the counts and
    facts the biennial measurement asks of every signatory.
    """

    signature = models.ForeignKey(
        "partners.Signature",
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="manifesto_years",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reporting_procedure = models.BooleanField(
        _("a reporting procedure with follow-up is in place"), default=False
    )
    supervisors_trained = models.PositiveIntegerField(
        _("internship supervisors trained"), null=True, blank=True
    )
    campaign_contributions = models.PositiveIntegerField(
        _("contributions to the campaign"), null=True, blank=True
    )
    design_sessions_attended = models.PositiveIntegerField(
        _("design sessions attended"), null=True, blank=True
    )
    reflection_meeting_held = models.BooleanField(
        _("took part in the yearly reflection meeting"), default=False
    )
    measurement_taken_part = models.BooleanField(
        _("took part in the biennial measurement"), default=False
    )
    note = models.TextField(_("explanation"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "signature__organisation__name"]
        verbose_name = _("manifesto year")
        verbose_name_plural = _("manifesto years")
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "year"], name="internships_manifesto_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="internships_manifesto_year_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.signature} {self.year}"
