"""The status-change mechanism shared by every app that has a status machine.

A model declares its allowed changes in one `Workflow` table and keeps its history in a
model derived from `StatusChange`. Every change goes through `transition()`, which locks
the row, refuses an illegal change with a message, writes the history row and schedules
the model's side effects after the transaction commits. The history is the data.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class TransitionNotAllowed(ValidationError):
    pass


class Workflow:
    def __init__(self, choices, allowed):
        self.choices = choices
        self.allowed = {source: frozenset(targets) for source, targets in allowed.items()}

    def can(self, source, target):
        return target in self.allowed.get(source, ())

    def targets(self, source):
        return [value for value in self.choices.values if self.can(source, value)]

    def check(self, source, target):
        if not self.can(source, target):
            raise TransitionNotAllowed(
                _("The status cannot change from “%(source)s” to “%(target)s”.")
                % {"source": self.label(source), "target": self.label(target)},
                code="transition_not_allowed",
            )

    def label(self, value):
        return self.choices(value).label if value in self.choices.values else value


class StatusChange(models.Model):
    """One row per status change: who changed it, when, and why."""

    from_status = models.CharField(gettext_lazy("from"), max_length=32, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=32)
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

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = getattr(instance, "status", None)
        return instance

    def clean(self):
        super().clean()
        loaded = getattr(self, "_loaded_status", None)
        if self.pk and loaded is not None and loaded != self.status:
            raise ValidationError(
                {"status": _("Change the status with a status change, so that it is recorded.")}
            )

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


def transition(obj, target, *, by, note=""):
    """Move `obj` to status `target`, or raise TransitionNotAllowed.

    Locks the row so that two simultaneous changes cannot both pass the check.
    Returns the history row; `obj` is updated in place.
    """
    model = type(obj)
    now = timezone.now()
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        source = locked.status
        model.workflow.check(source, target)
        locked.status = target
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_changed_at"])
        change = locked.log_status(source=source, target=target, by=by, note=note, at=now)
        transaction.on_commit(lambda: locked.after_transition(change))
    obj.status = target
    obj.status_changed_at = now
    obj._loaded_status = target
    return change
