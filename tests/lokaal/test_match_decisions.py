"""The board's desk contact accepts or declines a proposed match."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from lokaal import services
from lokaal.models import Case, Match
from partners.models import Organisation
from portal.models import AccessLog, OutgoingEmail
from tests.conftest import ENGLISH
from tests.factories import (
    CaseFactory,
    MatchFactory,
    MembershipFactory,
    OrganisationFactory,
    RoomFactory,
    UserFactory,
)


@pytest.fixture
def board(db):
    return OrganisationFactory(name="Stichting Haagse Scholen")


@pytest.fixture
def desk_contact(board):
    return MembershipFactory(
        user=UserFactory(email="loketcontact@example.org"),
        organisation=board,
        role="editor",
        topics=["desk_contact"],
    ).user


@pytest.fixture
def desk_contact_client(desk_contact):
    client = Client(**ENGLISH)
    client.force_login(desk_contact)
    return client


def proposed(room, advisor=None, **kwargs):
    case = CaseFactory(
        status=Case.Status.MATCHED, name="Fatima El Amrani", assigned_to=advisor, **kwargs
    )
    return MatchFactory(case=case, room=room, proposed_by=advisor)


@pytest.mark.django_db
def test_accepting_takes_a_place_and_places_the_case(desk_contact, board, advisor_user):
    room = RoomFactory(organisation=board, places=2)
    match = proposed(room, advisor_user)
    other = MatchFactory(case=match.case, room=RoomFactory())
    services.match_accept(match=match, by=desk_contact, reason="Welkom")
    match.refresh_from_db()
    assert match.status == Match.Status.ACCEPTED
    assert match.decided_by == desk_contact and match.decision_reason == "Welkom"
    case = Case.objects.get(pk=match.case_id)
    assert case.status == Case.Status.PLACED and case.closed_at is not None
    assert case.status_changes.filter(to_status="placed", changed_by=None).exists()
    other.refresh_from_db()
    assert other.status == Match.Status.WITHDRAWN
    room = type(room).objects.with_places_left().get(pk=room.pk)
    assert room.places_left == 1
    assert OutgoingEmail.objects.filter(to=advisor_user.email).exists()


@pytest.mark.django_db
def test_a_full_room_refuses_the_accept(desk_contact, board):
    room = RoomFactory(organisation=board, places=1)
    MatchFactory(room=room, status=Match.Status.ACCEPTED)
    match = proposed(room)
    with pytest.raises(ValidationError, match="no places left"):
        services.match_accept(match=match, by=desk_contact)
    match.refresh_from_db()
    assert match.status == Match.Status.PROPOSED


@pytest.mark.django_db
def test_declining_returns_the_case_to_the_advisor(desk_contact, board, advisor_user):
    match = proposed(RoomFactory(organisation=board), advisor_user)
    with pytest.raises(ValidationError):
        services.match_decline(match=match, by=desk_contact, reason="  ")
    services.match_decline(match=match, by=desk_contact, reason="Geen plek voor wiskunde")
    match.refresh_from_db()
    assert match.status == Match.Status.DECLINED
    case = Case.objects.get(pk=match.case_id)
    assert case.status == Case.Status.ROUTE_ADVISED
    mail = OutgoingEmail.objects.get(to=advisor_user.email)
    assert "Geen plek voor wiskunde" in mail.body_text


@pytest.mark.django_db
def test_a_decline_keeps_the_case_matched_while_another_proposal_is_open(desk_contact, board):
    match = proposed(RoomFactory(organisation=board))
    MatchFactory(case=match.case, room=RoomFactory())
    services.match_decline(match=match, by=desk_contact, reason="Vol")
    assert Case.objects.get(pk=match.case_id).status == Case.Status.MATCHED


@pytest.mark.django_db
def test_a_partner_without_the_topic_may_not_decide(editor_user, organisation):
    match = proposed(RoomFactory(organisation=organisation))
    with pytest.raises(ValidationError, match="may not change"):
        services.match_accept(match=match, by=editor_user)


# The pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_contact_sees_minimal_candidate_data_and_the_view_is_logged(
    desk_contact_client, board
):
    match = proposed(
        RoomFactory(organisation=board),
        motivation="Ik wil lesgeven.",
        email="fatima@example.org",
        phone="0612345678",
    )
    listing = desk_contact_client.get(reverse("lokaal-match-list"))
    assert match.case.reference in listing.content.decode()
    response = desk_contact_client.get(reverse("lokaal-match-detail", args=[match.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fatima" in content and "Ik wil lesgeven." in content
    assert "El Amrani" not in content
    assert "fatima@example.org" not in content and "0612345678" not in content
    assert AccessLog.objects.filter(object_id=str(match.case_id), action="view_match").exists()


@pytest.mark.django_db
def test_the_desk_contact_accepts_through_the_page(desk_contact_client, board):
    match = proposed(RoomFactory(organisation=board))
    url = reverse("lokaal-match-detail", args=[match.pk])
    response = desk_contact_client.post(url, {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    assert Case.objects.get(pk=match.case_id).status == Case.Status.PLACED


@pytest.mark.django_db
def test_declining_without_a_reason_is_refused_with_a_message(desk_contact_client, board):
    match = proposed(RoomFactory(organisation=board))
    url = reverse("lokaal-match-detail", args=[match.pk])
    response = desk_contact_client.post(url, {"decision": "decline", "reason": ""})
    assert response.status_code == 200
    assert "Give a reason for declining." in response.content.decode()
    match.refresh_from_db()
    assert match.status == Match.Status.PROPOSED


@pytest.mark.django_db
def test_the_boards_desk_contact_decides_for_its_school_locations(desk_contact_client, board):
    location = OrganisationFactory(kind=Organisation.Kind.SCHOOL_LOCATION, parent=board)
    match = proposed(RoomFactory(organisation=location))
    assert (
        desk_contact_client.get(reverse("lokaal-match-detail", args=[match.pk])).status_code == 200
    )
    assert match in desk_contact_client.get(reverse("lokaal-match-list")).context["proposed"]


@pytest.mark.django_db
def test_other_organisations_get_404_and_partners_without_the_topic_403(
    desk_contact_client, editor_client, organisation, board
):
    elsewhere = proposed(RoomFactory(organisation=organisation))
    assert (
        desk_contact_client.get(reverse("lokaal-match-detail", args=[elsewhere.pk])).status_code
        == 404
    )
    # The editor of `organisation` holds no desk_contact topic.
    assert editor_client.get(reverse("lokaal-match-detail", args=[elsewhere.pk])).status_code == 403
    assert editor_client.get(reverse("lokaal-match-list")).status_code == 403


# Two accepts at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_accepts_cannot_overbook_the_last_place():
    board = OrganisationFactory()
    contact = MembershipFactory(organisation=board, topics=["desk_contact"]).user
    room = RoomFactory(organisation=board, places=1)
    matches = [proposed(room), proposed(room)]
    barrier = threading.Barrier(2)
    results = []

    def accept(match):
        try:
            barrier.wait()
            services.match_accept(match=Match.objects.get(pk=match.pk), by=contact)
            results.append("accepted")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(m,)) for m in matches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["accepted", "refused"]
    assert room.matches.filter(status=Match.Status.ACCEPTED).count() == 1
    assert Case.objects.filter(status=Case.Status.PLACED).count() == 1


@pytest.mark.django_db
def test_a_proposal_at_a_school_location_is_mailed_to_the_boards_desk_contact(
    desk_contact, board, advisor_user
):
    location = OrganisationFactory(kind=Organisation.Kind.SCHOOL_LOCATION, parent=board)
    MembershipFactory(organisation=location, role="editor")  # an editor, not a desk contact
    case = CaseFactory(status=Case.Status.ROUTE_ADVISED)
    match = services.match_propose(
        case=case,
        room=RoomFactory(organisation=location),
        score=40,
        explanation=[],
        by=advisor_user,
    )
    mail = OutgoingEmail.objects.get()
    assert mail.to == desk_contact.email
    assert reverse("lokaal-match-detail", args=[match.pk]) in mail.body_text
