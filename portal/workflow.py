"""The status-change mechanism shared by every app that has a status machine.

A model declares its allowed changes in one `Workflow` table and keeps its history in a
model derived from `StatusChange`. A new object is saved with `create()`, which records its
first status as the first history row; every change goes through `transition()`, which
locks the row, refuses an illegal change (or one the user's role may not make) with a
message, writes the history row and schedules the model's side effects after the
transaction commits. `save()` refuses to write a changed status any other way. The history
is the data.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class TransitionNotAllowed(ValidationError):
    pass


class Workflow:
    """The allowed status changes of one model, and who may make them.

    `allowed` maps a status to the statuses it may change to. `initial` limits the statuses
    a new object may start in (default: any). `permissions` maps a change (source, target)
    to a rule: an object with `allows(user)` (a `portal.access.Rule`) or a callable
    `rule(user) -> bool`; `default_permission` applies to changes not in `permissions`
    (default: anyone who reaches the transition). A change without a user (`by=None`, a
    task or a command) is not checked against the permissions.
    """

    def __init__(
        self, choices, allowed, *, initial=None, permissions=None, default_permission=None
    ):
        self.choices = choices
        self.allowed = {source: frozenset(targets) for source, targets in allowed.items()}
        self.initial = frozenset(initial) if initial is not None else frozenset(choices.values)
        self.permissions = dict(permissions or {})
        self.default_permission = default_permission
        for source, target in self.permissions:
            if not self.can(source, target):
                raise ValueError(f"A permission for {source!r} → {target!r}, a change not allowed.")

    def can(self, source, target):
        return target in self.allowed.get(source, ())

    def targets(self, source, user=None):
        """The statuses `source` may change to (for `user`: those the user may choose)."""
        return [
            value
            for value in self.choices.values
            if self.can(source, value)
            and (user is None or self.may_transition(user, source, value))
        ]

    def may_transition(self, user, source, target):
        """Whether `user` may make the change; `user` None (the system) always may."""
        if user is None:
            return True
        rule = self.permissions.get((source, target), self.default_permission)
        if rule is None:
            return True
        return rule.allows(user) if hasattr(rule, "allows") else bool(rule(user))

    def check(self, source, target, user=None):
        if not self.can(source, target):
            raise TransitionNotAllowed(
                _("The status cannot change from “%(source)s” to “%(target)s”.")
                % {"source": self.label(source), "target": self.label(target)},
                code="transition_not_allowed",
            )
        if not self.may_transition(user, source, target):
            raise TransitionNotAllowed(
                _("You may not change the status from “%(source)s” to “%(target)s”.")
                % {"source": self.label(source), "target": self.label(target)},
                code="transition_not_permitted",
            )

    def check_initial(self, status):
        if status not in self.initial:
            raise TransitionNotAllowed(
                _("A new item cannot start with the status “%(status)s”.")
                % {"status": self.label(status)},
                code="initial_status_not_allowed",
            )

    def label(self, value):
        return self.choices(value).label if value in self.choices.values else value


class StatusChangeRefused(TransitionNotAllowed):
    """A plain save() tried to write a changed status instead of going through transition()."""


STATUS_OUTSIDE_TRANSITION = gettext_lazy(
    "Change the status with a status change, so that it is recorded."
)


class StatusChange(models.Model):
    """One row per status change: who changed it, when, and why."""

    from_status = models.CharField(gettext_lazy("from"), max_length=32, blank=True)
    to_status = models.CharField(pgettext_lazy("status change", "to"), max_length=32)
    changed_at = models.DateTimeField(gettext_lazy("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(gettext_lazy("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-pk"]

    def _workflow(self):
        return next(
            field.related_model.workflow
            for field in self._meta.concrete_fields
            if field.is_relation and issubclass(field.related_model, WorkflowModel)
        )

    @property
    def from_label(self):
        return self._workflow().label(self.from_status) if self.from_status else ""

    @property
    def to_label(self):
        return self._workflow().label(self.to_status)


class WorkflowModel(models.Model):
    """A model with a `status` field governed by `workflow`.

    Subclasses set `workflow` and `status_log_field` (the name of the StatusChange model's
    foreign key to them), and may override `after_transition` for side effects.
    """

    workflow: Workflow
    status_log_field: str

    status_changed_at = models.DateTimeField(
        gettext_lazy("status changed at"), default=timezone.now
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The guard for code that skips clean(): only transition() may write a new status.
        update_fields = kwargs.get("update_fields")
        writes_status = update_fields is None or "status" in update_fields
        if writes_status and self._status_changed() and not getattr(self, "_in_transition", False):
            raise StatusChangeRefused(
                str(STATUS_OUTSIDE_TRANSITION), code="status_outside_transition"
            )
        super().save(*args, **kwargs)
        if writes_status:
            self._loaded_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Not getattr(): for an instance loaded without its status (only()/defer()) that
        # would cost a query per row. Such an instance is not guarded.
        instance._loaded_status = (
            values[field_names.index("status")] if "status" in field_names else None
        )
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "status" in fields:
            self._loaded_status = self.status

    def _status_changed(self):
        loaded = getattr(self, "_loaded_status", None)
        return self.pk is not None and loaded is not None and loaded != self.status

    def clean(self):
        super().clean()
        if self._status_changed():
            raise ValidationError({"status": str(STATUS_OUTSIDE_TRANSITION)})

    @classmethod
    def status_log_model(cls):
        return next(
            rel.related_model
            for rel in cls._meta.related_objects
            if rel.field.name == cls.status_log_field
            and issubclass(rel.related_model, StatusChange)
        )

    def log_status(self, *, source, target, by, note, at):
        return self.status_log_model().objects.create(
            **{self.status_log_field: self},
            from_status=source,
            to_status=target,
            changed_by=by,
            note=note,
            changed_at=at,
        )

    def after_transition(self, change):
        """Side effects of a change; runs after the transaction has committed."""


def create(obj, *, by, note=""):
    """Save a new, validated `obj` and record its status as the first history row.

    Refuses a status the workflow does not allow a new object to start in. Returns `obj`.
    """
    type(obj).workflow.check_initial(obj.status)
    with transaction.atomic():
        obj.save()
        obj.log_status(source="", target=obj.status, by=by, note=note, at=obj.status_changed_at)
    return obj


def transition(obj, target, *, by, note=""):
    """Move `obj` to status `target`, or raise TransitionNotAllowed.

    Locks the row so that two simultaneous changes cannot both pass the check; refuses a
    change the table does not allow, or one the workflow's permissions do not give `by`.
    Returns the history row; `obj` is updated in place.
    """
    model = type(obj)
    now = timezone.now()
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        source = locked.status
        model.workflow.check(source, target, by)
        locked.status = target
        locked.status_changed_at = now
        locked._in_transition = True
        try:
            locked.save(update_fields=["status", "status_changed_at"])
        finally:
            locked._in_transition = False
        change = locked.log_status(source=source, target=target, by=by, note=note, at=now)
        transaction.on_commit(lambda: locked.after_transition(change))
    obj.status = target
    obj.status_changed_at = now
    obj._loaded_status = target
    return change
