"""Monitoring: the action agendas and their activities, the partners' yearly figures, and the
biennial monitoring report.

An agenda (the activity plan 2026-2029, the 2014 action agenda) has programme lines with
numbered activities; each activity has a status machine, progress updates and the indicators
it is measured by. Indicators are measured in yearly figures: values per organisation (or per
area, for figures from a public source), indicator, year and optionally sector, which partners
upload in reporting rounds and the programme team approves. A monitor is one generated PDF of
a two-year period, kept with its parameters and checksum.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal import access
from portal.crypto import private_storage
from portal.workflow import StatusChange, Workflow, WorkflowModel

TOPIC = "figures_submitter"


class Agenda(models.Model):
    """An action agenda or activity plan, e.g. "Activiteitenplan Onderwijsregio Haaglanden
    2026-2029"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name in the address"), max_length=80, unique=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_public = models.BooleanField(_("shown on the public agenda page"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "-start_year", "name"]
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="monitoring_agenda_years_in_order",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring-agenda-detail", args=[self.slug])


class ProgrammeLine(models.Model):
    """A programme line (programmalijn) or spearhead (speerpunt) of an agenda."""

    agenda = models.ForeignKey(
        Agenda, verbose_name=_("agenda"), on_delete=models.CASCADE, related_name="lines"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    ambitions = models.TextField(_("ambitions"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agenda", "position", "code"]
        verbose_name = _("programme line")
        verbose_name_plural = _("programme lines")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "code"], name="monitoring_line_unique_code")
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"


def _activity_editors():
    # The programme team changes any activity's status; a lead organisation's partner editors
    # change their own activity's (the view checks that it is theirs).
    return access.Rule([access.PROGRAMME_TEAM, access.PARTNER_EDITOR], label="activity editors")


class Activity(WorkflowModel):
    """A numbered activity ("1.1", "2.7", "1.1 sub G5 po", "A") of a programme line."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("activity status", "Planned")
        RUNNING = "running", pgettext_lazy("activity status", "Running")
        DONE = "done", pgettext_lazy("activity status", "Done")
        PAUSED = "paused", pgettext_lazy("activity status", "Paused")
        STOPPED = "stopped", pgettext_lazy("activity status", "Stopped")

    workflow = Workflow(
        Status,
        {
            Status.PLANNED: {Status.RUNNING, Status.PAUSED, Status.STOPPED},
            Status.RUNNING: {Status.DONE, Status.PAUSED, Status.STOPPED},
            Status.PAUSED: {Status.RUNNING, Status.STOPPED},
            # Reopened when it turns out not to be finished after all.
            Status.DONE: {Status.RUNNING},
            Status.STOPPED: {Status.PLANNED, Status.RUNNING},
        },
        default_permission=_activity_editors(),
    )
    status_log_field = "activity"

    line = models.ForeignKey(
        ProgrammeLine,
        verbose_name=_("programme line"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    goal = models.TextField(_("goal"), blank=True)
    period = models.CharField(
        _("period"), max_length=100, blank=True, help_text=_("As planned, e.g. “Jan-dec 2026”.")
    )
    start_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    intended_results = models.TextField(_("intended results"), blank=True)
    products = models.TextField(_("products"), blank=True)
    lead = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("lead organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_activities",
    )
    lead_text = models.CharField(
        _("lead (as named in the source)"),
        max_length=300,
        blank=True,
        help_text=_("For a lead that is not an organisation in the registry, or several."),
    )
    partners = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("partners"),
        blank=True,
        related_name="partner_activities",
    )
    partners_text = models.TextField(_("partners (as named in the source)"), blank=True)
    intended_partners = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("intended partners"),
        blank=True,
        related_name="intended_partner_activities",
    )
    intended_partners_text = models.TextField(
        _("intended partners (as named in the source)"), blank=True
    )
    funding = models.TextField(_("funding"), blank=True)
    budget = models.DecimalField(
        _("budget (euro)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    indicators = models.ManyToManyField(
        "Indicator", verbose_name=_("indicators"), blank=True, related_name="activities"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[partners, intended_partners, indicators])

    class Meta:
        ordering = ["line", "position", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "code"], name="monitoring_activity_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="monitoring_activity_progress_percent"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("monitoring-activity-detail", args=[self.pk])

    @property
    def lead_name(self):
        return str(self.lead) if self.lead_id else self.lead_text


class ActivityStatusChange(StatusChange):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("activity status change")
        verbose_name_plural = _("activity status changes")

    def __str__(self):
        return f"{self.activity}: {self.from_status} → {self.to_status}"


def progress_attachment_path(instance, filename):
    return f"monitoring/progress/{timezone.now():%Y/%m}/{filename}"


class ProgressUpdate(models.Model):
    """A dated note on how an activity is going, optionally with a new status and progress."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("update"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_change = models.OneToOneField(
        ActivityStatusChange,
        verbose_name=_("status change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="update",
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to=progress_attachment_path,
        storage=private_storage,
        blank=True,
    )
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-created_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self):
        return f"{self.activity.code} {self.date}"


class Indicator(models.Model):
    """What a yearly figure measures, how it is reported and how it adds up."""

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        AVERAGE = "average", _("Average")
        LATEST = "latest", _("Latest value")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("E.g. persons, FTE, %."))
    sector = models.CharField(
        _("sector"),
        max_length=16,
        blank=True,
        help_text=_("po, so, vo, mbo …; empty when the indicator covers every sector."),
    )
    reporting_kinds = models.JSONField(
        _("reported by"),
        default=list,
        blank=True,
        help_text=_("The kinds of organisation that report it (empty: from a public source)."),
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    min_value = models.DecimalField(
        _("lowest value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimals"),
        default=0,
        validators=[MaxValueValidator(4)],
        help_text=_("0: whole numbers only."),
    )
    counts_persons = models.BooleanField(
        _("counts persons"),
        default=False,
        help_text=_("Counts of persons below 5 are never shown in public outputs."),
    )
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    sum_of = models.JSONField(
        _("printed total of"),
        default=list,
        blank=True,
        help_text=_(
            "For a total as a source printed it: the codes of the indicators it claims to add "
            "up. The portal shows the total it computes from those, and the difference."
        ),
    )
    is_public = models.BooleanField(_("public (dashboard and open data)"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # The language versions (monitoring/translation.py) are added after the history model is
    # built; the history keeps the Dutch text in `name`, `unit` and `description`.
    history = HistoricalRecords(
        excluded_fields=[
            "name_nl",
            "name_en",
            "unit_nl",
            "unit_en",
            "description_nl",
            "description_en",
        ]
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="monitoring_indicator_bounds_in_order",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})"


class ReportingRound(models.Model):
    """The yearly round in which partners report their figures for `year`."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    indicators = models.ManyToManyField(
        Indicator,
        verbose_name=_("indicators"),
        blank=True,
        related_name="rounds",
        help_text=_("The indicators asked in this round (empty: every reported indicator)."),
    )
    note = models.TextField(_("note"), blank=True)
    reminder_sent_on = models.DateField(_("last reminder sent on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="monitoring_round_dates_in_order",
            )
        ]

    def __str__(self):
        return str(self.year)

    def is_open(self, today=None):
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class FigureValue(WorkflowModel):
    """One yearly figure: an organisation's (or an area's, from a public source) value of an
    indicator in a year, optionally for one sector."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("figure status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("figure status", "Submitted")
        APPROVED = "approved", pgettext_lazy("figure status", "Approved")
        REJECTED = "rejected", pgettext_lazy("figure status", "Rejected")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Spreadsheet upload")
        API = "api", _("API")
        FORM = "form", _("Entered in the portal")
        PUBLIC = "public", _("Public source")

    _team = access.Rule([access.PROGRAMME_TEAM], label="programme team")
    workflow = Workflow(
        Status,
        {
            Status.DRAFT: {Status.SUBMITTED},
            Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.DRAFT},
            Status.REJECTED: {Status.SUBMITTED, Status.DRAFT},
            # A correction after approval starts over.
            Status.APPROVED: {Status.DRAFT, Status.SUBMITTED},
        },
        permissions={
            (Status.SUBMITTED, Status.APPROVED): _team,
            (Status.SUBMITTED, Status.REJECTED): _team,
        },
    )
    status_log_field = "value"

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="figure_values",
    )
    area = models.CharField(
        _("area"),
        max_length=100,
        blank=True,
        help_text=_("For a figure about an area (e.g. “Haaglanden”) rather than an organisation."),
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sector = models.CharField(_("sector"), max_length=16, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    comment = models.TextField(
        _("comment"),
        blank=True,
        help_text=_("Required when the value changed by more than half against last year."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("reporting round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="values",
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.UPLOAD
    )
    source_note = models.CharField(_("source (publication)"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year", "organisation", "area", "sector"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        indexes = [
            models.Index(fields=["indicator", "year"], name="monitoring_value_ind_year"),
            models.Index(fields=["organisation", "year"], name="monitoring_value_org_year"),
            models.Index(fields=["status"], name="monitoring_value_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(area=""))
                | (Q(organisation__isnull=True) & ~Q(area="")),
                name="monitoring_value_organisation_or_area",
            ),
            models.UniqueConstraint(
                fields=["organisation", "indicator", "year", "sector"],
                condition=Q(organisation__isnull=False),
                name="monitoring_value_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["area", "indicator", "year", "sector"],
                condition=Q(organisation__isnull=True),
                name="monitoring_value_unique_per_area",
            ),
        ]

    def __str__(self):
        who = self.organisation or self.area
        return f"{who} {self.indicator.code} {self.year}{' ' + self.sector if self.sector else ''}"

    @property
    def subject(self):
        return str(self.organisation) if self.organisation_id else self.area


class FigureStatusChange(StatusChange):
    value = models.ForeignKey(FigureValue, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("figure status change")
        verbose_name_plural = _("figure status changes")

    def __str__(self):
        return f"{self.value}: {self.from_status} → {self.to_status}"


def monitor_path(instance, filename):
    return f"monitoring/monitors/{instance.start_year}-{instance.end_year}-{instance.pk}.pdf"


class FigureBatch(models.Model):
    """A batch of figures submitted through the API, kept by its client-chosen key so that
    sending it again changes nothing: the same key and body get the first answer back, the
    same key with another body is refused. Only batches that were saved are kept."""

    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="figure_batches"
    )
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    token = models.ForeignKey(
        "portal.ApiToken", null=True, on_delete=models.SET_NULL, related_name="figure_batches"
    )
    year = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="figure_batch_key_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id}: {self.key}"


class Monitor(models.Model):
    """One generated biennial monitoring report (PDF) of a two-year period.

    The task that makes it moves it from queued to running (with progress) to done (with the
    file and its checksum) or failed (with the reason). A published monitor never changes.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("monitor status", "Queued")
        RUNNING = "running", pgettext_lazy("monitor status", "Running")
        DONE = "done", pgettext_lazy("monitor status", "Done")
        FAILED = "failed", pgettext_lazy("monitor status", "Failed")

    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("reason of failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to=monitor_path, blank=True)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="monitoring_monitor_years_in_order",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="done"),
                name="monitoring_monitor_published_when_done",
            ),
        ]

    def __str__(self):
        return f"Monitor {self.start_year}-{self.end_year} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("monitoring-monitor-detail", args=[self.pk])

    @property
    def period(self):
        return f"{self.start_year}-{self.end_year}"

    @property
    def is_published(self):
        return self.published_at is not None
