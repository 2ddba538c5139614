"""E-mail through the outbox: save first, send by a task, retry until it went out.

A failed attempt is retried by `flush_outbox` (beat, every minute) on a backoff schedule
that grows to hours, and the e-mail is marked failed only after a day (docs/tasks-and-retention.md).

Templates follow templates/emails/<name>-subject.html, -body-text.html, -body-html.html.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.models import OutgoingEmail
from portal.queue import LEASE, enqueue_on_commit, publish, retry_delay

logger = logging.getLogger(__name__)

# The longest wait between two attempts to send one e-mail.
RETRY_MAX = datetime.timedelta(hours=2)
# Pending e-mails published per run of flush_outbox; the rest wait for the next run.
FLUSH_BATCH_SIZE = 500


def queue_email(*, to, template, context, language=None):
    """Render the e-mail `template` for `to`, save it in the outbox and send it after commit."""
    with translation.override(language or translation.get_language()):
        subject = render_to_string(f"emails/{template}-subject.html", context)
        body_text = render_to_string(f"emails/{template}-body-text.html", context)
        body_html = render_to_string(f"emails/{template}-body-html.html", context)
    return queue_message(to=to, subject=subject, body_text=body_text, body_html=body_html)


def queue_message(*, to, subject, body_text, body_html=""):
    """Save an e-mail in the outbox and publish its sending task after commit."""
    from portal.tasks import send_outgoing_email

    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        # The publish below holds the lease; if it fails, flush_outbox takes over after it.
        next_attempt_at=timezone.now() + LEASE,
    )
    # The outbox row is the durable record: flush_outbox republishes it, no PendingTask.
    enqueue_on_commit(send_outgoing_email, email.pk, keep=False)
    return email


def deliver(email_pk):
    """Send one outbox e-mail unless it has been sent already. Idempotent.

    The row stays locked while sending, so two workers never send the same e-mail. A failure
    is recorded with the time of the next attempt (1, 2, 4 ... minutes, at most
    RETRY_MAX), which `flush_outbox` keeps to; once the e-mail is older than
    settings.OUTBOX_GIVE_UP_AFTER_HOURS a failure marks it failed instead. Returns whether
    it was sent now.
    """
    error = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_pk).first()
        if email is None or email.status != OutgoingEmail.Status.PENDING:
            return False
        message = EmailMultiAlternatives(email.subject, email.body_text, to=[email.to])
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:
            error = exc
            now = timezone.now()
            email.last_error = repr(exc)[:2000]
            if now - email.created_at >= give_up_after():
                email.status = OutgoingEmail.Status.FAILED
            else:
                email.next_attempt_at = now + retry_delay(email.attempts, cap=RETRY_MAX)
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    if error is not None:
        logger.warning(
            "Sending e-mail %s failed (attempt %s, %s): %r",
            email_pk,
            email.attempts,
            email.status,
            error,
        )
        return False
    return True


def give_up_after():
    return datetime.timedelta(hours=settings.OUTBOX_GIVE_UP_AFTER_HOURS)


def flush_outbox(now=None):
    """Publish the pending e-mails whose next attempt is due; returns how many were published.

    Each is leased first (its next attempt moved forward by LEASE) so that it is not
    published again while it waits in the queue; `deliver` sets the real next attempt. When
    a publish fails the broker is down: the rest keep their lease and come back after it.
    """
    from portal.tasks import send_outgoing_email

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:FLUSH_BATCH_SIZE]
        )
        OutgoingEmail.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE)
    published = 0
    for pk in due:
        if not publish(send_outgoing_email, pk, keep=False):
            break
        published += 1
    return published


def requeue(emails):
    """Send the given failed (or pending) e-mails again now; returns how many were requeued.

    Sent e-mails are left alone. A requeued e-mail that fails again after its day has passed
    is marked failed again at once, with the new error.
    """
    from portal.tasks import send_outgoing_email

    pks = list(emails.exclude(status=OutgoingEmail.Status.SENT).values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=pks).update(
        status=OutgoingEmail.Status.PENDING, next_attempt_at=timezone.now() + LEASE
    )
    for pk in pks:
        enqueue_on_commit(send_outgoing_email, pk, keep=False)
    return len(pks)
