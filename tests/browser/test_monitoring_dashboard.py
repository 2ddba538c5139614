"""The public dashboard and the open data page pass axe-core in Chromium in both languages,
with charts, suppressed counts, the filters and the team's dashboard; the filters work
without JavaScript."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from monitoring.models import Activity, Agenda, FigureValue, Indicator, ProgrammeLine
from partners.models import Municipality
from tests.browser.test_accessibility import (
    assert_accessible,
    log_in,
    open_page,
    switch_language,
)
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(transactional_db):
    zij = Indicator.objects.create(
        code="zij-instromers",
        name_nl="Zij-instromers met subsidie",
        name_en="Career switchers with a subsidy",
        unit_nl="personen",
        unit_en="persons",
        counts_persons=True,
    )
    fte = Indicator.objects.create(
        code="fte",
        name_nl="Leraren in fte",
        name_en="Teachers in FTE",
        unit_nl="fte",
        unit_en="FTE",
        decimals=1,
    )
    rows = [
        ("'s-Gravenhage", 2022, 77),
        ("'s-Gravenhage", 2023, 62),
        ("'s-Gravenhage", 2024, 59),
        ("Haaglanden excl. Den Haag", 2022, 39),
        ("Haaglanden excl. Den Haag", 2023, 3),
        ("Haaglanden excl. Den Haag", 2024, 26),
        ("Haaglanden", 2022, 116),
        ("Almere", 2022, 29),
    ]
    for area, year, amount in rows:
        FigureValue.objects.create(
            indicator=zij, area=area, year=year, value=amount, sector="po", status="approved"
        )
    delft = Municipality.objects.create(name="Delft")
    for n in range(3):
        school = OrganisationFactory(municipality=delft)
        for year in (2023, 2024):
            FigureValue.objects.create(
                indicator=fte,
                organisation=school,
                year=year,
                value=Decimal("10.5") + n,
                sector="vo",
                status="approved",
            )
    agenda = Agenda.objects.create(
        name="Activiteitenplan", slug="plan", start_year=2026, end_year=2029
    )
    line = ProgrammeLine.objects.create(agenda=agenda, code="1", title="Aantrekken")
    Activity.objects.create(line=line, code="1.1", title="Loket", status="running", progress=40)
    return zij


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("name", ["monitoring-public-dashboard", "monitoring-open-data"])
def test_public_figures_pages_pass_axe(page, figures, name, language):
    if language != settings.LANGUAGE_CODE:
        open_page(page, reverse("home"))
        switch_language(page, language)
    open_page(page, reverse(name))
    assert page.locator("html").get_attribute("lang") == language
    if name == "monitoring-public-dashboard":
        assert page.locator('svg.chart[role="img"]').count() >= 2
        assert page.locator("td", has_text="<5").count() >= 1
    assert_accessible(page)


def test_team_dashboard_passes_axe(page, live_server, programme_team_user, figures):
    log_in(page, live_server, programme_team_user)
    open_page(page, reverse("monitoring-dashboard") + "?indicator=fte&include=submitted")
    assert page.locator("#table-fte-municipality").is_visible()
    assert_accessible(page)


def test_filters_work_without_javascript(browser, live_server, figures):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        open_page(page, reverse("monitoring-public-dashboard"))
        page.select_option("#id_indicator", "fte")
        with page.expect_navigation():
            page.locator("form.filters button[type=submit]").click()
        assert "indicator=fte" in page.url
        assert page.locator("#table-fte-municipality").is_visible()
    finally:
        context.close()
