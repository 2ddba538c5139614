"""Making and revoking a partner-API token in the browser: the key is shown once."""

import pytest
from django.urls import reverse

from portal.models import ApiToken
from tests.browser.test_accessibility import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_programme_team_makes_and_revokes_a_token(page, live_server, programme_team_user):
    from partners.models import Organisation

    board = Organisation.objects.create(name="Stichting Haagse Scholen", kind="school_board")
    log_in(page, live_server, programme_team_user)

    page.goto(reverse("portal-token-list"))
    page.locator("#token-create").click()
    assert_accessible(page)
    page.locator("#id_organisation").select_option(str(board.pk))
    page.locator("#id_name").fill("Personeelssysteem")
    page.locator("input[name=scopes][value='figures:submit']").check()
    page.locator("#token-form button[type=submit]").click()

    key = page.locator("#token-key").input_value()
    assert key.startswith("hgp_")
    assert_accessible(page)
    token = ApiToken.objects.get()
    assert token.scopes == ["figures:submit"] and token.organisation == board

    page.locator("#token-done").click()
    row = page.locator(f"#token-{token.pk}")
    assert row.get_attribute("data-state") == "active"
    assert key not in page.content()
    assert_accessible(page)
    row.locator("a").click()
    page.locator("#token-revoke").click()

    assert page.locator(f"#token-{token.pk}").get_attribute("data-state") == "revoked"
    token.refresh_from_db()
    assert token.revoked_by == programme_team_user
