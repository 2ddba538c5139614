"""lokaal/matching.py: the open places ranked for a case, with the reasons, and the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lokaal import matching
from lokaal.models import Case, Match, Room
from partners.models import Municipality
from portal.models import AccessLog
from tests.factories import (
    CaseFactory,
    MatchFactory,
    OrganisationFactory,
    RoomFactory,
    ShortageSubjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    delft = Municipality.objects.create(name="Delft", in_region=True)
    den_haag = Municipality.objects.create(name="Den Haag", in_region=True)
    leiden = Municipality.objects.create(name="Leiden", in_region=False)
    return delft, den_haag, leiden


def codes(ranked):
    return [reason["code"] for reason in ranked.reasons]


def test_a_place_in_the_same_municipality_ranks_above_the_region_and_outside(places):
    delft, den_haag, leiden = places
    case = CaseFactory(municipality=delft, target_sectors=["vo"], hours_per_week=24)
    same = RoomFactory(municipality=delft)
    region = RoomFactory(municipality=den_haag)
    outside = RoomFactory(municipality=leiden)
    ranked = matching.rank_case(case)
    assert [r.place.pk for r in ranked] == [same.pk, region.pk, outside.pk]
    assert "municipality_same" in codes(ranked[0])
    assert "municipality_region" in codes(ranked[1])
    assert "municipality_outside" in codes(ranked[2])
    assert ranked[0].score - ranked[1].score == (
        matching.SAME_MUNICIPALITY_POINTS - matching.SAME_REGION_POINTS
    )


def test_the_sector_counts_most_and_each_reason_carries_its_points(places):
    delft, *_ = places
    case = CaseFactory(municipality=delft, target_sectors=["po"], hours_per_week=20)
    wanted = RoomFactory(sector="po", municipality=None, hours_per_week=None)
    RoomFactory(sector="vo", municipality=delft, hours_per_week=20)
    ranked = matching.rank_case(case)
    assert ranked[0].place.pk == wanted.pk
    assert ranked[0].reasons[0] == {"code": "sector", "points": 30, "params": {"sector": "po"}}
    assert ranked[1].reasons[0]["code"] == "sector_other"
    assert ranked[1].score == sum(reason["points"] for reason in ranked[1].reasons)
    texts = matching.describe(ranked[1].reasons)
    assert ("same municipality", 20) in texts
    assert ("20 hours a week offered, 20 wanted", 15) in texts


def test_a_subject_weighs_by_its_shortage(places):
    dutch = ShortageSubjectFactory(code="nederlands", name="Nederlands", shortage_fte=189)
    history = ShortageSubjectFactory(code="geschiedenis", name="Geschiedenis", shortage_fte=3)
    case = CaseFactory(target_sectors=["vo"])
    case.subjects.set([dutch, history])
    shortage = RoomFactory(subjects=[dutch])
    small = RoomFactory(subjects=[history])
    none = RoomFactory()
    ranked = matching.rank_case(case)
    assert [r.place.pk for r in ranked] == [shortage.pk, small.pk, none.pk]
    subject = next(r for r in ranked[0].reasons if r["code"] == "subject")
    assert subject["points"] == matching.SUBJECT_BASE_POINTS + matching.SUBJECT_SHORTAGE_POINTS
    assert subject["params"] == {"subject_id": dutch.pk, "fte": "189.0"}
    assert matching.describe([subject])[0] == ("subject Dutch (shortage 189.0 FTE)", 25)
    assert next(r for r in ranked[1].reasons if r["code"] == "subject")["points"] == 10
    assert "subject" not in codes(ranked[2])


def test_special_education_and_hours_add_to_the_score():
    case = CaseFactory(target_sectors=["so", "vo"], hours_per_week=32)
    special = RoomFactory(sector="so", special_education=True, hours_per_week=30)
    near = RoomFactory(sector="so", hours_per_week=26)
    far = RoomFactory(sector="so", hours_per_week=12)
    ranked = matching.rank_case(case)
    assert [r.place.pk for r in ranked] == [special.pk, near.pk, far.pk]
    assert "special_education" in codes(ranked[0])
    hours = {
        r.place.pk: next(x for x in r.reasons if x["code"] == "hours")["points"] for r in ranked
    }
    assert hours == {special.pk: 15, near.pk: 5, far.pk: 0}


def test_only_open_places_with_places_left_are_ranked():
    today = timezone.localdate()
    case = CaseFactory()
    open_room = RoomFactory(period_end=today)
    RoomFactory(
        period_start=today - datetime.timedelta(days=60),
        period_end=today - datetime.timedelta(days=1),
    )
    RoomFactory(active=False)
    full = RoomFactory(places=1)
    MatchFactory(room=full, status=Match.Status.ACCEPTED)
    half = RoomFactory(places=2)
    MatchFactory(room=half, status=Match.Status.ACCEPTED)
    ranked = matching.rank_case(case)
    assert {r.place.pk for r in ranked} == {open_room.pk, half.pk}


def test_ties_go_to_the_room_with_more_places_left():
    case = CaseFactory()
    few = RoomFactory(places=1)
    many = RoomFactory(places=5)
    assert [r.place.pk for r in matching.rank_case(case)] == [many.pk, few.pk]


def test_ranking_costs_the_same_queries_for_many_places(django_assert_max_num_queries):
    subject = ShortageSubjectFactory()
    case = Case.objects.prefetch_related("subjects").get(pk=CaseFactory().pk)
    case.subjects.set([subject])
    RoomFactory(subjects=[subject])

    def count():
        case_fresh = Case.objects.get(pk=case.pk)
        with CaptureQueriesContext(connection) as context:
            matching.rank_case(case_fresh)
        return len(context.captured_queries)

    few = count()
    organisation = OrganisationFactory()
    rooms = Room.objects.bulk_create(
        Room(organisation=organisation, sector="vo", places=1) for _ in range(200)
    )
    Room.subjects.through.objects.bulk_create(
        Room.subjects.through(room=room, shortagesubject=subject) for room in rooms
    )
    assert count() == few
    assert few <= 5


def test_every_score_is_the_sum_of_its_reasons_points():
    subjects = [ShortageSubjectFactory(shortage_fte=fte) for fte in (5, 50, 120)]
    candidate = matching.Candidate(
        target_sectors=frozenset({"so", "vo"}),
        subject_ids=frozenset(s.pk for s in subjects[:2]),
        municipality_id=1,
        in_region=True,
        hours_per_week=24,
    )
    places = [
        matching.Place(
            pk=n,
            sector=("po", "so", "vo", "mbo")[n % 4],
            subject_ids=frozenset(s.pk for s in subjects[: n % 4]),
            municipality_id=n % 3,
            in_region=bool(n % 2),
            special_education=bool(n % 5 == 0),
            hours_per_week=(None, 8, 20, 24, 30, 36)[n % 6],
            places_left=1 + n % 3,
        )
        for n in range(60)
    ]
    ranked = matching.rank(candidate, places, matching.shortage_weights(subjects))
    for r in ranked:
        assert r.score == sum(reason["points"] for reason in r.reasons)
        assert r.wanted_sector == (r.reasons[0]["code"] == "sector")
    scores = [(not r.wanted_sector, -r.score) for r in ranked]
    assert scores == sorted(scores)


def test_a_proposal_scores_one_room_as_the_ranking_does():
    subject = ShortageSubjectFactory(shortage_fte=50)
    case = CaseFactory(hours_per_week=20)
    case.subjects.set([subject])
    room = RoomFactory(subjects=[subject], hours_per_week=22)
    ranked = next(r for r in matching.rank_case(case) if r.place.pk == room.pk)
    single = matching.rank_room(case, room)
    assert (single.score, single.reasons) == (ranked.score, ranked.reasons)


# The page ---------------------------------------------------------------------------------


def test_the_advisor_sees_the_ranked_places_with_reasons_and_the_view_is_logged(
    advisor_client, places
):
    delft, *_ = places
    case = CaseFactory(municipality=delft, status=Case.Status.ROUTE_ADVISED)
    room = RoomFactory(
        municipality=delft, organisation=OrganisationFactory(name="Scholengroep Delft")
    )
    response = advisor_client.get(reverse("lokaal-case-matches", args=[case.pk]))
    assert response.status_code == 200
    assert response.context["places"][0]["room"] == room
    assert "same municipality" in response.content.decode()
    assert "Scholengroep Delft" in response.content.decode()
    assert AccessLog.objects.filter(object_id=str(case.pk), action="view_matches").exists()


def test_proposing_stores_score_and_reasons_and_matches_the_case(advisor_client, advisor_user):
    case = CaseFactory(status=Case.Status.ROUTE_ADVISED, assigned_to=advisor_user)
    room = RoomFactory()
    response = advisor_client.post(
        reverse("lokaal-case-matches", args=[case.pk]), {"room": room.pk}
    )
    assert response.status_code == 302
    match = Match.objects.get(case=case)
    assert match.room == room and match.proposed_by == advisor_user
    assert match.score == sum(reason["points"] for reason in match.explanation) > 0
    case.refresh_from_db()
    assert case.status == Case.Status.MATCHED
    assert match.status_changes.get().to_status == Match.Status.PROPOSED
    assert case.timeline.filter(kind="match", match=match).exists()


def test_a_case_too_early_in_the_pipeline_cannot_be_proposed(advisor_client):
    case = CaseFactory(status=Case.Status.CONTACTED)
    room = RoomFactory()
    response = advisor_client.post(
        reverse("lokaal-case-matches", args=[case.pk]), {"room": room.pk}, follow=True
    )
    assert response.status_code == 200
    assert "cannot change" in response.content.decode()
    assert not Match.objects.exists()


def test_a_closed_room_cannot_be_proposed(advisor_client):
    case = CaseFactory(status=Case.Status.ROUTE_ADVISED)
    room = RoomFactory(active=False)
    response = advisor_client.post(
        reverse("lokaal-case-matches", args=[case.pk]), {"room": room.pk}, follow=True
    )
    assert "no longer open" in response.content.decode()
    assert not Match.objects.exists()


def test_the_matches_page_is_for_the_desk_only(editor_client, programme_client):
    case = CaseFactory()
    url = reverse("lokaal-case-matches", args=[case.pk])
    assert editor_client.get(url).status_code == 403
    assert programme_client.get(url).status_code == 200
