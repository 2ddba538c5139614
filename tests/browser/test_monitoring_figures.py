"""A figures submitter uploads a spreadsheet, checks the preview and confirms it; the
programme team approves the figures. In Chromium, under the Content-Security-Policy, with
axe-core on the pages on the way."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import FigureValue, Indicator, ReportingRound
from tests.browser.test_accessibility import assert_accessible, log_in, open_page
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def round_(transactional_db):
    today = timezone.localdate()
    Indicator.objects.create(
        code="zij-instromers-gestart",
        name="Career switchers who started",
        unit="persons",
        reporting_kinds=["school_board"],
    )
    Indicator.objects.create(
        code="vacatures-fte",
        name="Open vacancies",
        unit="FTE",
        reporting_kinds=["school_board"],
        decimals=1,
    )
    return ReportingRound.objects.create(
        year=today.year,
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=20),
    )


@pytest.fixture
def submitter(transactional_db):
    board = OrganisationFactory(name="Stichting Haagse Scholen", board_number="41234")
    return MembershipFactory(
        user=UserFactory(email="cijfers@example.org"),
        organisation=board,
        role="editor",
        topics=["figures_submitter"],
    ).user


def test_upload_preview_confirm_and_approve(page, live_server, round_, submitter, tmp_path):
    year = round_.year
    sheet = tmp_path / "cijfers.csv"
    sheet.write_bytes(
        (
            "organisatie;indicator;jaar;sector;waarde;toelichting\r\n"
            f"41234;zij-instromers-gestart;{year};po;12;\r\n"
            f"Stichting Haagse Scholen;vacatures-fte;{year};;3,5;Peildatum 1 oktober\r\n"
        ).encode("cp1252")
    )
    log_in(page, live_server, submitter)
    open_page(page, reverse("monitoring-my-figures"))
    assert_accessible(page)

    open_page(page, reverse("import-upload", args=["monitoring-figures"]))
    page.locator("main input[name=file]").set_input_files(str(sheet))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/importeren/monitoring-figures/" in page.url
    assert page.locator("main .badge--new").count() == 2
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.url.endswith(reverse("monitoring-my-figures"))
    assert FigureValue.objects.filter(status=FigureValue.Status.SUBMITTED).count() == 2

    page.context.clear_cookies()
    team = UserFactory(email="programma@example.org", staff_role="programme_team")
    log_in(page, live_server, team)
    open_page(page, reverse("monitoring-value-list") + "?status=submitted")
    assert_accessible(page)
    for box in page.locator("main input[name=values]").all():
        box.check()
    page.locator("main input[name=action][value=approve]").check()
    review = reverse("monitoring-value-review")
    with page.expect_navigation():
        page.locator(f'form[action="{review}"] button[type=submit]').click()
    assert page.locator(".messages .message--success").is_visible()
    assert set(FigureValue.objects.values_list("status", flat=True)) == {"approved"}

    open_page(page, reverse("monitoring-round-detail", args=[year]))
    assert_accessible(page)
