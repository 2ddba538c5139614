import datetime
import smtplib

from celery import shared_task
from django.utils import timezone

from portal import mail, retention
from portal.queue import publish


@shared_task(
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=4,
)
def send_outgoing_email(email_pk):
    return mail.deliver(email_pk)


@shared_task(acks_late=True, time_limit=120)
def flush_outbox():
    """Publish again what could not be published: e-mails still pending after two minutes."""
    cutoff = timezone.now() - datetime.timedelta(minutes=2)
    return sum(publish(send_outgoing_email, pk) for pk in mail.pending_emails(cutoff))


@shared_task(acks_late=True, time_limit=600)
def purge_expired():
    return retention.purge_expired()
