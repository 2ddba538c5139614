"""Monitoring's background tasks: thin, idempotent, delegating to services."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def send_round_reminders():
    """The reminder to figures submitters before a round closes (once a day per round)."""
    from .services.figures import round_reminders_send

    return round_reminders_send()


# -- monitors (M4) --


@shared_task(
    acks_late=True,
    # A worker killed while rendering (out of memory, a deploy) puts the task back on the
    # queue; monitor_generate gives up after a few such attempts.
    reject_on_worker_lost=True,
    time_limit=settings.MONITOR_TIME_LIMIT_SECONDS,
    soft_time_limit=max(settings.MONITOR_TIME_LIMIT_SECONDS - 30, 10),
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
)
def generate_monitor(pk):
    """Make monitor `pk`'s PDF (nothing when it is done already)."""
    from .services.monitors import monitor_generate

    monitor_generate(pk)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def generate_scheduled_monitor():
    """Request the monitor of the last complete two-year period, once."""
    from .services.monitors import monitor_request_scheduled

    monitor = monitor_request_scheduled()
    return monitor.pk if monitor else None


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def fail_stuck_monitors():
    """Mark failed the monitors no worker finished in time."""
    from .services.monitors import monitors_fail_stuck

    return monitors_fail_stuck()
