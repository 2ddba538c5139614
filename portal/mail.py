"""E-mail through the outbox: save first, send by a task, retry until it went out.

Templates follow templates/emails/<name>-subject.html, -body-text.html, -body-html.html.
"""

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.models import OutgoingEmail
from portal.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def queue_email(*, to, template, context, language=None):
    """Render the e-mail `template` for `to`, save it in the outbox and send it after commit."""
    with translation.override(language or translation.get_language()):
        subject = render_to_string(f"emails/{template}-subject.html", context)
        body_text = render_to_string(f"emails/{template}-body-text.html", context)
        body_html = render_to_string(f"emails/{template}-body-html.html", context)
    return queue_message(to=to, subject=subject, body_text=body_text, body_html=body_html)


def queue_message(*, to, subject, body_text, body_html=""):
    from portal.tasks import send_outgoing_email

    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
    )
    enqueue_on_commit(send_outgoing_email, email.pk)
    return email


def deliver(email_pk):
    """Send one outbox e-mail unless it has been sent already. Idempotent.

    The row stays locked while sending, so two workers never send the same e-mail.
    Raises the transport's error after recording it, so the task can retry.
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
            email.last_error = repr(exc)[:2000]
            if email.attempts >= OutgoingEmail.MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if error is not None:
        logger.warning("Sending e-mail %s failed (attempt %s): %r", email_pk, email.attempts, error)
        raise error
    return True


def pending_emails(older_than):
    return OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, created_at__lt=older_than
    ).values_list("pk", flat=True)
