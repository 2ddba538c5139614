"""Retention periods for personal data, in one registry every app adds its policies to.

An app registers its policies in `AppConfig.ready()`:

    retention.register("contact", setting="contact",
                       expired=lambda cutoff: Contact.objects.filter(ended_on__lt=cutoff.date()))

`expired(cutoff)` returns the rows whose period has passed; they are deleted, or, with
`anonymise`, kept with their personal fields replaced (a mapping of field to replacement
value, or a callable that returns that mapping for one row), so that their figures stay.
The policy's model's change history (django-simple-history) goes with it: the history of
deleted rows, the personal values in the history of anonymised rows, and every history row
older than the cutoff except the latest one of a row that still exists (it holds nothing
the row itself does not). `setting` names the period in `settings.RETENTION_DAYS`; it is
checked when the policy is registered, so a missing one stops the portal at start-up.

`purge_expired` (a management command and a daily beat task) applies them all; one failing
policy is logged and reported and does not stop the others.
"""

import datetime
import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_app_model_primary_key_name, get_history_manager_for_model

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000


@dataclass(frozen=True)
class Policy:
    name: str
    setting: str
    expired: Callable  # callable(cutoff: datetime) -> QuerySet of the expired rows
    anonymise: Any = None  # None (delete), {field: value}, or callable(row) -> {field: value}

    @property
    def days(self):
        return settings.RETENTION_DAYS[self.setting]

    def apply(self, now):
        """Delete or anonymise the expired rows; returns (rows, history rows deleted)."""
        cutoff = now - datetime.timedelta(days=self.days)
        queryset = self.expired(cutoff)
        history = _history_manager(queryset.model)
        if self.anonymise is None:
            rows, history_rows = _delete(queryset, history)
        else:
            rows = _anonymise(queryset, history, self.anonymise)
            history_rows = 0
        if history is not None:
            history_rows += _purge_old_history(queryset.model, history, cutoff)
        return rows, history_rows


class PurgeReport(dict):
    """The rows deleted or anonymised per policy name (a failed policy has no entry).

    `history` holds the history rows deleted per policy, `failures` the traceback of each
    policy that failed.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.failures = {}

    def summary(self):
        return {"rows": dict(self), "history": self.history, "failed": sorted(self.failures)}


_policies = {}


def register(name, *, setting, expired, anonymise=None):
    """Register (or replace) the retention policy `name`; see the module's docstring.

    Raises ImproperlyConfigured when settings.RETENTION_DAYS has no positive number of days
    for `setting`, or when `anonymise` is neither a mapping nor a callable.
    """
    days = getattr(settings, "RETENTION_DAYS", {}).get(setting)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"Retention policy {name!r} needs a positive number of days in "
            f"settings.RETENTION_DAYS[{setting!r}] (found {days!r})."
        )
    if not callable(expired):
        raise ImproperlyConfigured(f"Retention policy {name!r}: `expired` must be callable.")
    if anonymise is not None and not (isinstance(anonymise, Mapping) or callable(anonymise)):
        raise ImproperlyConfigured(
            f"Retention policy {name!r}: `anonymise` must be a mapping of field names to "
            "replacement values or a callable returning one."
        )
    if isinstance(anonymise, Mapping):
        anonymise = dict(anonymise)
    _policies[name] = Policy(name, setting, expired, anonymise)


def policies():
    return list(_policies.values())


def purge_expired(now=None):
    """Apply every policy, each in its own transaction; returns a PurgeReport.

    A policy that raises is rolled back, logged with its traceback and listed in the
    report's `failures`; the policies after it still run.
    """
    now = now or timezone.now()
    report = PurgeReport()
    for policy in policies():
        try:
            with transaction.atomic():
                rows, history_rows = policy.apply(now)
        except Exception:
            logger.exception("Retention policy %s failed", policy.name)
            report.failures[policy.name] = traceback.format_exc()
        else:
            report[policy.name] = rows
            report.history[policy.name] = history_rows
    return report


def _history_manager(model):
    try:
        return get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return None


def _chunks(values):
    for start in range(0, len(values), CHUNK_SIZE):
        yield values[start : start + CHUNK_SIZE]


def _delete(queryset, history):
    """Delete the rows, then their history (deleting a row writes one more history row)."""
    model = queryset.model
    pks = list(queryset.values_list("pk", flat=True))
    rows = history_rows = 0
    for chunk in _chunks(pks):
        _, per_model = model._base_manager.filter(pk__in=chunk).delete()
        rows += per_model.get(model._meta.label, 0)
        if history is not None:
            history_rows += _history_of(model, history, chunk).delete()[0]
    return rows, history_rows


def _anonymise(queryset, history, anonymise):
    """Replace the personal fields of the rows and of their history; returns the rows changed.

    Rows that already hold the replacement values are skipped, so a row anonymised on an
    earlier day is not counted again.
    """
    model = queryset.model
    if isinstance(anonymise, Mapping):
        pks = list(queryset.exclude(**anonymise).values_list("pk", flat=True))
        for chunk in _chunks(pks):
            _replace(model, history, chunk, anonymise)
        return len(pks)
    rows = 0
    for row in queryset.iterator(chunk_size=CHUNK_SIZE):
        values = anonymise(row)
        if any(getattr(row, name) != value for name, value in values.items()):
            _replace(model, history, [row.pk], values)
            rows += 1
    return rows


def _replace(model, history, pks, values):
    # update() writes no new history row, which would hold the values being replaced.
    model._base_manager.filter(pk__in=pks).update(**values)
    if history is not None:
        history_fields = {f.name for f in history.model._meta.concrete_fields}
        kept = {name: value for name, value in values.items() if name in history_fields}
        if kept:
            _history_of(model, history, pks).update(**kept)


def _history_of(model, history, pks):
    return history.model._base_manager.filter(
        **{f"{get_app_model_primary_key_name(model)}__in": pks}
    )


def _purge_old_history(model, history, cutoff):
    """Delete the history rows older than `cutoff`, except the latest of each existing row."""
    historical = history.model
    pk_name = get_app_model_primary_key_name(model)
    history_pk = historical._meta.pk.name
    latest = (
        historical._base_manager.filter(**{pk_name: OuterRef(pk_name)})
        .order_by("-history_date", f"-{history_pk}")
        .values(history_pk)[:1]
    )
    old = historical._base_manager.filter(history_date__lt=cutoff).exclude(
        **{history_pk: Subquery(latest), f"{pk_name}__in": model._base_manager.values("pk")}
    )
    return old.delete()[0]
