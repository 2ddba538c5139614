"""The outbox's retry schedule: back off over hours, fail only after a day, send again."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal import mail as outbox
from portal.models import OutgoingEmail, PendingTask
from portal.tasks import flush_outbox

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def smtp_down(settings):
    """Mail goes to a port where nothing listens: every attempt is refused at once."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    return settings


def queue(django_capture_on_commit_callbacks, to="a@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        return outbox.queue_message(to=to, subject="Uitnodiging", body_text="Welkom")


@pytest.mark.django_db
def test_each_failed_attempt_waits_twice_as_long_up_to_two_hours(
    smtp_down, django_capture_on_commit_callbacks
):
    pauses = []
    with time_machine.travel(START, tick=False) as traveller:
        email = queue(django_capture_on_commit_callbacks)
        for _ in range(9):
            email.refresh_from_db()
            pauses.append((email.next_attempt_at - timezone.now()) / datetime.timedelta(minutes=1))
            traveller.move_to(email.next_attempt_at)
            assert flush_outbox() == 1
    assert pauses == [1, 2, 4, 8, 16, 32, 64, 120, 120]
    email.refresh_from_db()
    assert email.attempts == 10 and email.status == OutgoingEmail.Status.PENDING
    assert "Connection refused" in email.last_error


@pytest.mark.django_db
def test_a_ten_minute_smtp_outage_loses_nothing_and_sends_once(
    smtp_down, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as traveller:
        email = queue(django_capture_on_commit_callbacks)
        statuses = set()
        for minute in range(1, 61):
            traveller.shift(datetime.timedelta(minutes=1))
            if minute == 10:
                smtp_down.EMAIL_BACKEND = LOCMEM  # the mail server is back
            flush_outbox()  # what beat runs every minute
            email.refresh_from_db()
            statuses.add(email.status)
    assert email.status == OutgoingEmail.Status.SENT
    assert OutgoingEmail.Status.FAILED not in statuses
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    # Failed at 0, 1, 3 and 7 minutes; the next try, at 15 minutes, went out.
    assert email.attempts == 5
    assert email.sent_at == START + datetime.timedelta(minutes=15)


@pytest.mark.django_db
def test_a_mail_that_keeps_failing_for_a_day_is_marked_failed(
    smtp_down, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as traveller:
        email = queue(django_capture_on_commit_callbacks)
        while email.status == OutgoingEmail.Status.PENDING:
            traveller.move_to(email.next_attempt_at)
            flush_outbox()
            email.refresh_from_db()
        assert timezone.now() - email.created_at >= datetime.timedelta(hours=24)
        assert timezone.now() - email.created_at < datetime.timedelta(hours=26)
    assert email.status == OutgoingEmail.Status.FAILED
    assert "Connection refused" in email.last_error
    # A failed mail is not published again by beat.
    assert flush_outbox() == 0


@pytest.mark.django_db
def test_the_day_before_giving_up_is_a_setting(smtp_down, django_capture_on_commit_callbacks):
    smtp_down.OUTBOX_GIVE_UP_AFTER_HOURS = 1
    with time_machine.travel(START, tick=False) as traveller:
        email = queue(django_capture_on_commit_callbacks)
        traveller.shift(datetime.timedelta(minutes=61))
        flush_outbox()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED and email.attempts == 2


@pytest.mark.django_db
def test_flush_publishes_only_due_mail_and_not_twice_while_it_is_queued(monkeypatch):
    published = []
    monkeypatch.setattr(outbox, "publish", lambda task, pk, keep: published.append(pk) or True)
    now = timezone.now()
    due = OutgoingEmail.objects.create(
        to="d@example.org", subject="s", body_text="b", next_attempt_at=now
    )
    later = OutgoingEmail.objects.create(
        to="l@example.org",
        subject="s",
        body_text="b",
        next_attempt_at=now + datetime.timedelta(days=1),
    )
    OutgoingEmail.objects.create(
        to="s@example.org", subject="s", body_text="b", status=OutgoingEmail.Status.SENT
    )

    assert flush_outbox() == 1 and published == [due.pk]
    due.refresh_from_db()
    assert due.next_attempt_at >= now + outbox.LEASE
    # Still queued (no worker has taken it): the next run leaves it alone ...
    assert flush_outbox() == 0 and published == [due.pk]
    # ... until the lease has passed without the worker having recorded anything.
    with time_machine.travel(now + outbox.LEASE + datetime.timedelta(seconds=1)):
        assert flush_outbox() == 1 and published == [due.pk, due.pk]
    assert later.pk not in published


def test_with_the_broker_down_flush_keeps_the_mail_leased_and_keeps_no_task(transactional_db):
    email = OutgoingEmail.objects.create(to="b@example.org", subject="s", body_text="b")
    db = connection.settings_dict
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "flush_outbox"],
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",  # nothing listens there
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "0 e-mails published" in result.stdout
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.PENDING and email.attempts == 0
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(minutes=4)
    assert not PendingTask.objects.exists()


@pytest.fixture
def admin_client(programme_user, programme_client):
    """The programme team in the admin; its model permissions come with is_superuser."""
    programme_user.is_superuser = True
    programme_user.save()
    return programme_client


def test_the_programme_team_can_send_failed_mail_again(
    admin_client, django_capture_on_commit_callbacks
):
    failed = OutgoingEmail.objects.create(
        to="f@example.org",
        subject="s",
        body_text="b",
        status=OutgoingEmail.Status.FAILED,
        attempts=12,
        created_at=timezone.now() - datetime.timedelta(days=2),
        last_error="ConnectionRefusedError(111)",
    )
    sent = OutgoingEmail.objects.create(
        to="s@example.org", subject="s", body_text="b", status=OutgoingEmail.Status.SENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:portal_outgoingemail_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 e-mail will be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["f@example.org"]]  # the sent one not again


@pytest.mark.django_db
def test_a_requeued_mail_that_fails_again_after_its_day_is_failed_again_with_the_new_error(
    smtp_down, django_capture_on_commit_callbacks
):
    failed = OutgoingEmail.objects.create(
        to="f@example.org",
        subject="s",
        body_text="b",
        status=OutgoingEmail.Status.FAILED,
        created_at=timezone.now() - datetime.timedelta(days=2),
        last_error="old error",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue(OutgoingEmail.objects.filter(pk=failed.pk)) == 1
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.FAILED
    assert "Connection refused" in failed.last_error


@pytest.mark.django_db
def test_partner_users_cannot_send_mail_again(editor_client):
    email = OutgoingEmail.objects.create(
        to="f@example.org", subject="s", body_text="b", status=OutgoingEmail.Status.FAILED
    )
    response = editor_client.post(
        reverse("admin:portal_outgoingemail_changelist"),
        {"action": "send_again", "_selected_action": [email.pk]},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
