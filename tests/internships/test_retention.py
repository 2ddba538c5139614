"""Retention of the internship reports: closed reports are anonymised after their period,
their messages, notes and attachments (with the files) deleted (internships/apps.py with
portal/retention.py)."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from internships import services
from internships.models import Attachment, InternalNote, Message, Report
from portal.crypto import private_storage
from portal.retention import purge_expired
from tests.factories import MessageFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_root(tmp_path, settings):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    return tmp_path


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def with_everything(report):
    """A message with an attachment, a note and an attachment of the report itself."""
    message = MessageFactory(report=report, body="Bericht 4471")
    InternalNote.objects.create(report=report, body="Notitie 4472")
    for attached_to in (message, None):
        upload = SimpleUploadedFile("bewijs.png", b"\x89PNG bewijs", content_type="image/png")
        upload.content_type_checked = "image/png"
        services._save_attachments(report, [upload], message=attached_to, now=timezone.now())
    return report


def closed_report(organisation, days_closed):
    return with_everything(
        ReportFactory(
            institution=organisation,
            routed_to=organisation,
            level="hbo",
            phase="application",
            grounds=["religion", "gender"],
            description="Wat er gebeurde 4473",
            place="Bedrijf 4474",
            ground_other="Grond 4475",
            anonymous=False,
            contact_name="Naam 4476",
            contact_email="adres4477@example.org",
            contact_phone="0600004478",
            occurred_on=datetime.date(2024, 5, 1),
            status=Report.Status.CLOSED,
            outcome="advice_given",
            created_at=ago(days_closed + 20),
            closed_at=ago(days_closed),
        )
    )


def files_in(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_the_storage_follows_the_overridden_private_root(private_root):
    assert private_storage().location == str(private_root)


def test_an_expired_closed_report_is_anonymised_and_its_files_deleted(
    organisation, private_root, django_capture_on_commit_callbacks
):
    days = settings.RETENTION_DAYS["internship_report"]
    expired = closed_report(organisation, days + 1)
    expired.log_status(
        source="received", target="closed", by=None, note="Gesproken met 4480", at=ago(days + 1)
    )
    assert len(files_in(private_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        report = purge_expired()
    assert not report.failures
    assert report["internship_report"] == 1

    expired = Report.objects.get(pk=expired.pk)
    assert expired.is_anonymised
    assert (
        expired.description,
        expired.place,
        expired.ground_other,
        expired.contact_name,
        expired.contact_email,
        expired.contact_phone,
        expired.occurred_on,
        expired.anonymous,
    ) == ("", "", "", "", "", "", None, True)
    # What is counted stays.
    assert (expired.level, expired.phase, expired.grounds, expired.institution_id) == (
        "hbo",
        "application",
        ["religion", "gender"],
        organisation.pk,
    )
    assert (expired.status, expired.outcome, expired.closed_at is not None) == (
        "closed",
        "advice_given",
        True,
    )
    for model in (Message, InternalNote, Attachment):
        assert not model.objects.filter(report=expired).exists()
    assert files_in(private_root) == []
    # The status changes stay, without the handler's free-text notes.
    assert expired.status_changes.count() == 2
    assert not expired.status_changes.exclude(note="").exists()
    # Its history keeps no personal data either.
    for row in Report.history.filter(id=expired.pk):
        assert not hasattr(row, "description") and not hasattr(row, "contact_email")

    # A second run finds nothing more to do.
    with django_capture_on_commit_callbacks(execute=True):
        again = purge_expired()
    assert again["internship_report"] == 0


def test_open_and_recently_closed_reports_are_untouched(
    organisation, private_root, django_capture_on_commit_callbacks
):
    days = settings.RETENTION_DAYS["internship_report"]
    recent = closed_report(organisation, days - 1)
    still_open = with_everything(
        ReportFactory(routed_to=organisation, created_at=ago(days + 100), description="Open 4479")
    )
    with django_capture_on_commit_callbacks(execute=True):
        purge_expired()
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert not recent.is_anonymised and recent.description == "Wat er gebeurde 4473"
    assert still_open.description == "Open 4479" and not still_open.is_anonymised
    for report in (recent, still_open):
        assert report.messages.count() == 1
        assert report.notes.count() == 1
        assert report.attachments.count() == 2
    assert len(files_in(private_root)) == 4


def test_a_reporter_withdrawing_consent_erases_the_report_at_once(
    organisation, private_root, django_capture_on_commit_callbacks
):
    report = with_everything(
        ReportFactory(
            routed_to=organisation,
            description="Wat er gebeurde 4481",
            anonymous=False,
            contact_email="adres4482@example.org",
        )
    )
    services.report_transition(
        report=report, to=Report.Status.IN_PROGRESS, by=None, note="Gebeld met 4483"
    )
    code = report.receipt_code
    with django_capture_on_commit_callbacks(execute=True):
        services.report_erase(report=report)

    report = Report.objects.get(pk=report.pk)
    assert report.is_anonymised
    assert (report.status, report.outcome) == ("closed", "withdrawn")
    assert (report.description, report.contact_email) == ("", "")
    assert not report.status_changes.exclude(note="").exists()
    for model in (Message, InternalNote, Attachment):
        assert not model.objects.filter(report=report).exists()
    assert files_in(private_root) == []
    # Its receipt code no longer opens anything.
    assert services.report_find_by_code(code) is None
