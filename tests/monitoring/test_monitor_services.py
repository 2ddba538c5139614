"""The biennial monitor: its content, the PDF, and the monitor's life (request, generate,
publish, the watchdog)."""

import datetime
import hashlib
import re
import subprocess
from decimal import Decimal

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from monitoring import report
from monitoring.models import (
    Activity,
    Agenda,
    FigureValue,
    Indicator,
    Monitor,
    ProgrammeLine,
    ProgressUpdate,
    ReportingRound,
)
from monitoring.services import monitors as services
from monitoring.tasks import generate_monitor
from tests.factories import CaseFactory, OrganisationFactory, ReportFactory

pytestmark = pytest.mark.django_db

APPROVED = FigureValue.Status.APPROVED


def pdf_text(pdf):
    """The PDF's text as pdftotext reads it, whitespace collapsed."""
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(result.stdout.decode().split())


def report_data():
    """An agenda with a running activity, an indicator of persons with a small count, an FTE
    indicator with a change against the previous period, and a round with one submitter; no
    desk cases and no internship reports (those parts have no data)."""
    lead = OrganisationFactory(name="ROC Mondriaan", kind="mbo_institution")
    OrganisationFactory(name="Haagse Hogeschool", kind="mbo_institution")
    agenda = Agenda.objects.create(
        name="Activiteitenplan 2025-2028", slug="plan", start_year=2025, end_year=2028
    )
    line = ProgrammeLine.objects.create(agenda=agenda, code="1", title="Meer leraren")
    activity = Activity.objects.create(
        line=line,
        code="1.1",
        title="Zij-instroomroute",
        status=Activity.Status.RUNNING,
        progress=40,
        lead=lead,
    )
    ProgressUpdate.objects.create(
        activity=activity, date=datetime.date(2026, 3, 1), text="Eerste cohort gestart."
    )
    persons = Indicator.objects.create(
        code="zij-instromers",
        name="Career switchers with subsidy",
        unit="persons",
        counts_persons=True,
        reporting_kinds=["mbo_institution"],
        source="DUS-I subsidy register",
    )
    fte = Indicator.objects.create(
        code="tekort-fte",
        name="Shortage of teachers",
        unit="FTE",
        decimals=1,
        aggregation=Indicator.Aggregation.LATEST,
    )
    Indicator.objects.create(code="leeg", name="Empty indicator", unit="persons")
    for ind, year, amount in [
        (persons, 2025, 3),
        (persons, 2026, 12),
        (fte, 2023, "10.5"),
        (fte, 2025, "12.0"),
        (fte, 2026, "14.0"),
    ]:
        FigureValue.objects.create(
            indicator=ind, year=year, value=Decimal(amount), organisation=lead, status=APPROVED
        )
    reporting_round = ReportingRound.objects.create(
        year=2026, opens_on=datetime.date(2026, 1, 1), closes_on=datetime.date(2026, 3, 1)
    )
    FigureValue.objects.filter(year=2026).update(round=reporting_round)
    return activity


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# The content -------------------------------------------------------------------------------


def test_report_shows_activities_indicators_changes_and_suppressed_counts():
    report_data()

    text = pdf_text(report.render(2025, 2026, "en").pdf)

    assert "Monitor 2025-2026" in text
    assert "1.1 Zij-instroomroute" in text
    # The activity's row: its lead (wrapped over lines), status and progress.
    assert re.search(r"1\.1 Zij-instroomroute ROC .{0,40}Running 40%", text)
    assert "Mondriaan" in text
    assert "1 Mar 2026: Eerste" in text and "cohort gestart." in text
    # The FTE shortage: 10.5 in 2023-2024, 14.0 now (the latest year), +3.5 (+33%).
    assert "10.5 14.0 +3.5 (+33%)" in text
    # 3 career switchers in 2025 show as "<5"; 12 would give it away with the total 15, and
    # so would the period's value.
    assert "Sector 2025 2026 Total All sectors <5 x 15" in text
    assert "2023-2024 2025-2026 Change no data x —" in text
    # Completeness: two organisations asked, one submitted.
    assert "2026 2 1 50%" in text
    assert "DUS-I subsidy register" in text


def test_report_says_no_data_for_missing_parts_and_never_fails():
    text = pdf_text(report.render(2025, 2026, "en").pdf)

    assert "No agenda runs during this period: no data." in text
    assert "No indicators are defined: no data." in text
    assert "No reporting round in this period: no data." in text
    assert "The desk had no cases in this period: no data." in text
    assert "No internship discrimination reports came in during this period: no data." in text


