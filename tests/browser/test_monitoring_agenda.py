"""The public /agenda/ pages and the activity page pass axe-core in Chromium, in both
languages, under the portal's Content-Security-Policy."""

import pytest
from django.conf import settings
from django.urls import reverse

from monitoring.models import Activity, Agenda, ProgrammeLine
from monitoring.services.agenda import activity_save, progress_update_create
from tests.browser.test_accessibility import (
    assert_accessible,
    log_in,
    open_page,
    switch_language,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def agenda(transactional_db, organisation):
    agenda = Agenda.objects.create(
        name="Activiteitenplan Onderwijsregio Haaglanden 2026-2029",
        slug="activiteitenplan-2026-2029",
        start_year=2026,
        end_year=2029,
        description="Drie programmalijnen.",
    )
    line = ProgrammeLine.objects.create(
        agenda=agenda, code="1", title="Arbeidsmarkt", ambitions="Werven en matchen."
    )
    running = activity_save(
        activity=Activity(
            line=line,
            code="1.1",
            title="Behouden en versterken van bestaande infrastructuren",
            period="Jan-dec 2026",
            lead=organisation,
        ),
        by=None,
    )
    progress_update_create(
        activity=running, author=None, text="Kwartiermaker gestart.", status="running", progress=40
    )
    activity_save(
        activity=Activity(
            line=line, code="1.2", title="De instroom op peil houden", lead_text="Nog te bepalen"
        ),
        by=None,
    )
    return agenda


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("name", ["monitoring-agenda", "monitoring-agenda-detail"])
def test_public_agenda_pages_pass_axe(page, agenda, name, language):
    if language != settings.LANGUAGE_CODE:
        open_page(page, reverse("home"))
        switch_language(page, language)
    args = [agenda.slug] if name == "monitoring-agenda-detail" else []
    open_page(page, reverse(name, args=args))
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("main progress").count() >= (1 if args else 0)
    assert_accessible(page)


def test_activity_page_with_its_forms_passes_axe(page, live_server, programme_team_user, agenda):
    log_in(page, live_server, programme_team_user)
    activity = Activity.objects.get(code="1.1")
    open_page(page, activity.get_absolute_url())
    assert page.locator("main form textarea[name=text]").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("name", ["monitoring-agenda-list", "monitoring-activity-edit"])
def test_programme_team_agenda_pages_pass_axe(page, live_server, programme_team_user, agenda, name):
    log_in(page, live_server, programme_team_user)
    args = [Activity.objects.get(code="1.1").pk] if name == "monitoring-activity-edit" else []
    open_page(page, reverse(name, args=args))
    assert_accessible(page)


def test_a_progress_update_with_errors_passes_axe(page, live_server, programme_team_user, agenda):
    log_in(page, live_server, programme_team_user)
    open_page(page, Activity.objects.get(code="1.1").get_absolute_url())
    page.locator("main [name=progress]").fill("150")
    with page.expect_navigation():
        page.locator("main form[enctype] button[type=submit]").click()
    assert page.locator("main .error-summary").first.is_visible()
    assert_accessible(page)
