"""The internship reports' background tasks: thin, idempotent, delegating to services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def send_reminders():
    """The daily reminder of reports past their response deadline (once a day per report)."""
    return services.reminders_send()
