"""Shadowing and matching in Chromium: an advisor books a shadowing day for a case and
proposes it for a place; the board's desk contact logs in and accepts it. axe-core finds no
serious or critical violations on these pages."""

import pytest
from django.urls import reverse

from lokaal.models import Case, Match, ShadowingBooking
from partners.models import Municipality, Organisation
from portal.models import OutgoingEmail
from tests.browser.test_accessibility import assert_accessible, log_in, open_page
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    RoomFactory,
    ShadowingSlotFactory,
    ShortageSubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db):
    delft = Municipality.objects.create(name="Delft", in_region=True)
    board = Organisation.objects.create(
        name="Stichting Delftse Scholen", kind=Organisation.Kind.SCHOOL_BOARD, municipality=delft
    )
    contact = MembershipFactory(
        user=UserFactory(email="loketcontact@example.org"),
        organisation=board,
        role="editor",
        topics=["desk_contact"],
    ).user
    maths = ShortageSubjectFactory(code="wiskunde")
    advisor = UserFactory(email="adviseur@example.org", staff_role="desk_advisor")
    case = CaseFactory(
        name="Fatima el Amrani",
        status=Case.Status.ROUTE_ADVISED,
        municipality=delft,
        hours_per_week=24,
        assigned_to=advisor,
        motivation="Ik wil wiskunde geven.",
    )
    case.subjects.set([maths])
    slot = ShadowingSlotFactory(organisation=board, sector="vo", subject=maths)
    room = RoomFactory(organisation=board, sector="vo", subjects=[maths], municipality=delft)
    return {"advisor": advisor, "contact": contact, "case": case, "slot": slot, "room": room}


def test_an_advisor_books_and_proposes_and_the_board_accepts(page, live_server, desk):
    case = desk["case"]
    log_in(page, live_server, desk["advisor"])

    # From the case page to the shadowing booking.
    open_page(page, case.get_absolute_url())
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("lokaal-case-shadowing", args=[case.pk])}"]').click()
    assert_accessible(page)
    page.locator("#id_slot").select_option(str(desk["slot"].pk))
    with page.expect_navigation():
        page.locator('main form[method="post"] button[type=submit]').click()
    assert page.locator(".messages .message--success").is_visible()
    assert ShadowingBooking.objects.filter(case=case, slot=desk["slot"]).exists()
    assert OutgoingEmail.objects.filter(to="loketcontact@example.org").count() == 1
    assert_accessible(page)

    # The ranked places, with their reasons; propose the best one.
    open_page(page, case.get_absolute_url())
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("lokaal-case-matches", args=[case.pk])}"]').click()
    first = page.locator("main ol.ranked-places > li").first
    assert "Stichting Delftse Scholen" in first.inner_text()
    assert first.locator("ul li").count() >= 3
    assert_accessible(page)
    with page.expect_navigation():
        first.locator("button[type=submit]").click()
    assert page.locator(".messages .message--success").is_visible()
    match = Match.objects.get(case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.MATCHED
    assert_accessible(page)

    # The board's desk contact: from the dashboard to the proposal, and accepts it.
    page.context.clear_cookies()
    log_in(page, live_server, desk["contact"])
    open_page(page, reverse("dashboard"))
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("lokaal-match-list")}"]').first.click()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("lokaal-match-detail", args=[match.pk])}"]').click()
    assert "Fatima" in page.locator("main h1").inner_text()
    assert "el Amrani" not in page.locator("main").inner_text()
    assert_accessible(page)
    page.locator('main input[name="decision"][value="accept"]').check()
    page.locator("#id_reason").fill("Welkom bij ons team.")
    with page.expect_navigation():
        page.locator('main form[method="post"] button[type=submit]').click()
    assert page.locator(".messages .message--success").is_visible()
    assert_accessible(page)

    match.refresh_from_db()
    case.refresh_from_db()
    assert match.status == Match.Status.ACCEPTED and match.decided_by == desk["contact"]
    assert case.status == Case.Status.PLACED
