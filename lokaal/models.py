"""The regional desk for career switchers: cases, shadowing, room at schools and matches."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal import access, sequences
from portal.workflow import StatusChange, Workflow, WorkflowModel

# Hours per week a candidate or a room can plausibly mean; a full-time job is about 40.
MAX_HOURS_PER_WEEK = 40


class OriginSector(models.TextChoices):
    """The sector a career switcher comes from: the categories of seed 004."""

    CONSTRUCTION_INDUSTRY_TRANSPORT = (
        "construction_industry_transport",
        _("Construction, industry, transport and logistics"),
    )
    TRADE_CONSUMER_SERVICES = "trade_consumer_services", _("Trade and consumer services")
    HOSPITALITY = "hospitality", _("Hospitality")
    GOVERNMENT_CARE = "government_care", _("Government and care")
    TEMP_AGENCIES = "temp_agencies", _("Temporary employment agencies")
    BUSINESS_SERVICES = "business_services", _("Business services")
    OTHER = "other", pgettext_lazy("origin sector", "Other")


class EducationLevel(models.TextChoices):
    MBO = "mbo", _("MBO (secondary vocational)")
    HBO = "hbo", _("HBO (higher professional)")
    WO_BACHELOR = "wo_bachelor", _("University bachelor")
    WO_MASTER = "wo_master", _("University master")


class TargetSector(models.TextChoices):
    """Where a career switcher wants to teach; the codes are those of partners.Sector."""

    PO = "po", _("Primary education (po)")
    SO = "so", _("Special education (so/sbo)")
    VO = "vo", _("Secondary education (vo)")
    MBO = "mbo", _("Vocational education (mbo)")


class HeardVia(models.TextChoices):
    SEARCH_ENGINE = "search_engine", _("Search engine or website")
    SOCIAL_MEDIA = "social_media", _("Social media")
    EVENT = "event", _("Information event or job fair")
    SCHOOL = "school", _("A school or school board")
    EMPLOYER = "employer", _("My employer or a job centre")
    ACQUAINTANCE = "acquaintance", _("Friends, family or colleagues")
    OTHER = "other", pgettext_lazy("heard via", "Other")


class TimelineKind(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Phone call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    MATCH = "match", pgettext_lazy("timeline", "Match")
    SHADOWING = "shadowing", _("Job shadowing")


def hours_validators():
    return [MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_WEEK)]


class ShortageSubject(models.Model):
    """A subject with a teacher shortage (seed 004, table 9); its FTE weighs in matching."""

    OTHER_CODE = "other"

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sectors = models.JSONField(
        _("sectors"),
        default=list,
        blank=True,
        help_text=_("The target sectors (po, so, vo, mbo) where the subject is taught."),
    )
    shortage_fte = models.DecimalField(
        _("shortage (FTE)"),
        max_digits=7,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Unfilled teaching jobs in FTE; the weight of the subject in matching."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("shortage subject")
        verbose_name_plural = _("shortage subjects")
        constraints = [
            models.CheckConstraint(
                condition=Q(shortage_fte__gte=0), name="lokaal_subject_fte_not_negative"
            )
        ]

    def __str__(self):
        return self.name


class TrainingRoute(models.Model):
    """A route to a teaching qualification, in the catalogue the desk advises from."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    sectors = models.ManyToManyField(
        "partners.Sector", verbose_name=_("sectors"), blank=True, related_name="+"
    )
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    min_education = models.CharField(
        _("minimum education"), max_length=16, choices=EducationLevel.choices, blank=True
    )
    eligibility_hint = models.TextField(_("who it suits"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("training route")
        verbose_name_plural = _("training routes")

    def __str__(self):
        return self.name


class ProgrammeYear(models.Model):
    """The yearly programme for status holders and displaced Ukrainians, with its quota."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    quota = models.PositiveSmallIntegerField(_("quota"), default=12)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")

    def __str__(self):
        return str(self.year)


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Case.CLOSED_STATUSES)

    def closed(self):
        return self.filter(status__in=Case.CLOSED_STATUSES)

    def overdue(self, today=None):
        """Open cases without a first response whose due date has passed."""
        today = today or timezone.localdate()
        return self.open().filter(first_response_at__isnull=True, first_response_due__lt=today)

    def real(self):
        return self.filter(is_demo=False)


def case_reference(pk, at):
    """A case's reference: the year of its intake and its id, e.g. LOK-2026-00042."""
    return f"LOK-{timezone.localtime(at).year}-{pk:05d}"


class Case(WorkflowModel):
    """One career switcher's way through the desk, from the first intake to placement."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("case status", "New")
        CONTACTED = "contacted", _("Contacted")
        ORIENTATION = "orientation", _("Orientation")
        SHADOWING = "shadowing", _("Job shadowing")
        ROUTE_ADVISED = "route_advised", _("Route advised")
        MATCHED = "matched", pgettext_lazy("case status", "Matched")
        PLACED = "placed", _("Placed")
        ON_HOLD = "on_hold", _("On hold")
        WITHDRAWN = "withdrawn", pgettext_lazy("case status", "Withdrawn")
        NOT_SUITABLE = "not_suitable", _("Not suitable")

    CLOSED_STATUSES = frozenset({Status.PLACED, Status.WITHDRAWN, Status.NOT_SUITABLE})
    # The pipeline in order; on hold and the closing statuses stand apart.
    PIPELINE = (
        Status.NEW,
        Status.CONTACTED,
        Status.ORIENTATION,
        Status.SHADOWING,
        Status.ROUTE_ADVISED,
        Status.MATCHED,
        Status.PLACED,
    )
    _ENDS = {Status.ON_HOLD, Status.WITHDRAWN, Status.NOT_SUITABLE}

    workflow = Workflow(
        Status,
        {
            Status.NEW: {Status.CONTACTED, Status.ORIENTATION} | _ENDS,
            Status.CONTACTED: {Status.ORIENTATION, Status.SHADOWING, Status.ROUTE_ADVISED} | _ENDS,
            Status.ORIENTATION: {Status.SHADOWING, Status.ROUTE_ADVISED} | _ENDS,
            Status.SHADOWING: {Status.ORIENTATION, Status.ROUTE_ADVISED} | _ENDS,
            Status.ROUTE_ADVISED: {Status.SHADOWING, Status.MATCHED} | _ENDS,
            # Back to route advised when a match falls through.
            Status.MATCHED: {Status.PLACED, Status.ROUTE_ADVISED} | _ENDS,
            # "And back": an advisor picks the stage the case resumes at.
            Status.ON_HOLD: {
                Status.CONTACTED,
                Status.ORIENTATION,
                Status.SHADOWING,
                Status.ROUTE_ADVISED,
                Status.MATCHED,
                Status.WITHDRAWN,
                Status.NOT_SUITABLE,
            },
        },
        initial=[Status.NEW],
        default_permission=access.Rule([access.DESK_ADVISOR, access.PROGRAMME_TEAM], label="desk"),
    )
    status_log_field = "case"

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.NEW
    )

    # The candidate, as given at the first intake.
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"), max_length=254)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    municipality = models.ForeignKey(
        "partners.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_cases",
    )
    origin_sector = models.CharField(
        _("current or last work sector"), max_length=40, choices=OriginSector.choices
    )
    education_level = models.CharField(
        _("highest education"), max_length=16, choices=EducationLevel.choices
    )
    foreign_diploma = models.BooleanField(_("foreign diploma"), default=False)
    target_sectors = models.JSONField(_("target sectors"), default=list, blank=True)
    subjects = models.ManyToManyField(
        ShortageSubject, verbose_name=_("subjects"), blank=True, related_name="cases"
    )
    other_subject = models.CharField(_("other subject"), max_length=150, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, validators=hours_validators()
    )
    wished_start = models.DateField(_("wished start"), null=True, blank=True)
    is_status_holder = models.BooleanField(
        _("status holder or displaced from Ukraine"), default=False
    )
    heard_via = models.CharField(
        _("heard of the desk via"), max_length=20, choices=HeardVia.choices, blank=True
    )
    motivation = models.TextField(_("motivation"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    # The desk's own fields.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("advisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_cases",
    )
    first_response_due = models.DateField(_("first response due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    advised_route = models.ForeignKey(
        TrainingRoute,
        verbose_name=_("advised route"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    programme_year = models.PositiveSmallIntegerField(
        _("status-holder programme year"), null=True, blank=True
    )
    quota_override_note = models.TextField(
        _("decision to exceed the quota"),
        blank=True,
        help_text=_("Why this case joins the programme although its quota is reached."),
    )
    identity_email_hash = models.CharField(max_length=64, blank=True, editable=False)
    identity_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    funding_hit = models.ForeignKey(
        "self",
        verbose_name=_("earlier case of the same person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status"], name="lokaal_case_status"),
            models.Index(fields=["assigned_to", "status"], name="lokaal_case_advisor"),
            models.Index(fields=["first_response_due"], name="lokaal_case_due"),
            models.Index(fields=["created_at"], name="lokaal_case_created"),
            models.Index(fields=["email"], name="lokaal_case_email"),
            models.Index(fields=["identity_email_hash"], name="lokaal_case_email_hash"),
            models.Index(fields=["identity_name_hash"], name="lokaal_case_name_hash"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gte=1, hours_per_week__lte=MAX_HOURS_PER_WEEK),
                name="lokaal_case_hours_plausible",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("created_at")),
                name="lokaal_case_closed_after_created",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            # The reference carries the row's own id, taken from its sequence before the
            # insert, so that it is complete in the first history row too.
            if self.pk is None:
                self.pk = sequences.next_id(self._meta.db_table)
            if self._state.adding:
                # With its pk set (here, or reserved by the intake), Django would try an
                # UPDATE first.
                kwargs["force_insert"] = True
            self.reference = case_reference(self.pk, self.created_at)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("lokaal-case-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status not in self.CLOSED_STATUSES

    @property
    def is_overdue(self):
        return (
            self.is_open
            and self.first_response_at is None
            and self.first_response_due < timezone.localdate()
        )

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    def target_sector_labels(self):
        return [TargetSector(value).label for value in self.target_sectors if value in TargetSector]


class CaseStatusChange(StatusChange):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")

    def __str__(self):
        return f"{self.case}: {self.from_status} → {self.to_status}"


class Submission(models.Model):
    """One intake as submitted; a later intake for an open case is a new row, never a merge."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="submissions")
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    data = models.JSONField(_("answers"), default=dict)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"{self.case} {self.created_at:%Y-%m-%d %H:%M}"


class ReceivedIntake(models.Model):
    """An intake as the public form received it, before the desk's work on it is done.

    The form's POST stores only this row and returns; a task (lokaal.tasks.process_intake)
    then makes the case or adds the submission to an open one, and sends the confirmation.
    `reference` is the one the success page shows: the case's id is reserved with it, so a
    new case gets exactly this reference; when the intake joins an open case instead, `case`
    leads from the reference to that case. Once processed, the answers are in the case's
    Submission and `data` is emptied.
    """

    class Outcome(models.TextChoices):
        CREATED = "created", _("New case")
        ADDED = "added", _("Added to the open case")
        DUPLICATE = "duplicate", _("Double submission, nothing added")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    reserved_case_id = models.BigIntegerField(_("reserved case id"))
    data = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="received_intakes",
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("received intake")
        verbose_name_plural = _("received intakes")
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="lokaal_received_unprocessed",
            )
        ]

    def __str__(self):
        return self.reference


