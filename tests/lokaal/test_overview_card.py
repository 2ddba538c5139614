"""The desk's dashboard cards: an advisor's own figures, the programme team's overview link."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lokaal import selectors
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")
LIST = reverse("lokaal-case-list")


@pytest.fixture
def cases(advisor_user):
    past = timezone.localdate() - datetime.timedelta(days=1)
    CaseFactory(assigned_to=advisor_user)
    CaseFactory(assigned_to=advisor_user, first_response_due=past)
    CaseFactory(assigned_to=advisor_user, status="withdrawn")  # closed: not counted
    CaseFactory()  # new, unassigned
    CaseFactory(first_response_due=past)  # new, unassigned, overdue
    CaseFactory(assigned_to=UserFactory(staff_role="desk_advisor"))  # someone else's


def test_card_figures_are_the_users_own(advisor_user, cases):
    assert selectors.desk_card(user=advisor_user) == {
        "my_open": 2,
        "my_overdue": 1,
        "unassigned_new": 2,
        "overdue": 2,
    }


def test_advisor_sees_the_card_with_links_to_the_filtered_lists(advisor_client, cases):
    html = advisor_client.get(DASHBOARD).content.decode()

    assert "2 open cases assigned to me" in html
    assert "1 of them is overdue for a first response" in html
    assert "2 new cases without an advisor" in html
    assert f'href="{LIST}?view=mine&amp;overdue=on"' in html
    assert f'href="{LIST}?view=all&amp;status=new&amp;advisor=none"' in html
    assert reverse("lokaal-overview") in html


def test_programme_team_sees_the_overview_card(programme_client, cases):
    html = programme_client.get(DASHBOARD).content.decode()

    assert "2 cases overdue for a first response" in html
    assert reverse("lokaal-overview") in html
    assert "assigned to me" not in html


def test_partners_see_no_desk_card(editor_client, cases):
    html = editor_client.get(DASHBOARD).content.decode()

    assert reverse("lokaal-overview") not in html
    assert "without an advisor" not in html
