"""Retention periods for personal data, in one registry every app adds its policies to.

`purge_expired` (a management command and a daily beat task) applies them all.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Policy:
    name: str
    setting: str
    expired: object  # callable(cutoff: datetime) -> QuerySet of rows to delete

    @property
    def days(self):
        return settings.RETENTION_DAYS[self.setting]


_policies = {}


def register(name, *, setting, expired):
    _policies[name] = Policy(name, setting, expired)


def policies():
    return list(_policies.values())


def purge_expired(now=None):
    """Delete every row whose retention period has passed; returns counts per policy."""
    now = now or timezone.now()
    counts = {}
    for policy in policies():
        cutoff = now - datetime.timedelta(days=policy.days)
        deleted, _ = policy.expired(cutoff).delete()
        counts[policy.name] = deleted
    return counts
