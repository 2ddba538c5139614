"""The programme team's overview: figures on a known data set, constant queries, access."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lokaal import selectors
from lokaal.models import Case, Match
from partners.models import Municipality, Organisation
from tests.factories import (
    CaseFactory,
    MatchFactory,
    OrganisationFactory,
    ProgrammeYearFactory,
    RoomFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
URL = reverse("lokaal-overview")


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def case(created, statuses=(), *, responded_after=None, due_after=7, **fields):
    """A case created at `created` that went through `statuses` (after "new"), a day apart."""
    obj = CaseFactory(
        created_at=created,
        first_response_due=created.date() + datetime.timedelta(days=due_after),
        first_response_at=(
            created + datetime.timedelta(days=responded_after) if responded_after else None
        ),
        **fields,
    )
    previous = Case.Status.NEW
    for n, target in enumerate(statuses, start=1):
        obj.log_status(
            source=previous,
            target=target,
            by=None,
            note="",
            at=created + datetime.timedelta(days=n),
        )
        previous = target
    if statuses:
        # Arranging the history directly: the transitions themselves are tested elsewhere.
        Case.objects.filter(pk=obj.pk).update(status=statuses[-1])
        obj.refresh_from_db()
    return obj


@pytest.fixture
def known():
    S = Case.Status
    den_haag = Municipality.objects.create(name="Den Haag")
    delft = Municipality.objects.create(name="Delft")
    board = OrganisationFactory(name="Stichting Bestuur", municipality=den_haag)
    location = OrganisationFactory(
        name="Basisschool Locatie", kind=Organisation.Kind.SCHOOL_LOCATION, parent=board
    )
    other_board = OrganisationFactory(name="Ander Bestuur", municipality=delft)

    old = case(
        at(2025, 1, 10),
        target_sectors=["vo"],
        is_status_holder=True,
        programme_year=2025,
    )
    a = case(
        at(2026, 6, 1),
        [S.CONTACTED],
        responded_after=1,
        target_sectors=["po", "so"],
        origin_sector="hospitality",
        is_status_holder=True,
        programme_year=2026,
        funding_hit=old,
    )
    b = case(
        at(2026, 5, 10),
        [S.CONTACTED, S.ORIENTATION, S.ROUTE_ADVISED, S.MATCHED, S.PLACED],
        responded_after=3,
        target_sectors=["vo"],
    )
    case(
        at(2026, 5, 20),
        target_sectors=["mbo"],
        origin_sector="hospitality",
        programme_year=2026,
    )
    case(
        at(2026, 4, 1),
        [S.CONTACTED, S.WITHDRAWN],
        responded_after=5,
        due_after=2,
        target_sectors=["po"],
        is_demo=True,
    )
    ProgrammeYearFactory(year=2026, quota=1)

    room = RoomFactory(organisation=location, sector="po", places=3, municipality=den_haag)
    RoomFactory(
        organisation=other_board,
        sector="vo",
        places=2,
        municipality=delft,
        period_end=datetime.date(2026, 1, 31),
    )
    other_room = RoomFactory(organisation=other_board, sector="vo", places=1, municipality=delft)
    MatchFactory(case=b, room=room, status=Match.Status.ACCEPTED, decided_at=at(2026, 5, 30))
    MatchFactory(case=a, room=room)
    MatchFactory(case=old, room=other_room, status=Match.Status.ACCEPTED, decided_at=at(2025, 2, 1))


def test_intake_figures_cover_the_last_twelve_months(known):
    figures = selectors.overview_figures(today=TODAY)

    assert figures["period_start"] == datetime.date(2025, 7, 1)
    assert figures["intake"] == 4
    assert figures["demo"] == 1
    months = dict(figures["intake_per_month"])
    assert len(months) == 12
    assert months[datetime.date(2026, 6, 1)] == 1
    assert months[datetime.date(2026, 5, 1)] == 2
    assert months[datetime.date(2026, 4, 1)] == 1
    assert months[datetime.date(2025, 7, 1)] == 0
    sectors = {label: count for label, count, _ in figures["target_sectors"]}
    assert list(sectors.values()) == [2, 1, 1, 1]  # po, so, vo, mbo
    origins = {label: count for label, count, _ in figures["origin_sectors"]}
    assert origins["Hospitality"] == 2
    assert origins["Business services"] == 2
    assert sum(origins.values()) == 4


def test_conversion_counts_the_cases_that_reached_each_status(known):
    stages = {s["label"]: s for s in selectors.overview_figures(today=TODAY)["stages"]}

    assert stages["New"]["reached"] == 4
    assert stages["New"]["percent"] == 100
    assert stages["Contacted"]["reached"] == 3
    assert stages["Contacted"]["percent"] == 75
    assert stages["Placed"]["reached"] == 1
    assert stages["Withdrawn"]["reached"] == 1
    assert stages["Job shadowing"]["reached"] == 0
    # "Now" counts every case, the one from 2025 too.
    assert stages["New"]["current"] == 2


def test_response_times_and_overdue(known):
    figures = selectors.overview_figures(today=TODAY)

    assert figures["median_days_to_response"] == 3.0  # of 1, 3 and 5 days
    assert figures["responded"] == 3
    assert figures["responded_on_time"] == 2
    assert figures["overdue"] == 2  # the case of 20 May and the old one
    assert figures["open"] == 3


def test_median_of_an_even_number_is_the_mean_of_the_middle_two():
    case(at(2026, 6, 1), [Case.Status.CONTACTED], responded_after=1)
    case(at(2026, 6, 2), [Case.Status.CONTACTED], responded_after=2)

    assert selectors.overview_figures(today=TODAY)["median_days_to_response"] == 1.5


def test_placements_count_per_board_and_room_against_matches(known):
    figures = selectors.overview_figures(today=TODAY)

    # The location's placement counts for its board; the 2025 one is outside the period.
    assert figures["placements_per_board"] == [("Stichting Bestuur", 1)]
    per_sector = {row["label"]: row for row in figures["room_per_sector"]}
    assert set(per_sector) == {"Primary education (po)", "Secondary education (vo)"}
    po = per_sector["Primary education (po)"]
    assert (po["rooms"], po["places"], po["proposed"], po["accepted"], po["left"]) == (
        1,
        3,
        2,
        1,
        2,
    )
    vo = per_sector["Secondary education (vo)"]  # the closed room does not count
    assert (vo["rooms"], vo["places"], vo["accepted"], vo["left"]) == (1, 1, 1, 0)
    per_municipality = {row["label"]: row for row in figures["room_per_municipality"]}
    assert per_municipality["Den Haag"]["places"] == 3
    assert per_municipality["Delft"]["places"] == 1


def test_programme_count_against_the_quota_per_year(known):
    years = {row["year"]: row for row in selectors.overview_figures(today=TODAY)["programme_years"]}

    assert years[2026]["count"] == 2
    assert years[2026]["quota"] == 1
    assert years[2026]["over_quota"] is True
    assert years[2026]["registered"] == 1
    assert years[2026]["funding_hits"] == 1
    assert years[2025]["count"] == 1
    assert years[2025]["quota"] == 12  # no programme year row: the default
    assert years[2025]["over_quota"] is False


def test_page_shows_every_figure_in_a_table_with_a_caption(programme_client, known):
    response = programme_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<caption>") == html.count("<table>") == 9
    assert "Stichting Bestuur" in html
    assert "over the quota" in html


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


def _more_data(n):
    room = RoomFactory(sector="mbo", places=n)
    for i in range(n):
        created = timezone.now() - datetime.timedelta(days=3 * i)
        item = case(
            created,
            [Case.Status.CONTACTED, Case.Status.ROUTE_ADVISED, Case.Status.MATCHED],
            responded_after=1 + i % 4,
            target_sectors=["po", "vo"],
            is_status_holder=i % 2 == 0,
            programme_year=created.year,
        )
        MatchFactory(case=item, room=room, status=Match.Status.ACCEPTED, decided_at=created)


def test_query_count_does_not_grow_with_the_data(advisor_client):
    advisor_client.get(URL)  # the session's first request checks the second factor once
    _more_data(3)
    small = _queries(advisor_client)
    _more_data(40)
    large = _queries(advisor_client)
    assert len(large) == len(small)


def test_desk_roles_only(clients):
    expected = {
        "anonymous": 302,
        "programme_team": 200,
        "desk_advisor": 200,
        "partner_editor": 403,
        "partner_viewer": 403,
    }
    for role, status in expected.items():
        assert clients[role].get(URL).status_code == status, role