class ShadowingSlot(models.Model):
    """A day on which a school lets career switchers shadow a teacher."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("school or board"),
        on_delete=models.CASCADE,
        related_name="shadowing_slots",
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    sector = models.CharField(_("sector"), max_length=8, choices=TargetSector.choices)
    subject = models.ForeignKey(
        ShortageSubject,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shadowing_slots",
    )
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "start_time", "pk"]
        verbose_name = _("shadowing slot")
        verbose_name_plural = _("shadowing slots")
        indexes = [models.Index(fields=["date"], name="lokaal_slot_date")]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="lokaal_slot_places_min"),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gt=models.F("start_time")),
                name="lokaal_slot_end_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.date:%Y-%m-%d}"


class ShadowingBooking(models.Model):
    class Outcome(models.TextChoices):
        PLANNED = "planned", _("Planned")
        WENT_WELL = "went_well", _("Went well")
        NOT_FOR_ME = "not_for_me", _("Not for me")
        NO_SHOW = "no_show", _("Did not show up")
        CANCELLED = "cancelled", pgettext_lazy("booking", "Cancelled")

    slot = models.ForeignKey(
        ShadowingSlot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="bookings"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PLANNED
    )
    outcome_note = models.TextField(_("note on the outcome"), blank=True)

    class Meta:
        ordering = ["slot__date", "pk"]
        verbose_name = _("shadowing booking")
        verbose_name_plural = _("shadowing bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "case"],
                name="lokaal_booking_unique_slot_case",
                violation_error_message=_("This candidate is already booked into this slot."),
            )
        ]

    def __str__(self):
        return f"{self.case} — {self.slot}"

    @property
    def takes_place(self):
        """Whether the booking holds one of the slot's places (a cancelled one does not)."""
        return self.outcome != self.Outcome.CANCELLED


