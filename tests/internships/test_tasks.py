"""The internship reports' background task (internships/tasks.py)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from internships.tasks import send_reminders
from portal.models import OutgoingEmail
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_the_reminder_task_runs_through_celery_and_sends_once(organisation, handler_user):
    report = ReportFactory(
        routed_to=organisation, response_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    result = send_reminders.delay()
    assert result.get(timeout=10) == 1
    assert send_reminders.delay().get(timeout=10) == 0
    email = OutgoingEmail.objects.get()
    assert (email.to, report.reference in email.subject) == (handler_user.email, True)


def test_the_reminder_task_is_scheduled_and_safe_to_redeliver():
    entry = settings.CELERY_BEAT_SCHEDULE["internships-send-reminders"]
    assert entry["task"] == send_reminders.name == "internships.tasks.send_reminders"
    assert send_reminders.acks_late
    assert send_reminders.time_limit
