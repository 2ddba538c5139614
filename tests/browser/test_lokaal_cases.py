"""A desk advisor in Chromium: logs in with password and TOTP code, finds a case in the list,
opens it and moves it through the pipeline; axe-core finds no serious or critical violations
on the list and the case's page."""

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from lokaal.models import Case
from tests.browser.test_accessibility import assert_accessible, log_in, open_page
from tests.factories import PASSWORD, CaseFactory, TrainingRouteFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def advisor(transactional_db):
    return UserFactory(email="adviseur@example.org", staff_role="desk_advisor")


def totp_code(user):
    return format_hotp_value(hotp_value(user.totp_secret, next(yield_hotp_counters_from_time())))


def log_in_with_code(page, live_server, user):
    open_page(page, reverse("account_login"))
    page.locator("main [name=login]").fill(user.email)
    page.locator("main [name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main [name=password]").press("Enter")
    assert page.url.startswith(live_server.url + reverse("mfa_authenticate"))
    page.locator("main [name=code]").fill(totp_code(user))
    with page.expect_navigation():
        page.locator("main [name=code]").press("Enter")
    assert page.locator(f'form[action="{reverse("account_logout")}"] button').is_visible()


def change_status(page, label, note=""):
    page.locator("#id_status-status").select_option(label=label)
    if note:
        page.locator("#id_status-note").fill(note)
    with page.expect_navigation():
        page.locator('form[action$="/status/"] button[type=submit]').click()
    assert page.locator(".messages .message--success").is_visible()
    assert page.locator("main .lead .badge").inner_text() == label


def test_an_advisor_moves_a_case_through_the_pipeline(page, live_server, advisor):
    case = CaseFactory(name="Fatima el Amrani", email="fatima@example.org", assigned_to=advisor)
    CaseFactory(name="Iemand Anders")
    log_in_with_code(page, live_server, advisor)

    # The advisor's own queue is the list's default view.
    open_page(page, reverse("lokaal-case-list"))
    assert page.locator("main table tbody tr").count() == 1
    assert_accessible(page)
    page.locator("main [name=view]").select_option("all")
    page.locator("main [name=q]").fill("amrani")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").first.click()
    assert page.locator("main table tbody tr").count() == 1
    with page.expect_navigation():
        page.locator(f'main table a[href="{case.get_absolute_url()}"]').click()
    assert "Fatima el Amrani" in page.locator("main h1").inner_text()
    assert_accessible(page)

    # The Dutch interface: the labels are the Dutch status names once translated, so the
    # options are chosen by their values through the labels the page itself shows.
    for status in ("contacted", "orientation", "shadowing", "route_advised"):
        label = page.locator(f'#id_status-status option[value="{status}"]').inner_text()
        change_status(page, label, note=f"Stap naar {status}")
    case.refresh_from_db()
    assert case.status == Case.Status.ROUTE_ADVISED
    assert case.status_changes.filter(changed_by=advisor).count() == 4
    assert page.locator("main ol.history li").count() >= 5
    assert_accessible(page)


def test_the_route_catalogue_and_the_erase_confirmation_pass_axe(
    page, live_server, programme_team_user
):
    TrainingRouteFactory(name="Zij-instroom vo", eligibility_hint="Een hbo- of wo-diploma")
    case = CaseFactory(name="Fatima el Amrani", is_status_holder=True)
    log_in(page, live_server, programme_team_user)
    open_page(page, reverse("lokaal-route-list"))
    assert page.locator("main table tbody tr").count() == 1
    assert_accessible(page)
    # A status holder's page has the programme form too.
    open_page(page, case.get_absolute_url())
    assert page.locator("#id_programme-decision_note").is_visible()
    assert_accessible(page)
    open_page(page, reverse("lokaal-case-erase", args=[case.pk]))
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main form button.button--danger").click()
    case.refresh_from_db()
    assert case.is_anonymised and case.name == ""
