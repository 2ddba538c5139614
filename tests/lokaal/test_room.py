"""Room for career switchers: published by partners, listed for the desk, totalled."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lokaal.models import Match, Room
from partners.models import Municipality, Organisation
from tests.factories import MatchFactory, OrganisationFactory, RoomFactory, ShortageSubjectFactory

pytestmark = pytest.mark.django_db


def room_data(organisation, **extra):
    data = {
        "organisation": organisation.pk,
        "sector": "vo",
        "places": 3,
        "hours_per_week": 24,
        "period_start": "",
        "period_end": "",
        "note": "",
    }
    return {**data, **extra}


def test_an_editor_publishes_room_for_their_organisation(editor_client, editor_user, organisation):
    subject = ShortageSubjectFactory()
    delft = Municipality.objects.create(name="Delft")
    organisation.municipality = delft
    organisation.save()
    response = editor_client.post(
        reverse("lokaal-room-create", args=[organisation.pk]),
        room_data(organisation, subjects=[subject.pk], special_education="on"),
    )
    assert response.status_code == 302
    room = Room.objects.get()
    assert room.organisation == organisation and room.published_by == editor_user
    assert list(room.subjects.all()) == [subject]
    assert room.municipality == delft  # from the organisation
    assert room.special_education
    page = editor_client.get(reverse("lokaal-partner-offers", args=[organisation.pk]))
    assert room in page.context["rooms"]


def test_a_board_publishes_room_at_one_of_its_school_locations(editor_client, organisation):
    location = OrganisationFactory(kind=Organisation.Kind.SCHOOL_LOCATION, parent=organisation)
    response = editor_client.post(
        reverse("lokaal-room-create", args=[organisation.pk]), room_data(location)
    )
    assert response.status_code == 302
    room = Room.objects.get()
    assert room.organisation == location
    # The board's editor may change it, though not a member of the location itself.
    assert editor_client.get(reverse("lokaal-room-edit", args=[room.pk])).status_code == 200


def test_bad_input_is_refused_with_messages(editor_client, organisation):
    today = timezone.localdate()
    response = editor_client.post(
        reverse("lokaal-room-create", args=[organisation.pk]),
        room_data(
            organisation,
            places=0,
            hours_per_week=80,
            period_start=today.isoformat(),
            period_end=(today - datetime.timedelta(days=3)).isoformat(),
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"places", "hours_per_week", "period_end"}
    assert not Room.objects.exists()


def test_another_organisation_cannot_be_chosen(editor_client, organisation, other_organisation):
    response = editor_client.post(
        reverse("lokaal-room-create", args=[organisation.pk]), room_data(other_organisation)
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors


def test_places_cannot_drop_below_those_accepted(editor_client, organisation):
    room = RoomFactory(organisation=organisation, places=3)
    MatchFactory.create_batch(2, room=room, status=Match.Status.ACCEPTED)
    response = editor_client.post(
        reverse("lokaal-room-edit", args=[room.pk]), room_data(organisation, places=1)
    )
    assert "2 places have been accepted already" in response.content.decode()
    room.refresh_from_db()
    assert room.places == 3


def test_closing_room_takes_it_out_of_the_desks_list(editor_client, advisor_client, organisation):
    room = RoomFactory(organisation=organisation)
    assert room in advisor_client.get(reverse("lokaal-room-list")).context["rooms"]
    response = editor_client.post(reverse("lokaal-room-close", args=[room.pk]))
    assert response.status_code == 302
    room.refresh_from_db()
    assert not room.active
    assert room not in advisor_client.get(reverse("lokaal-room-list")).context["rooms"]


def test_viewers_may_look_but_not_publish_and_strangers_get_404(
    viewer_client, outsider_client, organisation
):
    room = RoomFactory(organisation=organisation)
    assert (
        viewer_client.get(reverse("lokaal-partner-offers", args=[organisation.pk])).status_code
        == 200
    )
    assert (
        viewer_client.get(reverse("lokaal-room-create", args=[organisation.pk])).status_code == 403
    )
    assert viewer_client.post(reverse("lokaal-room-close", args=[room.pk])).status_code == 403
    assert outsider_client.get(reverse("lokaal-room-edit", args=[room.pk])).status_code == 404
    assert (
        outsider_client.get(reverse("lokaal-partner-offers", args=[organisation.pk])).status_code
        == 404
    )


def test_the_desk_filters_room_and_sees_only_places_left(advisor_client):
    subject = ShortageSubjectFactory()
    delft = Municipality.objects.create(name="Delft")
    wanted = RoomFactory(sector="po", subjects=[subject], municipality=delft)
    RoomFactory(sector="vo", municipality=delft)
    full = RoomFactory(sector="po", places=1, subjects=[subject], municipality=delft)
    MatchFactory(room=full, status=Match.Status.ACCEPTED)
    response = advisor_client.get(
        reverse("lokaal-room-list"),
        {"sector": "po", "subject": subject.pk, "municipality": delft.pk},
    )
    assert response.context["rooms"] == [wanted]


def test_the_programme_team_sees_totals_per_sector_and_municipality(
    programme_client, advisor_client
):
    delft = Municipality.objects.create(name="Delft")
    zoetermeer = Municipality.objects.create(name="Zoetermeer")
    room = RoomFactory(sector="po", places=3, municipality=delft)
    RoomFactory(sector="po", places=2, municipality=delft)
    RoomFactory(sector="po", places=4, municipality=zoetermeer)
    RoomFactory(sector="vo", places=1, municipality=delft)
    RoomFactory(sector="vo", places=9, municipality=delft, active=False)
    MatchFactory(room=room, status=Match.Status.ACCEPTED)
    response = programme_client.get(reverse("lokaal-room-totals"))
    rows = {
        (row["sector"], row["municipality__name"]): (row["rooms"], row["places"], row["left"])
        for row in response.context["rows"]
    }
    assert rows == {
        ("po", "Delft"): (2, 5, 4),
        ("po", "Zoetermeer"): (1, 4, 4),
        ("vo", "Delft"): (1, 1, 1),
    }
    sectors = {row["label"]: row["left"] for row in response.context["sectors"]}
    assert sectors == {"Primary education (po)": 8, "Secondary education (vo)": 1}
    assert advisor_client.get(reverse("lokaal-room-totals")).status_code == 403