def test_indicator_without_values_says_no_data():
    report_data()

    sections = {s.indicator.code: s for s in report.indicator_sections(2025, 2026)}

    assert not sections["leeg"].has_data
    assert sections["leeg"].current is None and sections["leeg"].previous is None
    assert sections["leeg"].chart == ""
    assert sections["tekort-fte"].chart.startswith("<svg")
    # Hidden counts are gaps in a chart: both years of the persons indicator are hidden.
    assert sections["zij-instromers"].chart == ""
    assert sections["zij-instromers"].current == "x"


def test_report_includes_desk_funnel_and_internship_figures_suppressed():
    for _ in range(6):
        CaseFactory()
    ReportFactory()

    year = timezone.localdate().year
    text = pdf_text(report.render(year - 1, year, "en").pdf)

    desk = text[text.index("How far the career switchers got") :]
    desk = desk[: desk.index("Equal internship opportunities")]
    assert "Received 6" in desk
    # The funnel's later stages have fewer than 5 cases each.
    assert "<5" in desk
    # The one internship report: its phase and level table, every count hidden.
    assert "Reports by phase and level" in text
    assert "No internship discrimination reports came in" not in text


def test_url_fetcher_serves_static_files_and_refuses_everything_else():
    css = report.url_fetcher(f"{report.BASE_URL}static/pdf/monitor.css")
    assert b"@page" in css["string"]

    for url in [
        "https://example.org/static/pdf/monitor.css",
        f"{report.BASE_URL}media/secret.pdf",
        f"{report.BASE_URL}static/../portal/settings.py",
        "file:///etc/passwd",
    ]:
        with pytest.raises(report.FetchRefused):
            report.url_fetcher(url)


# The monitor's life ------------------------------------------------------------------------


