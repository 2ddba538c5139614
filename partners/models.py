from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import access
from portal.models import MemberRole
from portal.workflow import StatusChange, Workflow, WorkflowModel

board_number_validator = RegexValidator(
    r"^\d{5}$", _("A board number has five digits, for example 41234.")
)
brin_validator = RegexValidator(
    r"^\d{2}[A-Z]{2}(\d{2})?$",
    _(
        "A BRIN has two digits and two letters, for example 12AB, optionally followed by "
        "two digits for a location."
    ),
)


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    cbs_code = models.CharField(_("CBS code"), max_length=6, blank=True)
    in_region = models.BooleanField(_("in the Haaglanden region"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


class Sector(models.Model):
    class Code(models.TextChoices):
        PO = "po", _("Primary education (po)")
        SO = "so", _("Special education (so/sbo)")
        VO = "vo", _("Secondary education (vo)")
        MBO = "mbo", _("Vocational education (mbo)")
        HBO = "hbo", _("Higher professional education (hbo)")
        WO = "wo", _("University education (wo)")
        CHILDCARE = "kinderopvang", _("Childcare")

    code = models.CharField(_("code"), max_length=16, unique=True, choices=Code.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.get_code_display()


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SCHOOL_BOARD = "school_board", _("School board")
        SCHOOL_LOCATION = "school_location", _("School location")
        UNIVERSITY_OF_APPLIED_SCIENCES = "hbo_institution", _("University of applied sciences")
        UNIVERSITY = "university", _("University")
        MUNICIPALITY = "municipality", _("Municipality")
        EMPLOYERS = "employers", _("Employers' organisation")
        EMPLOYER = "employer", _("Employer")
        CHILDCARE = "childcare", _("Childcare")
        KNOWLEDGE_CENTRE = "knowledge_centre", _("Knowledge centre")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("board"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
        help_text=_("For a school location: the school board it belongs to."),
    )
    board_number = models.CharField(
        _("board number"),
        max_length=5,
        blank=True,
        validators=[board_number_validator],
        help_text=_("The five-digit number DUO gives a school board."),
    )
    brin = models.CharField(
        _("BRIN"),
        max_length=6,
        blank=True,
        validators=[brin_validator],
        help_text=_("The institution code: four characters, or six for a location."),
    )
    website = models.URLField(_("website"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    # What DUO's register said when the portal last took its values over (see
    # partners.duo): the base that tells a register change from a partner's own edit.
    register_values = models.JSONField(default=dict, blank=True, editable=False)
    register_synced_at = models.DateTimeField(
        _("last synced with DUO"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "register_synced_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_unique_name",
                violation_error_message=_("An organisation with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["board_number"],
                condition=~models.Q(board_number=""),
                name="organisation_unique_board_number",
                violation_error_message=_("Another organisation already has this board number."),
            ),
            models.UniqueConstraint(
                fields=["brin"],
                condition=~models.Q(brin=""),
                name="organisation_unique_brin",
                violation_error_message=_("Another organisation already has this BRIN."),
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(kind="school_location"),
                name="organisation_parent_only_for_locations",
                violation_error_message=_("Only a school location belongs to a board."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners-organisation-detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot belong to itself.")})
        if self.parent_id and self.parent.kind != self.Kind.SCHOOL_BOARD:
            raise ValidationError({"parent": _("Choose a school board as the board.")})


class RegisterSync(models.Model):
    """One confirmed sync with a DUO register file (see partners.duo).

    `board_numbers` are the boards of the region's locations in a locations file: a board
    seated outside the region that runs schools in it belongs to the region too.
    """

    importer = models.CharField(_("file"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    synced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("synced by"),
    )
    synced_at = models.DateTimeField(_("synced at"), default=timezone.now)
    board_numbers = models.JSONField(default=list, blank=True)
    applied = models.JSONField(_("applied"), default=dict, blank=True)

    class Meta:
        ordering = ["-synced_at"]
        get_latest_by = "synced_at"
        verbose_name = _("DUO sync")
        verbose_name_plural = _("DUO syncs")

    def __str__(self):
        return f"{self.importer} {self.synced_at:%Y-%m-%d %H:%M}"


class Contact(models.Model):
    """A contact person at an organisation. Personal data: kept minimal, access-logged."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=150)
    function = models.CharField(_("function"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    topics = models.CharField(
        _("topics"),
        max_length=200,
        blank=True,
        help_text=_("For example: internship reports, career switchers, yearly figures."),
    )
    ended_on = models.DateField(
        _("no longer a contact since"),
        null=True,
        blank=True,
        help_text=_("The contact's details are deleted after the retention period."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A partner user's access to one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    topics = models.JSONField(
        _("topic roles"),
        default=list,
        blank=True,
        help_text=_("Topic roles in the organisation, such as handling internship reports."),
    )
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="membership_unique_user_organisation",
                violation_error_message=_("This user is already a member of this organisation."),
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        try:
            self.topics = access.clean_topics(self.topics)
        except ValidationError as error:
            raise ValidationError({"topics": error.messages}) from error

    def topic_labels(self):
        labels = dict(access.topic_choices())
        return [labels.get(key, key) for key in self.topics]


class Agreement(models.Model):
    class Kind(models.TextChoices):
        PARTNERSHIP_AGREEMENT = "partnership_agreement", _("Partnership agreement")
        MANIFESTO = "manifesto", _("Manifesto")
        ACTION_AGENDA = "action_agenda", _("Action agenda")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name in the address"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Show a public page with the signatories.")
    )

    # The language versions (partners/translation.py) are added after the history model
    # is built; the history keeps the Dutch text in `name` and `summary`.
    history = HistoricalRecords(excluded_fields=["name_nl", "name_en", "summary_nl", "summary_en"])

    class Meta:
        ordering = ["-date", "name"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners-agreement-detail", args=[self.slug])


class Commitment(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="commitment_unique_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Signature(WorkflowModel):
    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        UNDER_RESERVATION = "under_reservation", _("Under reservation")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    workflow = Workflow(
        Status,
        {
            Status.UNDER_RESERVATION: {Status.SIGNED, Status.WITHDRAWN},
            Status.SIGNED: {Status.WITHDRAWN},
            Status.WITHDRAWN: {Status.SIGNED, Status.UNDER_RESERVATION},
        },
        # A signature is the organisation's word: only the programme office records changes.
        default_permission=access.Rule([access.PROGRAMME_TEAM]),
    )
    status_log_field = "signature"

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.CharField(
        _("signatory's function"),
        max_length=150,
        blank=True,
        help_text=_("The function of the person who signed, for example “Chair of the board”."),
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.SIGNED
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "organisation__name"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "agreement"],
                name="signature_unique_organisation_agreement",
                violation_error_message=_("This organisation has already signed this agreement."),
            )
        ]
        indexes = [models.Index(fields=["agreement", "status"])]

    def __str__(self):
        return f"{self.organisation} — {self.agreement}"

    def get_absolute_url(self):
        return reverse("partners-signature-detail", args=[self.pk])


class SignatureStatusChange(StatusChange):
    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("signature status change")
        verbose_name_plural = _("signature status changes")

    def __str__(self):
        return f"{self.signature}: {self.from_status} → {self.to_status}"


class CommitmentProgress(models.Model):
    """Per signatory and year: how far a commitment is, with evidence."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="commitment_progress"
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="progress")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.NOT_STARTED
    )
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What was done, and where it can be seen.")
    )
    evidence_url = models.URLField(_("link to evidence"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "commitment__number"]
        verbose_name = _("commitment progress")
        verbose_name_plural = _("commitment progress")
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "commitment", "year"], name="progress_unique_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2100),
                name="progress_year_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.signature} {self.year}: {self.commitment}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.signature_id
            and self.commitment_id
            and self.signature.agreement_id != self.commitment.agreement_id
        ):
            raise ValidationError(_("This commitment belongs to another agreement."))
