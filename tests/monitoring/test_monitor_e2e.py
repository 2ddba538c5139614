"""End to end: a real Celery worker on the real Redis makes the monitor started from the page,
and the PDF's text (read back with pdftotext) has the figures in it."""

import datetime
import re
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from monitoring import report
from monitoring.models import Monitor
from monitoring.tasks import fail_stuck_monitors
from tests.monitoring.test_monitor_services import pdf_text, report_data


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def finished(pk):
    return Monitor.objects.get(pk=pk).status in (Monitor.Status.DONE, Monitor.Status.FAILED)


def test_the_worker_makes_the_monitor_started_from_the_page(celery_worker, programme_client):
    report_data()

    response = programme_client.post(
        reverse("monitoring-monitor-list"), {"period": "2025-2026", "language": "en"}
    )
    assert response.status_code == 302
    monitor = Monitor.objects.get()
    assert response["Location"] == monitor.get_absolute_url()

    assert wait_for(lambda: finished(monitor.pk)), Monitor.objects.get(pk=monitor.pk).status
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE, monitor.error

    page = programme_client.get(monitor.get_absolute_url()).content.decode()
    assert monitor.checksum in page and 'http-equiv="refresh"' not in page
    download = programme_client.get(reverse("monitoring-monitor-download", args=[monitor.pk]))
    text = pdf_text(b"".join(download.streaming_content))

    # An activity's status and progress, an indicator's values and change, a suppressed
    # count, and "no data" for the desk, which had no cases.
    assert "1.1 Zij-instroomroute" in text
    # The activity's row: its lead (wrapped over lines), status and progress.
    assert re.search(r"1\.1 Zij-instroomroute ROC .{0,40}Running 40%", text)
    assert "Mondriaan" in text
    assert "10.5 14.0 +3.5 (+33%)" in text
    assert "All sectors <5 x 15" in text
    assert "The desk had no cases in this period: no data." in text


def test_a_failing_render_in_the_worker_marks_the_monitor_failed_with_the_reason(
    celery_worker, programme_client, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(report, "render", broken)

    programme_client.post(
        reverse("monitoring-monitor-list"), {"period": "2025-2026", "language": "en"}
    )
    monitor = Monitor.objects.get()

    assert wait_for(lambda: finished(monitor.pk))
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.FAILED
    assert "the printer is on fire" in monitor.error
    page = programme_client.get(monitor.get_absolute_url()).content.decode()
    assert "the printer is on fire" in page and "Try again" in page


def test_the_watchdog_task_fails_a_monitor_stuck_running(celery_worker):
    stuck = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        status=Monitor.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=2),
    )

    fail_stuck_monitors.delay()

    assert wait_for(lambda: finished(stuck.pk))
    stuck.refresh_from_db()
    assert stuck.status == Monitor.Status.FAILED
    # The worker writes the reason in the portal's language (Dutch), whatever the test asks.
    with translation.override(settings.LANGUAGE_CODE):
        expected = translation.gettext(
            "The report was still being made after %(minutes)s minutes (the time limit): "
            "the worker stopped or hung. Try again."
        ) % {"minutes": settings.MONITOR_TIME_LIMIT_SECONDS // 60}
    assert stuck.error == expected
