import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from solo.models import SingletonModel

from portal.workdays import add_working_days


class StaffRole(models.TextChoices):
    PROGRAMME_TEAM = "programme_team", _("Programme team")
    DESK_ADVISOR = "desk_advisor", _("Desk advisor")


class MemberRole(models.TextChoices):
    EDITOR = "editor", _("Partner editor")
    VIEWER = "viewer", _("Partner viewer")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_superuser=True, staff_role=StaffRole.PROGRAMME_TEAM)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in. Staff have a staff role; partner users have memberships."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    staff_role = models.CharField(
        _("staff role"), max_length=32, choices=StaffRole.choices, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        # Only the programme team may use the Django admin.
        self.is_staff = self.is_programme_team
        super().save(*args, **kwargs)

    @property
    def is_programme_team(self):
        return self.is_superuser or self.staff_role == StaffRole.PROGRAMME_TEAM

    @property
    def is_desk_advisor(self):
        return self.staff_role == StaffRole.DESK_ADVISOR

    @property
    def is_partner(self):
        """Whether the user belongs to a partner organisation (read once per request)."""
        from portal.access import memberships_of

        return bool(memberships_of(self))

    @property
    def requires_second_factor(self):
        return self.is_superuser or bool(self.staff_role)


def _invitation_token():
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation by e-mail to create an account, bound to a role.

    Either a staff role, or an organisation with a member role.
    """

    email = models.EmailField(_("e-mail address"))
    staff_role = models.CharField(
        _("staff role"), max_length=32, choices=StaffRole.choices, blank=True
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    member_role = models.CharField(
        _("role in the organisation"), max_length=16, choices=MemberRole.choices, blank=True
    )
    topics = models.JSONField(
        _("topic roles"),
        default=list,
        blank=True,
        help_text=_("Topic roles in the organisation, such as handling internship reports."),
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_on = models.DateField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_staff_xor_member",
                condition=(
                    models.Q(staff_role="", organisation__isnull=False) & ~models.Q(member_role="")
                )
                | (~models.Q(staff_role="") & models.Q(organisation__isnull=True, member_role="")),
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        if not self.expires_on:
            self.expires_on = add_working_days(
                timezone.localdate(self.created_at), settings.INVITATION_VALID_WORKING_DAYS
            )
        super().save(*args, **kwargs)

    @property
    def is_expired(self):
        return timezone.localdate() > self.expires_on

    @property
    def is_usable(self):
        return self.accepted_at is None and not self.is_expired

    def role_label(self):
        if self.staff_role:
            return self.get_staff_role_display()
        return f"{self.get_member_role_display()} — {self.organisation}"


class OutgoingEmail(models.Model):
    """The outbox: every e-mail is saved first and sent by a task afterwards.

    When the broker is down the row stays pending and `flush_outbox` sends it later, so a
    failing side effect never loses the submission that caused it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(pgettext_lazy("e-mail recipient", "to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class AccessLog(models.Model):
    """Who looked at or changed personal data, and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=32)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    path = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.content_type}"


class ImportUpload(models.Model):
    """An uploaded file waiting between the preview and the confirmation of an import."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    importer = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


class PendingTask(models.Model):
    """A task that could not be published (broker down), kept until beat publishes it."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self):
        return f"{self.task_name}{tuple(self.args)!r}"


class SiteSettings(SingletonModel):
    """The programme office's details, shown on the contact, privacy and accessibility pages.

    Edited by the programme team in the admin; one row.
    """

    class AccessibilityStatus(models.TextChoices):
        A = "A", _("A: fully compliant")
        B = "B", _("B: partially compliant")
        C = "C", _("C: first measures taken")
        D = "D", _("D: no measures taken")
        E = "E", _("E: non-compliant")

    organisation_name = models.CharField(
        _("organisation name"), max_length=200, default="Onderwijsregio Haaglanden"
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, default="Den Haag")
    email = models.EmailField(_("e-mail address"), default="info@example.org")
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    privacy_email = models.EmailField(
        _("e-mail address for privacy questions"),
        blank=True,
        help_text=_("For example the data protection officer's; empty: the general address."),
    )
    reply_working_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"), default=5
    )
    accessibility_status = models.CharField(
        _("accessibility status"),
        max_length=1,
        choices=AccessibilityStatus.choices,
        default=AccessibilityStatus.C,
    )
    accessibility_evaluated_on = models.DateField(
        _("accessibility last evaluated on"), null=True, blank=True
    )
    accessibility_statement_url = models.URLField(
        _("accessibility statement in the national register"), blank=True
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))


class ApiToken(models.Model):
    """A key for the partner API, for one organisation (see `portal.api`).

    Only the SHA-256 hash of the key is stored; the key itself is shown once, when the
    token is made. `prefix` (the key's first characters) lets people tell their tokens
    apart. A token acts with its maker's rights, checked at every request.
    """

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_on = models.DateField(_("expires on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    # Making and revoking a token are in the audit trail; use is not (it would be a row a
    # minute).
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, today=None):
        today = today or timezone.localdate()
        return self.revoked_at is None and self.expires_on >= today

    @property
    def state(self):
        if self.revoked_at is not None:
            return _("revoked")
        if self.expires_on < timezone.localdate():
            return _("expired")
        return _("active")
