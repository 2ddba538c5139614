"""The figure services: save as draft, submit, approve, reject, completeness, reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from monitoring.models import FigureStatusChange, FigureValue, Indicator, ReportingRound
from monitoring.services import figures as services
from portal.models import OutgoingEmail
from portal.workflow import TransitionNotAllowed
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = FigureValue.Status
CLOSES = datetime.date(2026, 6, 30)


@pytest.fixture
def round_():
    return ReportingRound.objects.create(
        year=2026, opens_on=datetime.date(2026, 3, 1), closes_on=CLOSES
    )


@pytest.fixture
def indicator():
    return Indicator.objects.create(
        code="teachers", name="Teachers", unit="persons", reporting_kinds=["school_board"]
    )


@pytest.fixture
def board():
    return OrganisationFactory(name="Stichting A")


def save(board, indicator, value, year=2026, **kwargs):
    return services.value_save(
        organisation=board, indicator=indicator, year=year, value=Decimal(value), by=None, **kwargs
    )


def test_value_save_creates_a_draft_with_its_first_history_row(board, indicator, round_):
    value = save(board, indicator, "10", round=round_)

    assert value.status == Status.DRAFT
    assert FigureStatusChange.objects.get(value=value).to_status == Status.DRAFT


def test_value_save_of_a_submitted_figure_puts_it_back_to_draft_and_keeps_history(board, indicator):
    value = save(board, indicator, "10")
    services.values_submit(values=FigureValue.objects.all(), by=None)

    save(board, indicator, "12")

    value.refresh_from_db()
    assert (value.value, value.status) == (12, Status.DRAFT)
    assert [h.value for h in value.history.order_by("history_date")][0] == 10


def test_value_save_refuses_out_of_bounds_and_unexplained_big_changes(board, indicator):
    with pytest.raises(ValidationError, match="negative"):
        save(board, indicator, "-1")
    save(board, indicator, "10", year=2025)
    with pytest.raises(ValidationError, match="comment"):
        save(board, indicator, "30")
    assert save(board, indicator, "30", comment="Fusie").value == 30


def test_values_submit_submits_only_drafts(board, indicator):
    save(board, indicator, "10")
    save(board, indicator, "11", year=2025)
    count = services.values_submit(values=FigureValue.objects.filter(year=2026), by=None)

    assert count == 1
    assert FigureValue.objects.get(year=2026).status == Status.SUBMITTED
    assert FigureValue.objects.get(year=2025).status == Status.DRAFT


def test_approve_and_reject_need_the_programme_team_and_a_reason(
    board, indicator, programme_user, editor_user
):
    save(board, indicator, "10")
    services.values_submit(values=FigureValue.objects.all(), by=None)
    value = FigureValue.objects.get()

    with pytest.raises(TransitionNotAllowed):
        services.value_approve(value=value, by=editor_user)
    with pytest.raises(ValidationError):
        services.value_reject(value=value, by=programme_user, reason=" ")

    services.value_reject(value=value, by=programme_user, reason="Telt dubbel")
    value.refresh_from_db()
    assert (value.status, value.rejection_reason) == (Status.REJECTED, "Telt dubbel")
    assert value.status_changes.first().note == "Telt dubbel"


def test_approve_moves_a_submitted_figure_to_approved(board, indicator, programme_user):
    save(board, indicator, "10")
    services.values_submit(values=FigureValue.objects.all(), by=None)
    value = FigureValue.objects.get()

    services.value_approve(value=value, by=programme_user)

    value.refresh_from_db()
    assert value.status == Status.APPROVED
    assert value.status_changes.first().changed_by == programme_user


def test_completeness_shows_missing_and_the_state_needing_most_attention(board, indicator, round_):
    other = OrganisationFactory(name="Stichting B")
    OrganisationFactory(name="Hogeschool", kind="hbo_institution")
    save(board, indicator, "1", sector="po")
    save(board, indicator, "2", sector="vo")
    services.values_submit(values=FigureValue.objects.filter(sector="vo"), by=None)

    result = services.round_completeness(round_)

    rows = {row["organisation"]: row for row in result["rows"]}
    assert set(rows) == {board, other}  # the hogeschool reports nothing asked
    assert rows[board]["cells"] == [Status.DRAFT]
    assert rows[other]["cells"] == [services.MISSING]
    assert result["totals"][services.MISSING] == 1
    assert result["complete"] == 0


def submitter_of(organisation, email):
    return MembershipFactory(
        user=UserFactory(email=email), organisation=organisation, topics=["figures_submitter"]
    ).user


@override_settings(MONITORING_REMINDER_DAYS=[14, 3])
def test_reminders_go_to_submitters_of_organisations_that_have_not_submitted_once_a_day(
    board, indicator, round_
):
    done = OrganisationFactory(name="Stichting Klaar")
    submitter_of(board, "a@example.org")
    submitter_of(done, "klaar@example.org")
    MembershipFactory(organisation=board, user=UserFactory(email="geen-topic@example.org"))
    save(done, indicator, "5")
    services.values_submit(values=FigureValue.objects.filter(organisation=done), by=None)
    day = CLOSES - datetime.timedelta(days=3)

    assert services.round_reminders_send(today=day - datetime.timedelta(days=1)) == 0
    assert services.round_reminders_send(today=day) == 1
    assert services.round_reminders_send(today=day) == 0

    email = OutgoingEmail.objects.get()
    assert email.to == "a@example.org"
    assert "Stichting A" in email.body_text
    assert "3 days" in email.subject
    round_.refresh_from_db()
    assert round_.reminder_sent_on == day


def test_the_reminder_task_calls_the_service(round_):
    from monitoring.tasks import send_round_reminders

    assert send_round_reminders.delay().get() == 0
