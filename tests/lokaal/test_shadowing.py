"""Job shadowing: slots offered by schools, booked by the desk, the school told, the outcome."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lokaal.models import Case, ShadowingBooking, ShadowingSlot
from partners.models import Organisation
from portal.models import AccessLog, OutgoingEmail
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OrganisationFactory,
    ShadowingBookingFactory,
    ShadowingSlotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def slot_data(organisation, **extra):
    date = timezone.localdate() + datetime.timedelta(days=10)
    data = {
        "organisation": organisation.pk,
        "date": date.isoformat(),
        "start_time": "09:00",
        "end_time": "15:00",
        "sector": "po",
        "places": 2,
        "note": "",
    }
    return {**data, **extra}


def test_a_board_offers_a_slot_at_its_school_location(editor_client, editor_user, organisation):
    location = OrganisationFactory(kind=Organisation.Kind.SCHOOL_LOCATION, parent=organisation)
    response = editor_client.post(
        reverse("lokaal-slot-create", args=[organisation.pk]), slot_data(location)
    )
    assert response.status_code == 302
    slot = ShadowingSlot.objects.get()
    assert slot.organisation == location and slot.created_by == editor_user


def test_a_slot_in_the_past_or_ending_before_it_starts_is_refused(editor_client, organisation):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = editor_client.post(
        reverse("lokaal-slot-create", args=[organisation.pk]),
        slot_data(organisation, date=yesterday.isoformat(), start_time="15:00", end_time="09:00"),
    )
    assert set(response.context["form"].errors) == {"date", "end_time"}
    assert not ShadowingSlot.objects.exists()


def test_viewers_may_not_offer_slots_and_strangers_get_404(
    viewer_client, outsider_client, organisation
):
    slot = ShadowingSlotFactory(organisation=organisation)
    assert (
        viewer_client.get(reverse("lokaal-slot-create", args=[organisation.pk])).status_code == 403
    )
    assert viewer_client.get(reverse("lokaal-slot-edit", args=[slot.pk])).status_code == 403
    assert outsider_client.get(reverse("lokaal-slot-edit", args=[slot.pk])).status_code == 404


def test_the_advisor_books_a_candidate_and_the_schools_desk_contact_is_told(
    advisor_client, advisor_user, organisation, editor_user
):
    contact = MembershipFactory(
        user=UserFactory(email="contact@school.example"),
        organisation=organisation,
        topics=["desk_contact"],
    ).user
    slot = ShadowingSlotFactory(organisation=organisation, places=1)
    case = CaseFactory(name="Pieter de Boer", status=Case.Status.ORIENTATION)
    url = reverse("lokaal-case-shadowing", args=[case.pk])
    assert slot in advisor_client.get(url).context["slots"]
    response = advisor_client.post(url, {"slot": slot.pk})
    assert response.status_code == 302
    booking = ShadowingBooking.objects.get()
    assert booking.case == case and booking.booked_by == advisor_user
    mail = OutgoingEmail.objects.get()
    assert mail.to == contact.email  # the desk contact, not every editor
    assert "Pieter" in mail.body_text and "de Boer" not in mail.body_text
    assert case.timeline.filter(kind="shadowing", booking=booking).exists()
    assert AccessLog.objects.filter(object_id=str(case.pk), action="view_shadowing").exists()


def test_without_a_desk_contact_the_editors_are_told(advisor_client, organisation, editor_user):
    slot = ShadowingSlotFactory(organisation=organisation)
    case = CaseFactory()
    advisor_client.post(reverse("lokaal-case-shadowing", args=[case.pk]), {"slot": slot.pk})
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [editor_user.email]


def test_a_full_slot_is_not_offered_and_cannot_be_booked(advisor_client):
    slot = ShadowingSlotFactory(places=1)
    ShadowingBookingFactory(slot=slot)
    case = CaseFactory()
    url = reverse("lokaal-case-shadowing", args=[case.pk])
    assert slot not in advisor_client.get(url).context["slots"]
    response = advisor_client.post(url, {"slot": slot.pk})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ShadowingBooking.objects.filter(case=case).exists()


def test_a_cancelled_booking_frees_its_place_and_a_double_booking_is_refused(advisor_client):
    slot = ShadowingSlotFactory(places=1)
    ShadowingBookingFactory(slot=slot, outcome=ShadowingBooking.Outcome.CANCELLED)
    case = CaseFactory()
    url = reverse("lokaal-case-shadowing", args=[case.pk])
    assert advisor_client.post(url, {"slot": slot.pk}).status_code == 302
    slot.places = 2
    slot.save()
    response = advisor_client.post(url, {"slot": slot.pk})
    assert "already booked into this slot" in response.content.decode()


def test_a_closed_case_cannot_be_booked(advisor_client):
    slot = ShadowingSlotFactory()
    case = CaseFactory(status=Case.Status.WITHDRAWN)
    response = advisor_client.post(
        reverse("lokaal-case-shadowing", args=[case.pk]), {"slot": slot.pk}
    )
    assert "This case is closed." in response.content.decode()


def test_the_outcome_is_recorded_on_the_booking_and_the_timeline(advisor_client):
    booking = ShadowingBookingFactory()
    response = advisor_client.post(
        reverse("lokaal-booking-outcome", args=[booking.pk]),
        {"outcome": "went_well", "outcome_note": " Enthousiast over groep 7. "},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.outcome == "went_well" and booking.outcome_note == "Enthousiast over groep 7."
    entry = booking.case.timeline.filter(kind="shadowing").latest("at")
    assert "Went well" in entry.text and "groep 7" in entry.text


def test_an_unknown_outcome_is_refused(advisor_client):
    booking = ShadowingBookingFactory()
    response = advisor_client.post(
        reverse("lokaal-booking-outcome", args=[booking.pk]), {"outcome": "<script>"}
    )
    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors


def test_the_partner_sees_bookings_with_first_names_only_and_the_view_is_logged(
    editor_client, organisation
):
    ShadowingBookingFactory(slot__organisation=organisation, case__name="Pieter de Boer")
    response = editor_client.get(reverse("lokaal-partner-offers", args=[organisation.pk]))
    content = response.content.decode()
    assert "Pieter" in content and "de Boer" not in content
    assert AccessLog.objects.filter(action="view_shadowing_bookings").exists()


def test_the_desk_lists_upcoming_slots(advisor_client, editor_client):
    ShadowingSlotFactory(sector="po")
    ShadowingSlotFactory(sector="vo")
    ShadowingSlotFactory(date=timezone.localdate() - datetime.timedelta(days=1))
    response = advisor_client.get(reverse("lokaal-slot-list"), {"sector": "po"})
    assert [slot.sector for slot in response.context["slots"]] == ["po"]
    assert editor_client.get(reverse("lokaal-slot-list")).status_code == 403
