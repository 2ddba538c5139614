"""Durable tasks: published after commit; kept while the broker is down and published later."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal import queue
from portal.models import OutgoingEmail, PendingTask
from portal.tasks import publish_pending_tasks


@shared_task(name="tests.portal.mark_done", acks_late=True, time_limit=30, soft_time_limit=20)
def mark_done(email_pk):
    """A task as apps write them: by primary key, idempotent, with an effect to look at."""
    OutgoingEmail.objects.filter(pk=email_pk).update(subject="done")


def email(**fields):
    return OutgoingEmail.objects.create(
        to="t@example.org", subject="to do", body_text="b", **fields
    )


def is_done(pk):
    return OutgoingEmail.objects.get(pk=pk).subject == "done"


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing `mark_done` fails as kombu fails when nothing listens at the broker's port."""

    def refuse(*args, **kwargs):
        refuse.calls += 1
        raise OperationalError("Error 111 connecting to 127.0.0.1:9. Connection refused.")

    refuse.calls = 0
    monkeypatch.setattr(mark_done, "apply_async", refuse)
    return refuse


@pytest.mark.django_db
def test_a_task_is_published_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    row = email()
    with django_capture_on_commit_callbacks() as callbacks:
        queue.enqueue_on_commit(mark_done, row.pk)
        assert not is_done(row.pk)
    assert len(callbacks) == 1
    callbacks[0]()
    assert is_done(row.pk)
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_task_that_cannot_be_published_is_kept_with_its_arguments(
    broker_down, django_capture_on_commit_callbacks
):
    row = email()
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_on_commit(mark_done, row.pk)  # does not raise
    pending = PendingTask.objects.get()
    assert (pending.task_name, pending.args) == ("tests.portal.mark_done", [row.pk])
    assert "Connection refused" in pending.last_error
    assert pending.next_attempt_at <= timezone.now()


@pytest.mark.django_db
def test_the_caller_succeeds_even_when_the_task_cannot_be_kept_either(
    broker_down, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def database_gone(**fields):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(PendingTask.objects, "create", database_gone)
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_on_commit(mark_done, 1)
    assert "server closed the connection unexpectedly" in caplog.text


@pytest.mark.django_db
def test_work_with_its_own_record_is_not_kept_twice(broker_down):
    assert queue.publish(mark_done, 1, keep=False) is False
    assert not PendingTask.objects.exists()


def test_task_arguments_must_be_json_values():
    with pytest.raises(TypeError):
        queue.enqueue_on_commit(mark_done, object())


@pytest.mark.django_db
def test_due_kept_tasks_are_published_and_forgotten():
    row = email()
    PendingTask.objects.create(task_name=mark_done.name, args=[row.pk])
    later = PendingTask.objects.create(
        task_name=mark_done.name,
        args=[row.pk],
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    assert publish_pending_tasks() == 1
    assert is_done(row.pk)
    assert list(PendingTask.objects.all()) == [later]


@pytest.mark.django_db
def test_while_the_broker_stays_down_kept_tasks_wait_longer_each_time(broker_down):
    first = PendingTask.objects.create(task_name=mark_done.name, args=[1])
    second = PendingTask.objects.create(task_name=mark_done.name, args=[2], attempts=3)
    now = timezone.now()
    assert queue.publish_pending_tasks(now) == 0
    # The first failure shows the broker is down: the second is not tried but postponed too.
    assert broker_down.calls == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, first.next_attempt_at) == (1, now + datetime.timedelta(minutes=1))
    assert (second.attempts, second.next_attempt_at) == (4, now + datetime.timedelta(minutes=8))
    assert "Connection refused" in second.last_error
    assert queue.publish_pending_tasks(now + datetime.timedelta(seconds=59)) == 0
    assert broker_down.calls == 1


def test_every_scheduled_task_can_be_published():
    """Celery refuses to publish a task whose soft time limit exceeds its hard one."""
    from portal.celery import app

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        assert task.soft_time_limit <= task.time_limit, task.name


def test_the_pause_between_tries_doubles_up_to_a_cap():
    cap = datetime.timedelta(minutes=15)
    minutes = [queue.retry_delay(n, cap=cap) / datetime.timedelta(minutes=1) for n in range(1, 8)]
    assert minutes == [1, 2, 4, 8, 15, 15, 15]
    assert queue.retry_delay(10_000, cap=cap) == cap


@pytest.mark.django_db
def test_a_kept_task_whose_name_is_unknown_stays_for_the_programme_team_to_see():
    pending = PendingTask.objects.create(task_name="lokaal.tasks.removed", args=[1])
    assert publish_pending_tasks() == 0
    pending.refresh_from_db()
    assert pending.attempts == 1 and "Unknown task" in pending.last_error


def run_manage(*args):
    """A portal process whose broker is unreachable (nothing listens on port 9)."""
    db = connection.settings_dict
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_task_started_while_the_broker_is_down_runs_once_it_is_back(celery_worker):
    row = email()
    code = (
        "from django.db import transaction\n"
        "from portal.queue import enqueue_on_commit\n"
        "from tests.portal.test_queue import mark_done\n"
        "with transaction.atomic():\n"
        f"    enqueue_on_commit(mark_done, {row.pk})\n"
    )
    result = run_manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    pending = PendingTask.objects.get()
    assert pending.args == [row.pk] and not is_done(row.pk)

    # Beat's job, still without a broker: the task stays, to be tried again in a minute.
    PendingTask.objects.update(next_attempt_at=timezone.now())
    result = run_manage("publish_pending_tasks")
    assert result.returncode == 0, result.stderr
    assert "0 kept tasks published" in result.stdout
    pending.refresh_from_db()
    assert pending.attempts == 1 and pending.next_attempt_at > timezone.now()

    # The broker is back: beat's job publishes it and the real worker runs it.
    PendingTask.objects.update(next_attempt_at=timezone.now())
    assert publish_pending_tasks() == 1
    assert wait_for(lambda: is_done(row.pk))
    assert not PendingTask.objects.exists()
