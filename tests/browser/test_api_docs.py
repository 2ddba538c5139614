"""The API's documentation page: every endpoint of the schema, accessible, in both languages."""

import pytest

from tests.browser.test_accessibility import assert_accessible, switch_language

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_api_documentation_shows_every_endpoint_accessibly(page, language):
    page.goto("/api/v1/docs/")
    if language != "nl":
        switch_language(page, language)
    headings = page.locator("h3 code").all_inner_texts()
    assert "POST /api/v1/batches/" in headings and len(headings) == 9
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
