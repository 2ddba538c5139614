"""The monitor pages: the programme team starts, follows, downloads and publishes a monitor;
the public downloads published ones only."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Monitor
from monitoring.tasks import generate_monitor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 test"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def done_monitor(**kwargs):
    monitor = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        status=Monitor.Status.DONE,
        progress=100,
        checksum="ab" * 32,
        size=len(PDF),
        pages=12,
        **kwargs,
    )
    monitor.file.save("m.pdf", ContentFile(PDF))
    return monitor


def test_the_start_post_records_the_monitor_and_redirects_at_once(
    programme_client, monkeypatch, django_capture_on_commit_callbacks
):
    started = []
    monkeypatch.setattr(generate_monitor, "apply_async", lambda args: started.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        response = programme_client.post(
            reverse("monitoring-monitor-list"), {"period": "2025-2026", "language": "en"}
        )

    monitor = Monitor.objects.get()
    assert response.status_code == 302
    assert response["Location"] == monitor.get_absolute_url()
    assert (monitor.start_year, monitor.end_year, monitor.language) == (2025, 2026, "en")
    assert monitor.status == Monitor.Status.QUEUED
    # The request only queued it: the task is published after the commit, and the PDF is
    # made by a worker (the latency is measured in benchmarks/bench_monitoring_monitor.py).
    assert started == [(monitor.pk,)]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025", "Enter the period as two years in a row"),
        ("2024-2026", "A monitor covers two years in a row"),
        ("2199-2200", "Choose a period that has started"),
    ],
)
def test_a_wrong_period_is_refused_with_a_message(programme_client, period, message):
    response = programme_client.post(
        reverse("monitoring-monitor-list"), {"period": period, "language": "nl"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#id_period"' in response.content.decode()
    assert not Monitor.objects.exists()


def test_the_list_offers_the_last_complete_period_and_lists_monitors(programme_client):
    done_monitor()

    response = programme_client.get(reverse("monitoring-monitor-list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="period"' in page
    assert "Done" in page and "2025-2026" in page


def test_a_queued_or_running_monitor_page_refreshes_itself_and_shows_progress(
    programme_client,
):
    monitor = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        status=Monitor.Status.RUNNING,
        progress=45,
        started_at=timezone.now(),
    )

    page = programme_client.get(monitor.get_absolute_url()).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'value="45"' in page and "45%" in page
    assert "<script" not in page.split("</head>")[0].split("refresh")[1]
    assert 'href="?auto=0"' in page


def test_the_self_refresh_can_be_turned_off(programme_client):
    monitor = Monitor.objects.create(start_year=2025, end_year=2026)

    page = programme_client.get(monitor.get_absolute_url() + "?auto=0").content.decode()

    assert 'http-equiv="refresh"' not in page
    assert "Queued" in page
    assert f'href="{monitor.get_absolute_url()}"' in page


def test_a_done_monitor_page_offers_download_checksum_and_publish(programme_client):
    monitor = done_monitor()

    page = programme_client.get(monitor.get_absolute_url()).content.decode()

    assert 'http-equiv="refresh"' not in page
    assert reverse("monitoring-monitor-download", args=[monitor.pk]) in page
    assert "ab" * 32 in page
    assert reverse("monitoring-monitor-publish", args=[monitor.pk]) in page


def test_a_failed_monitor_page_shows_the_reason_and_try_again(programme_client):
    monitor = Monitor.objects.create(
        start_year=2025, end_year=2026, status=Monitor.Status.FAILED, error="Het ging mis."
    )

    page = programme_client.get(monitor.get_absolute_url()).content.decode()

    assert 'http-equiv="refresh"' not in page
    assert "Het ging mis." in page
    assert "Try again" in page


def test_try_again_makes_a_new_monitor_and_keeps_the_failed_one(programme_client):
    failed = Monitor.objects.create(start_year=2025, end_year=2026, status=Monitor.Status.FAILED)

    programme_client.post(
        reverse("monitoring-monitor-list"), {"period": "2025-2026", "language": "nl"}
    )

    assert Monitor.objects.count() == 2
    assert Monitor.objects.get(pk=failed.pk).status == Monitor.Status.FAILED


def test_the_team_downloads_a_done_monitor(programme_client):
    monitor = done_monitor()

    response = programme_client.get(reverse("monitoring-monitor-download", args=[monitor.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "monitor-2025-2026.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_an_unfinished_monitor_has_no_download(programme_client):
    monitor = Monitor.objects.create(start_year=2025, end_year=2026)

    response = programme_client.get(reverse("monitoring-monitor-download", args=[monitor.pk]))

    assert response.status_code == 404


def test_publish_puts_the_monitor_on_the_public_page_once(programme_client, client):
    monitor = done_monitor()
    public = reverse("monitoring-public-monitor", args=[monitor.pk])
    assert client.get(public).status_code == 404
    assert (
        "No monitor has been published yet."
        in client.get(reverse("monitoring-public-monitors")).content.decode()
    )

    response = programme_client.post(
        reverse("monitoring-monitor-publish", args=[monitor.pk]), follow=True
    )
    assert "The monitor is published" in response.content.decode()

    page = client.get(reverse("monitoring-public-monitors")).content.decode()
    assert public in page
    download = client.get(public)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    again = programme_client.post(
        reverse("monitoring-monitor-publish", args=[monitor.pk]), follow=True
    )
    assert "already published" in again.content.decode()


def test_publish_is_a_post(programme_client):
    monitor = done_monitor()

    response = programme_client.get(reverse("monitoring-monitor-publish", args=[monitor.pk]))

    assert response.status_code == 405
    assert not Monitor.objects.get(pk=monitor.pk).is_published


def test_the_monitor_pages_are_for_the_programme_team_only(editor_client, client):
    monitor = done_monitor()
    for url in [
        reverse("monitoring-monitor-list"),
        monitor.get_absolute_url(),
        reverse("monitoring-monitor-download", args=[monitor.pk]),
    ]:
        assert editor_client.get(url).status_code == 403
        assert client.get(url).status_code in (302, 403)


def test_the_team_dashboard_shows_the_latest_monitor(programme_client):
    done_monitor()

    page = programme_client.get(reverse("dashboard")).content.decode()

    assert "Monitor 2025-2026" in page
