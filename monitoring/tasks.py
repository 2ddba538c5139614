"""Monitoring's background tasks: thin, idempotent, delegating to services."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def send_round_reminders():
    """The reminder to figures submitters before a round closes (once a day per round)."""
    from .services.figures import round_reminders_send

    return round_reminders_send()
