"""The desk's background tasks: thin, idempotent, delegating to services."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def send_reminders():
    """The daily reminder of overdue first responses (once a day per person)."""
    return services.reminders_send()


@shared_task(
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def process_intake(received_pk):
    """The desk's work on an intake the public form received (once, whatever runs it)."""
    return services.intake_process(received_pk=received_pk)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def process_overdue_intakes():
    """Process received intakes whose task did not run (a lost publish, a failure)."""
    return services.intakes_process_overdue()