def test_request_records_a_queued_monitor_and_starts_the_task_after_commit(
    django_capture_on_commit_callbacks, programme_user, monkeypatch
):
    started = []
    monkeypatch.setattr(generate_monitor, "apply_async", lambda args: started.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        monitor = services.monitor_request(
            start_year=2025, end_year=2026, by=programme_user, language="en"
        )
        assert started == []

    assert started == [(monitor.pk,)]
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.QUEUED
    assert monitor.parameters == {"period": "2025-2026", "language": "en", "source": "page"}
    assert monitor.requested_by == programme_user


def test_generate_stores_the_pdf_with_checksum_size_and_pages():
    report_data()
    monitor = Monitor.objects.create(start_year=2025, end_year=2026, language="en")

    services.monitor_generate(monitor.pk)

    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE
    assert monitor.progress == 100
    assert monitor.attempts == 1
    content = monitor.file.read()
    assert content.startswith(b"%PDF")
    assert monitor.checksum == hashlib.sha256(content).hexdigest()
    assert monitor.size == len(content)
    assert monitor.pages >= 8


def test_a_done_monitor_is_not_generated_again(monkeypatch):
    monitor = Monitor.objects.create(start_year=2025, end_year=2026, language="en")
    services.monitor_generate(monitor.pk)
    monitor.refresh_from_db()
    name, checksum = monitor.file.name, monitor.checksum

    def fail(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(report, "render", fail)
    services.monitor_generate(monitor.pk)

    monitor.refresh_from_db()
    assert (monitor.file.name, monitor.checksum, monitor.attempts) == (name, checksum, 1)


def test_a_failing_render_marks_the_monitor_failed_with_the_reason(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the template is broken")

    monkeypatch.setattr(report, "render", broken)
    monitor = Monitor.objects.create(start_year=2025, end_year=2026)

    services.monitor_generate(monitor.pk)

    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.FAILED
    assert "the template is broken" in monitor.error
    assert not monitor.file


def test_a_transient_error_is_raised_for_the_task_to_retry(monkeypatch):
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(report, "render", database_gone)
    monitor = Monitor.objects.create(start_year=2025, end_year=2026)

    with pytest.raises(OperationalError):
        services.monitor_generate(monitor.pk)

    assert Monitor.objects.get(pk=monitor.pk).status == Monitor.Status.RUNNING


def test_the_soft_time_limit_fails_the_monitor_with_the_limit_as_reason(monkeypatch):
    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(report, "render", too_slow)
    monitor = Monitor.objects.create(start_year=2025, end_year=2026)

    services.monitor_generate(monitor.pk)

    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.FAILED
    assert f"time limit of {settings.MONITOR_TIME_LIMIT_SECONDS} seconds" in monitor.error


def test_the_task_retries_transient_errors_and_is_re_run_when_its_worker_dies():
    assert generate_monitor.acks_late is True
    assert generate_monitor.reject_on_worker_lost is True
    assert OperationalError in generate_monitor.autoretry_for
    assert generate_monitor.max_retries == 3
    assert generate_monitor.time_limit == settings.MONITOR_TIME_LIMIT_SECONDS
    assert generate_monitor.soft_time_limit < generate_monitor.time_limit


def test_a_re_run_after_a_dead_worker_starts_over_and_gives_up_after_some_attempts():
    monitor = Monitor.objects.create(
        start_year=2025, end_year=2026, status=Monitor.Status.RUNNING, attempts=1
    )
    services.monitor_generate(monitor.pk)
    monitor.refresh_from_db()
    assert (monitor.status, monitor.attempts) == (Monitor.Status.DONE, 2)

    stuck = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        status=Monitor.Status.RUNNING,
        attempts=services.MAX_ATTEMPTS,
    )
    services.monitor_generate(stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == Monitor.Status.FAILED
    assert "Gave up after 3 attempts" in stuck.error


def test_publish_a_done_monitor_once_and_never_change_it(programme_user, monkeypatch):
    monitor = Monitor.objects.create(start_year=2025, end_year=2026)
    with pytest.raises(services.ValidationError, match="Only a finished monitor"):
        services.monitor_publish(monitor=monitor, by=programme_user)

    services.monitor_generate(monitor.pk)
    services.monitor_publish(monitor=monitor, by=programme_user)
    monitor.refresh_from_db()
    assert monitor.is_published
    checksum = monitor.checksum

    with pytest.raises(services.ValidationError, match="already published"):
        services.monitor_publish(monitor=monitor, by=programme_user)
    monkeypatch.setattr(report, "render", lambda *a, **k: pytest.fail("rendered again"))
    services.monitor_generate(monitor.pk)
    monitor.refresh_from_db()
    assert monitor.checksum == checksum


def test_the_watchdog_fails_monitors_running_or_queued_too_long():
    now = timezone.now()
    limit = services.time_limit()
    stuck = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        status=Monitor.Status.RUNNING,
        started_at=now - limit - datetime.timedelta(minutes=2),
    )
    busy = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        status=Monitor.Status.RUNNING,
        started_at=now - datetime.timedelta(minutes=1),
    )
    forgotten = Monitor.objects.create(
        start_year=2025,
        end_year=2026,
        requested_at=now - services.queued_limit() - datetime.timedelta(minutes=1),
    )
    waiting = Monitor.objects.create(start_year=2025, end_year=2026)

    assert services.monitors_fail_stuck(now) == 2

    statuses = {m.pk: m for m in Monitor.objects.all()}
    assert statuses[stuck.pk].status == Monitor.Status.FAILED
    assert "time limit" in statuses[stuck.pk].error
    assert statuses[forgotten.pk].status == Monitor.Status.FAILED
    assert "No worker started" in statuses[forgotten.pk].error
    assert statuses[busy.pk].status == Monitor.Status.RUNNING
    assert statuses[waiting.pk].status == Monitor.Status.QUEUED


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (datetime.date(2027, 1, 15), (2025, 2026)),
        (datetime.date(2028, 1, 15), (2025, 2026)),
        (datetime.date(2029, 1, 15), (2027, 2028)),
    ],
)
def test_the_last_complete_period_ends_in_an_even_year_before_this_one(today, period):
    assert services.last_complete_period(today) == period


def test_the_scheduled_monitor_is_requested_once(django_capture_on_commit_callbacks):
    today = datetime.date(2027, 1, 15)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.monitor_request_scheduled(today)

    assert (first.start_year, first.end_year, first.requested_by) == (2025, 2026, None)
    assert Monitor.objects.get(pk=first.pk).status == Monitor.Status.DONE
    assert services.monitor_request_scheduled(today) is None
    assert Monitor.objects.count() == 1


def test_areas_of_several_sectors_are_not_added_up_for_the_comparison():
    ind = Indicator.objects.create(
        code="regio", name="Per region", unit="persons", counts_persons=True
    )
    for sector, amount in [("po", 40), ("vo", 50)]:
        FigureValue.objects.create(
            indicator=ind, year=2025, value=amount, area="Utrecht", sector=sector, status=APPROVED
        )

    (section,) = report.indicator_sections(2025, 2026)

    assert section.has_data and not section.comparable
    text = pdf_text(report.render(2025, 2026, "en").pdf)
    assert "no single figure to compare with the previous period" in text
    assert "per area (PO)" in text and "per area (VO)" in text


def test_an_agenda_that_is_not_public_is_left_out_of_the_monitor():
    activity = report_data()
    Agenda.objects.filter(pk=activity.line.agenda_id).update(is_public=False)

    assert report.agenda_sections(2025, 2026) == []
