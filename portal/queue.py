"""Starting Celery tasks durably: after the transaction commits, never failing the caller.

`enqueue_on_commit(task, *args)` is the one call apps use. A task that cannot be published
(the broker is down) is kept as a `PendingTask` row, and the beat job `publish_pending_tasks`
publishes it again later, with a growing delay, deleting the row once the broker took it.
Tasks take primary keys and are idempotent: a publish that raised after the broker did
receive the message means the task runs twice, which must do no harm.
"""

import datetime
import json
import logging

from django.db import transaction
from django.utils import timezone

from portal.models import PendingTask

logger = logging.getLogger(__name__)

# Delay before the next try to publish a kept task: 1, 2, 4 ... minutes, at most this.
PENDING_RETRY_MAX = datetime.timedelta(minutes=15)
# A task being published is not due again for this long, so two runs never both publish it.
LEASE = datetime.timedelta(minutes=5)
# Kept tasks published per run of the beat job; the rest wait for the next run.
PENDING_BATCH_SIZE = 500


def retry_delay(attempts, *, cap):
    """The delay after `attempts` failed attempts: 1, 2, 4, 8 ... minutes, at most `cap`."""
    minutes = 2 ** min(max(attempts - 1, 0), 20)
    return min(datetime.timedelta(minutes=minutes), cap)


def publish(task, *args, keep=True):
    """Publish `task` now; return False instead of raising when the broker is unreachable.

    With `keep` (the default) an unpublished task is saved as a `PendingTask` for beat to
    publish later. `keep=False` is for tasks whose work already has its own durable record
    that a beat job republishes, such as the outbox's e-mails.
    """
    try:
        task.apply_async(args=args)
    except Exception as exc:
        # Whatever the transport raises (kombu, redis, socket errors), the request that
        # caused the task has already been saved and must not fail because of it.
        logger.warning("Could not publish %s%r: %r", task.name, args, exc)
        if keep:
            PendingTask.objects.create(
                task_name=task.name, args=list(args), last_error=repr(exc)[:2000]
            )
        return False
    return True


def enqueue_on_commit(task, *args, keep=True):
    """Publish `task` with `args` once the current transaction has committed.

    Outside a transaction it is published at once. The arguments must be JSON values
    (primary keys, not objects): they are checked here, so a mistake fails in the caller's
    tests rather than in the broker.
    """
    json.dumps(args)
    # robust: should even keeping the task fail (the database gone too), the caller's data is
    # committed already; Django logs the error instead of failing the request.
    transaction.on_commit(lambda: publish(task, *args, keep=keep), robust=True)


def publish_pending_tasks(now=None):
    """Publish the kept tasks that are due; returns how many were published.

    The due rows are leased first (moved forward by `LEASE`) and published after that
    commit, so no lock is held while the broker is tried and a second run does not publish
    them too. A published row is deleted. After the first failure the broker is taken to be
    down: the remaining rows are not tried (each try waits for the connection timeout) but
    get their next attempt scheduled, as the failed one does.
    """
    from portal.celery import app

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            PendingTask.objects.select_for_update(skip_locked=True).filter(
                next_attempt_at__lte=now
            )[:PENDING_BATCH_SIZE]
        )
        PendingTask.objects.filter(pk__in=[pending.pk for pending in due]).update(
            next_attempt_at=now + LEASE
        )
    published = 0
    broker_error = None
    for pending in due:
        task = app.tasks.get(pending.task_name)
        if task is None:
            # A task renamed or removed since it was kept: nothing can run it. Keep the row
            # for the programme team to see in the admin rather than drop the work.
            logger.error("Kept task %s is unknown; it is not published", pending)
            _postpone(pending, now, f"Unknown task {pending.task_name!r}")
            continue
        if broker_error is None:
            try:
                task.apply_async(args=pending.args)
            except Exception as exc:
                broker_error = repr(exc)[:2000]
                logger.warning("Could not publish kept task %s: %s", pending, broker_error)
            else:
                pending.delete()
                published += 1
                continue
        _postpone(pending, now, broker_error)
    return published


def _postpone(pending, now, error):
    pending.attempts += 1
    pending.last_error = error
    pending.next_attempt_at = now + retry_delay(pending.attempts, cap=PENDING_RETRY_MAX)
    pending.save(update_fields=["attempts", "last_error", "next_attempt_at"])
