"""Starting Celery tasks safely: after the transaction commits, and never failing the caller.

A task that cannot be published (broker down) is logged; the work it stands for is kept in
the database (for example the outbox) and a beat job publishes it again later.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def publish(task, *args):
    """Publish `task` now; return False instead of raising when the broker is unreachable."""
    try:
        task.apply_async(args=args)
    except Exception:
        # Whatever the transport raises (kombu, redis, socket errors), the request that
        # caused the task has already been saved and must not fail because of it.
        logger.warning("Could not publish %s%r; it will be retried later", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args):
    """Publish `task` once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: publish(task, *args))
