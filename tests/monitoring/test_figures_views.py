"""The yearly figures' pages: who may open them, the forms, the review and my figures."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import FigureValue, Indicator, ReportingRound
from portal import workflow
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = FigureValue.Status
TEAM_PAGES = [
    ("monitoring-indicator-list", []),
    ("monitoring-indicator-create", []),
    ("monitoring-round-list", []),
    ("monitoring-round-create", []),
    ("monitoring-value-list", []),
]


@pytest.fixture
def indicator():
    return Indicator.objects.create(
        code="teachers", name="Teachers", unit="persons", reporting_kinds=["school_board"]
    )


@pytest.fixture
def open_round(indicator):
    today = timezone.localdate()
    return ReportingRound.objects.create(
        year=today.year,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def board():
    return OrganisationFactory(name="Stichting Eigen")


@pytest.fixture
def submitter_client(board):
    user = MembershipFactory(
        user=UserFactory(email="cijfers@example.org"),
        organisation=board,
        topics=["figures_submitter"],
    ).user
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def figure(organisation, indicator, year, status=Status.SUBMITTED, value=10):
    return workflow.create(
        FigureValue(
            organisation=organisation, indicator=indicator, year=year, value=value, status=status
        ),
        by=None,
    )


@pytest.mark.parametrize(("name", "args"), TEAM_PAGES)
def test_the_programme_teams_pages_are_theirs_only(clients, name, args):
    url = reverse(name, args=args)
    assert clients["programme_team"].get(url).status_code == 200
    assert clients["partner_editor"].get(url).status_code == 403
    assert clients["anonymous"].get(url).status_code == 302


def test_an_indicator_is_created_with_its_reporting_kinds(programme_client):
    response = programme_client.post(
        reverse("monitoring-indicator-create"),
        {
            "code": "Vacatures",
            "name_nl": "Vacatures",
            "name_en": "Vacancies",
            "unit_nl": "fte",
            "unit_en": "FTE",
            "reporting_kinds": ["school_board"],
            "aggregation": "sum",
            "decimals": 1,
            "min_value": "5",
            "max_value": "1",
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "The highest value must not be below the lowest." in response.content.decode()

    response = programme_client.post(
        reverse("monitoring-indicator-create"),
        {
            "code": "Vacatures",
            "name_nl": "Vacatures",
            "name_en": "Vacancies",
            "unit_nl": "fte",
            "unit_en": "FTE",
            "reporting_kinds": ["school_board"],
            "aggregation": "sum",
            "decimals": 1,
            "position": 0,
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.code, indicator.reporting_kinds) == ("vacatures", ["school_board"])
    assert (indicator.name_nl, indicator.name_en) == ("Vacatures", "Vacancies")


def test_a_round_is_created_and_its_page_shows_completeness(programme_client, indicator, board):
    response = programme_client.post(
        reverse("monitoring-round-create"),
        {
            "year": 2031,
            "opens_on": "2031-03-01",
            "closes_on": "2031-06-30",
            "indicators": [indicator.pk],
        },
    )
    assert response.status_code == 302
    done = OrganisationFactory(name="Stichting Klaar")
    figure(done, indicator, 2031, Status.APPROVED)

    page = programme_client.get(reverse("monitoring-round-detail", args=[2031]))

    rows = {row["organisation"]: row for row in page.context["completeness"]["rows"]}
    assert rows[board]["cells"] == ["missing"]
    assert rows[done]["complete"]
    content = page.content.decode()
    assert "Stichting Eigen" in content
    assert reverse("import-template", args=["monitoring-figures", "xlsx"]) in content


def test_a_round_closing_before_it_opens_is_refused(programme_client):
    response = programme_client.post(
        reverse("monitoring-round-create"),
        {"year": 2031, "opens_on": "2031-06-01", "closes_on": "2031-03-01"},
    )
    assert "The round must close on or after the day it opens." in response.content.decode()


def test_the_value_list_filters_by_status(programme_client, indicator, board):
    figure(board, indicator, 2030, Status.SUBMITTED)
    figure(board, indicator, 2029, Status.APPROVED)

    page = programme_client.get(reverse("monitoring-value-list"), {"status": "submitted"})

    assert [v.year for v in page.context["page"]] == [2030]


def test_the_programme_team_approves_selected_figures(programme_client, indicator, board):
    values = [figure(board, indicator, year) for year in (2029, 2030)]

    response = programme_client.post(
        reverse("monitoring-value-review"),
        {"values": [v.pk for v in values], "action": "approve"},
    )

    assert response.status_code == 302
    assert set(FigureValue.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_a_rejection_needs_a_reason_which_the_submitter_then_sees(
    programme_client, submitter_client, indicator, board, open_round
):
    value = figure(board, indicator, open_round.year)
    url = reverse("monitoring-value-review")

    refused = programme_client.post(url, {"values": [value.pk], "action": "reject"})
    assert refused.status_code == 400
    assert "Give the reason for the rejection." in refused.content.decode()

    programme_client.post(url, {"values": [value.pk], "action": "reject", "reason": "Te hoog"})
    value.refresh_from_db()
    assert value.status == Status.REJECTED

    page = submitter_client.get(reverse("monitoring-my-figures"))
    assert "Te hoog" in page.content.decode()


def test_an_approved_figure_cannot_be_reviewed_again(programme_client, indicator, board):
    value = figure(board, indicator, 2030, Status.APPROVED)

    response = programme_client.post(
        reverse("monitoring-value-review"),
        {"values": [value.pk], "action": "reject", "reason": "x"},
    )

    assert response.status_code == 400


def test_a_partner_may_not_review(submitter_client, indicator, board):
    value = figure(board, indicator, 2030)

    response = submitter_client.post(
        reverse("monitoring-value-review"), {"values": [value.pk], "action": "approve"}
    )

    assert response.status_code == 403


def test_my_figures_shows_only_my_organisations_figures_of_the_open_round(
    submitter_client, indicator, board, open_round
):
    figure(board, indicator, open_round.year, value=42)
    figure(OrganisationFactory(name="Stichting Vreemd"), indicator, open_round.year)

    page = submitter_client.get(reverse("monitoring-my-figures"))

    content = page.content.decode()
    assert [v.organisation for v in page.context["values"]] == [board]
    assert "Stichting Vreemd" not in content
    assert reverse("import-upload", args=["monitoring-figures"]) in content


def test_my_figures_submits_drafts(submitter_client, indicator, board, open_round):
    value = figure(board, indicator, open_round.year, Status.DRAFT)

    response = submitter_client.post(reverse("monitoring-my-figures-submit"))

    assert response.status_code == 302
    value.refresh_from_db()
    assert value.status == Status.SUBMITTED


def test_my_figures_needs_the_submitter_topic(editor_client):
    assert editor_client.get(reverse("monitoring-my-figures")).status_code == 403


def test_the_dashboard_cards(submitter_client, programme_client, indicator, board, open_round):
    figure(board, indicator, open_round.year, Status.SUBMITTED)

    team = programme_client.get(reverse("dashboard")).content.decode()
    mine = submitter_client.get(reverse("dashboard")).content.decode()

    assert "1 figure awaiting approval" in team
    assert "0 of 1 organisations complete" not in team  # submitted counts as complete
    assert "No figures missing." in mine


def test_the_audit_trail_lists_figure_changes(programme_client, indicator, board):
    value = figure(board, indicator, 2030, value=10)
    value.value = 12
    value.save()

    page = programme_client.get(reverse("audit-trail")).content.decode()

    assert "Stichting Eigen teachers 2030" in page