class RoomQuerySet(models.QuerySet):
    def with_places_left(self):
        """Annotate `accepted_count`, so that `places_left` costs no query per room."""
        return self.annotate(
            accepted_count=models.Count(
                "matches", filter=Q(matches__status=Match.Status.ACCEPTED), distinct=True
            )
        )

    def open(self, today=None):
        """Active rooms whose period has not ended."""
        today = today or timezone.localdate()
        return self.filter(active=True).filter(
            Q(period_end__isnull=True) | Q(period_end__gte=today)
        )


class Room(models.Model):
    """Places a board or school offers career switchers."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("school or board"),
        on_delete=models.CASCADE,
        related_name="desk_rooms",
    )
    sector = models.CharField(_("sector"), max_length=8, choices=TargetSector.choices)
    subjects = models.ManyToManyField(
        ShortageSubject, verbose_name=_("subjects"), blank=True, related_name="rooms"
    )
    municipality = models.ForeignKey(
        "partners.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_rooms",
    )
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, validators=hours_validators()
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    special_education = models.BooleanField(_("special education"), default=False)
    note = models.TextField(_("note"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("room for career switchers")
        verbose_name_plural = _("room for career switchers")
        indexes = [models.Index(fields=["active", "sector"], name="lokaal_room_active_sector")]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="lokaal_room_places_min"),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gte=1, hours_per_week__lte=MAX_HOURS_PER_WEEK),
                name="lokaal_room_hours_plausible",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="lokaal_room_period_order",
                violation_error_message=_("The end of the period must not be before its start."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_sector_display()})"

    def save(self, *args, **kwargs):
        if self.municipality_id is None and self.organisation_id is not None:
            self.municipality_id = self.organisation.municipality_id
        super().save(*args, **kwargs)

    @property
    def places_left(self):
        accepted = getattr(self, "accepted_count", None)
        if accepted is None:
            accepted = self.matches.filter(status=Match.Status.ACCEPTED).count()
        return max(self.places - accepted, 0)


class Match(WorkflowModel):
    """A proposal to place a case in a room, decided by the room organisation's desk contact."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("match status", "Withdrawn")

    OPEN_STATUSES = frozenset({Status.PROPOSED, Status.ACCEPTED})

    # Whether the user is the desk contact of THIS room's organisation is checked with
    # access.get_object_for_user(..., topic="desk_contact", via="room__organisation").
    DESK_CONTACT = access.Rule(
        [access.PROGRAMME_TEAM, access.PARTNER_EDITOR], topic="desk_contact", label="desk contact"
    )
    DESK = access.Rule([access.DESK_ADVISOR, access.PROGRAMME_TEAM], label="desk")

    workflow = Workflow(
        Status,
        {
            Status.PROPOSED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
            # A placement that falls through after acceptance is withdrawn by the desk.
            Status.ACCEPTED: {Status.WITHDRAWN},
        },
        initial=[Status.PROPOSED],
        permissions={
            (Status.PROPOSED, Status.ACCEPTED): DESK_CONTACT,
            (Status.PROPOSED, Status.DECLINED): DESK_CONTACT,
            (Status.PROPOSED, Status.WITHDRAWN): DESK,
            (Status.ACCEPTED, Status.WITHDRAWN): DESK,
        },
    )
    status_log_field = "match"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="matches"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="matches"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=0)
    explanation = models.JSONField(_("why it fits"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = pgettext_lazy("placement", "match")
        verbose_name_plural = pgettext_lazy("placement", "matches")
        indexes = [models.Index(fields=["status"], name="lokaal_match_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "room"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="lokaal_match_one_open_per_case_room",
                violation_error_message=_("This candidate already has an open match here."),
            )
        ]

    def __str__(self):
        return f"{self.case} → {self.room}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class MatchStatusChange(StatusChange):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("match status change")
        verbose_name_plural = _("match status changes")

    def __str__(self):
        return f"{self.match}: {self.from_status} → {self.to_status}"


class TimelineEntry(models.Model):
    """A note, call, meeting, e-mail, match or shadowing event on a case's timeline.

    The case's timeline is these entries together with its status changes.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TimelineKind.choices)
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="timeline"
    )
    booking = models.ForeignKey(
        ShadowingBooking, null=True, blank=True, on_delete=models.SET_NULL, related_name="timeline"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["case", "at"], name="lokaal_timeline_case_at")]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()} {self.at:%Y-%m-%d}"


class ReminderSent(models.Model):
    """That a reminder of one kind went to one user on one day: the daily run sends it once."""

    class Kind(models.TextChoices):
        ADVISOR = "advisor", _("Overdue cases of the advisor")
        PROGRAMME_TEAM = "programme_team", _("Unassigned and overdue cases")

    day = models.DateField(_("day"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["-day", "pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "user", "kind"], name="lokaal_reminder_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.user} {self.kind}"
