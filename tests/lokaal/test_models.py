import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lokaal import services
from lokaal.models import Case, Match, Room
from partners.models import Municipality
from portal.workflow import StatusChangeRefused, TransitionNotAllowed, transition
from tests.factories import (
    CaseFactory,
    MatchFactory,
    MembershipFactory,
    OrganisationFactory,
    RoomFactory,
    ShadowingSlotFactory,
)

pytestmark = pytest.mark.django_db

S = Case.Status
OPEN = [S.NEW, S.CONTACTED, S.ORIENTATION, S.SHADOWING, S.ROUTE_ADVISED, S.MATCHED, S.ON_HOLD]

ALLOWED_CASE_CHANGES = [
    (source, target) for source in Case.Status for target in Case.workflow.targets(source)
]


@pytest.mark.parametrize(("source", "target"), ALLOWED_CASE_CHANGES)
def test_every_allowed_case_change_is_made_and_recorded(source, target, advisor_user):
    case = CaseFactory(status=source)
    change = services.case_transition(case=case, to=target, by=advisor_user, note="ok")
    case.refresh_from_db()
    assert case.status == target
    assert (change.from_status, change.to_status, change.changed_by) == (
        source,
        target,
        advisor_user,
    )


def test_the_table_has_the_forward_path_holds_and_closings():
    workflow = Case.workflow
    for source, target in zip(Case.PIPELINE, Case.PIPELINE[1:], strict=False):
        assert workflow.can(source, target)
    for status in OPEN:
        assert workflow.can(status, S.WITHDRAWN)
        assert workflow.can(status, S.NOT_SUITABLE)
        if status != S.ON_HOLD:
            assert workflow.can(status, S.ON_HOLD)
            assert status == S.NEW or workflow.can(S.ON_HOLD, status)
    assert [s for s in Case.Status if workflow.can(s, S.PLACED)] == [S.MATCHED]
    for closed in Case.CLOSED_STATUSES:
        assert workflow.targets(closed) == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.NEW, S.PLACED),
        (S.NEW, S.MATCHED),
        (S.CONTACTED, S.PLACED),
        (S.ROUTE_ADVISED, S.PLACED),
        (S.PLACED, S.CONTACTED),
        (S.WITHDRAWN, S.NEW),
        (S.NOT_SUITABLE, S.ON_HOLD),
        (S.ON_HOLD, S.NEW),
    ],
)
def test_a_change_outside_the_table_is_refused_with_a_message(source, target, advisor_user):
    case = CaseFactory(status=source)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_transition(case=case, to=target, by=advisor_user)
    assert refused.value.code == "transition_not_allowed"
    assert re.match(r"The status cannot change from “.+” to “.+”\.", refused.value.message)
    case.refresh_from_db()
    assert case.status == source
    assert case.status_changes.count() == 1


def test_only_desk_roles_may_change_a_case(programme_user, editor_user):
    case = CaseFactory()
    services.case_transition(case=case, to=S.CONTACTED, by=programme_user)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_transition(case=case, to=S.ORIENTATION, by=editor_user)
    assert refused.value.code == "transition_not_permitted"
    assert "You may not change the status" in refused.value.message


def test_a_case_status_cannot_be_saved_past_the_workflow():
    case = CaseFactory()
    case.status = S.PLACED
    with pytest.raises(StatusChangeRefused):
        case.save()


def test_the_reference_carries_the_year_and_the_id():
    case = CaseFactory()
    year = timezone.localdate().year
    assert case.reference == f"LOK-{year}-{case.pk:05d}"
    assert str(case) == case.reference
    assert case.history.get().reference == case.reference


def test_open_and_overdue():
    today = timezone.localdate()
    overdue = CaseFactory(first_response_due=today - datetime.timedelta(days=1))
    answered = CaseFactory(
        first_response_due=today - datetime.timedelta(days=1), first_response_at=timezone.now()
    )
    due_today = CaseFactory(first_response_due=today)
    closed = CaseFactory(status=S.WITHDRAWN, first_response_due=today - datetime.timedelta(1))
    assert overdue.is_overdue and overdue.is_open
    assert not answered.is_overdue
    assert not due_today.is_overdue
    assert not closed.is_open and not closed.is_overdue
    assert list(Case.objects.overdue()) == [overdue]
    assert set(Case.objects.open()) == {overdue, answered, due_today}


def test_a_case_cannot_have_implausible_hours():
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(hours_per_week=80)


def test_a_room_needs_a_place_and_an_ordered_period():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomFactory(places=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomFactory(period_start=datetime.date(2027, 2, 1), period_end=datetime.date(2027, 1, 1))


def test_a_room_takes_its_organisations_municipality_by_default():
    delft = Municipality.objects.create(name="Delft")
    room = RoomFactory(organisation=OrganisationFactory(municipality=delft))
    assert room.municipality == delft


def test_places_left_counts_accepted_matches_only():
    room = RoomFactory(places=2)
    MatchFactory(room=room, status=Match.Status.ACCEPTED)
    MatchFactory(room=room, status=Match.Status.PROPOSED)
    MatchFactory(room=room, status=Match.Status.DECLINED)
    assert room.places_left == 1
    annotated = Room.objects.with_places_left().get(pk=room.pk)
    assert (annotated.accepted_count, annotated.places_left) == (1, 1)


def test_one_open_match_per_case_and_room():
    match = MatchFactory()
    MatchFactory(case=match.case, room=match.room, status=Match.Status.DECLINED)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchFactory(case=match.case, room=match.room)


def test_a_shadowing_slot_ends_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ShadowingSlotFactory(start_time=datetime.time(12), end_time=datetime.time(9))


def test_the_desk_contact_accepts_a_match_and_the_desk_withdraws_it(advisor_user, organisation):
    contact = MembershipFactory(
        organisation=organisation, role="editor", topics=["desk_contact"]
    ).user
    match = MatchFactory(room=RoomFactory(organisation=organisation))
    with pytest.raises(TransitionNotAllowed):
        transition(match, Match.Status.ACCEPTED, by=advisor_user)
    transition(match, Match.Status.ACCEPTED, by=contact)
    with pytest.raises(TransitionNotAllowed):
        transition(match, Match.Status.WITHDRAWN, by=contact)
    transition(match, Match.Status.WITHDRAWN, by=advisor_user)
    assert match.status_changes.count() == 3


def test_a_partner_without_the_desk_contact_topic_cannot_decide(editor_user):
    match = MatchFactory()
    with pytest.raises(TransitionNotAllowed) as refused:
        transition(match, Match.Status.DECLINED, by=editor_user)
    assert refused.value.code == "transition_not_permitted"
