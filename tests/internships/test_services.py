"""The internship reports' services: routing, notifications and reminders
(internships/services.py)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from internships import services
from internships.models import Report, receipt_code_hash
from portal.models import OutgoingEmail
from tests.factories import MembershipFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = "Op het sollicitatiegesprek vroeg men naar mijn geloof (geheim 6612)."


def report_data(**overrides):
    return {
        "reporter_role": "student",
        "institution": None,
        "level": "hbo",
        "phase": "application",
        "grounds": ["religion"],
        "ground_other": "",
        "description": DESCRIPTION,
        "occurred_on": datetime.date(2026, 10, 1),
        "place": "Reclamebureau Geheim",
        "wish": "advice",
        "anonymous": False,
        "contact_name": "Samira Voorbeeld",
        "contact_email": "samira@example.org",
        "contact_phone": "0612345678",
        **overrides,
    }


# Routing --------------------------------------------------------------------------------


def test_a_report_goes_to_an_institution_with_a_handler(organisation, handler_user):
    report, _code = services.report_submit(data=report_data(institution=organisation))
    assert report.routed_to == organisation


def test_an_editor_without_the_topic_is_not_a_handler(organisation, editor_user):
    report, _code = services.report_submit(data=report_data(institution=organisation))
    assert report.routed_to is None


def test_an_inactive_handler_does_not_count(organisation, handler_user):
    handler_user.is_active = False
    handler_user.save()
    report, _code = services.report_submit(data=report_data(institution=organisation))
    assert report.routed_to is None


def test_a_report_without_institution_goes_to_the_programme_team(handler_user):
    report, _code = services.report_submit(data=report_data(institution=None))
    assert report.routed_to is None


# Submitting ------------------------------------------------------------------------------


def test_submitting_keeps_only_the_codes_hash_and_sets_the_deadline(organisation, handler_user):
    monday = timezone.make_aware(datetime.datetime(2026, 11, 23, 10, 0))
    report, code = services.report_submit(
        data=report_data(institution=organisation), now=monday, language="en"
    )
    assert report.receipt_code_hash == receipt_code_hash(code)
    assert code not in str(Report.objects.filter(pk=report.pk).values().get())
    # Five working days after Monday 23 November: Monday 30 November.
    assert report.response_due == datetime.date(2026, 11, 30)
    assert (report.status, report.status_changes.get().to_status) == ("received", "received")


def test_the_handlers_are_told_of_a_new_report_without_its_text(
    organisation, handler_user, programme_user
):
    report, code = services.report_submit(data=report_data(institution=organisation))
    email = OutgoingEmail.objects.get()
    assert email.to == handler_user.email
    everything = email.subject + email.body_text + email.body_html
    assert report.reference in email.subject
    assert f"/stages/meldingen/{report.pk}/" in email.body_text
    for text in (
        DESCRIPTION,
        "6612",
        "Reclamebureau",
        "Samira",
        "samira@",
        "0612345678",
        code,
        "geloof",
        "Religion",
    ):
        assert text not in everything


def test_the_programme_team_is_told_of_a_report_without_handler(programme_user):
    services.report_submit(data=report_data(institution=None))
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [programme_user.email]


def test_an_anonymous_report_keeps_no_contact_details(organisation, handler_user):
    report, _code = services.report_submit(
        data=report_data(institution=organisation, anonymous=True)
    )
    report.refresh_from_db()
    assert (report.contact_name, report.contact_email, report.contact_phone) == ("", "", "")


def test_a_reporters_message_tells_the_handlers_without_its_text(organisation, handler_user):
    report = ReportFactory(routed_to=organisation)
    services.reporter_message_add(report=report, body="Nieuw feit 8830")
    email = OutgoingEmail.objects.get()
    assert email.to == handler_user.email
    assert "8830" not in email.subject + email.body_text + email.body_html
    assert report.reference in email.body_text


# Handling --------------------------------------------------------------------------------


def test_closing_needs_an_outcome(organisation, handler_user):
    from django.core.exceptions import ValidationError

    report = ReportFactory(routed_to=organisation)
    with pytest.raises(ValidationError):
        services.report_transition(report=report, to="closed", by=handler_user)
    report.refresh_from_db()
    assert report.status == "received"


def test_an_illegal_transition_is_refused_and_changes_nothing(organisation, handler_user):
    from portal.workflow import TransitionNotAllowed

    report = ReportFactory(routed_to=organisation, status="in_progress")
    with pytest.raises(TransitionNotAllowed):
        services.report_transition(report=report, to="received", by=handler_user)
    assert Report.objects.get().status == "in_progress"
    assert report.status_changes.count() == 1


def test_a_refused_close_leaves_no_outcome_behind(organisation, handler_user):
    from portal.workflow import TransitionNotAllowed

    report = ReportFactory(routed_to=organisation)
    outsider = MembershipFactory(user=UserFactory(), organisation=organisation).user
    with pytest.raises(TransitionNotAllowed):
        services.report_transition(report=report, to="closed", by=outsider, outcome="other")
    report.refresh_from_db()
    assert (report.status, report.outcome, report.closed_at) == ("received", "", None)


# Reminders -------------------------------------------------------------------------------


def overdue_report(organisation, days=2, **kwargs):
    return ReportFactory(
        routed_to=organisation,
        response_due=timezone.localdate() - datetime.timedelta(days=days),
        **kwargs,
    )


def test_reminders_mail_each_overdue_report_once_a_day(organisation, handler_user):
    report = overdue_report(organisation)
    overdue_report(organisation, first_response_at=timezone.now())
    ReportFactory(routed_to=organisation)
    assert services.reminders_send() == 1
    email = OutgoingEmail.objects.get()
    assert email.to == handler_user.email
    assert report.reference in email.subject
    assert report.description not in email.body_text + email.body_html
    # A second run the same day sends nothing.
    assert services.reminders_send() == 0
    assert OutgoingEmail.objects.count() == 1
    # The next day it is sent again.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert services.reminders_send(today=tomorrow) == 1
    assert OutgoingEmail.objects.count() == 2


def test_reminders_skip_closed_reports(organisation, handler_user):
    overdue_report(
        organisation,
        status="closed",
        outcome="other",
        created_at=timezone.now() - datetime.timedelta(days=20),
        closed_at=timezone.now(),
    )
    assert services.reminders_send() == 0


def test_the_reminder_command_sends_the_reminders(organisation, handler_user):
    overdue_report(organisation)
    call_command("send_internship_reminders", stdout=open("/dev/null", "w"))
    call_command("send_internship_reminders", stdout=open("/dev/null", "w"))
    assert OutgoingEmail.objects.count() == 1
