from celery import shared_task

from portal import mail, queue, retention

# Each task sets its soft limit with its hard one: a task whose soft limit (by default
# CELERY_TASK_SOFT_TIME_LIMIT) exceeds its hard one cannot be published at all.


# No autoretry: a failed attempt is recorded on the e-mail with the time of the next one,
# and flush_outbox publishes it again then (portal.mail.deliver).
@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def send_outgoing_email(email_pk):
    return mail.deliver(email_pk)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def flush_outbox():
    """Publish the pending e-mails whose next attempt is due."""
    return mail.flush_outbox()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def publish_pending_tasks():
    """Publish the tasks kept because the broker was down when they were started."""
    return queue.publish_pending_tasks()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def purge_expired():
    """Apply every retention policy; a failing policy is logged and does not stop the rest."""
    return retention.purge_expired().summary()
