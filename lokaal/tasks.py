"""The desk's background tasks: thin, idempotent, delegating to services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def send_reminders():
    """The daily reminder of overdue first responses (once a day per person)."""
    return services.reminders_send()
