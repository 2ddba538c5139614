"""The desk's public intake in Chromium, in Dutch and in English: errors, then success; axe-core
finds no serious or critical violations on the form, its error state and the success page."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from lokaal.models import Case
from partners.models import Municipality
from tests.browser.test_accessibility import assert_accessible, open_page, switch_language

pytestmark = pytest.mark.browser


@pytest.fixture
def municipality(transactional_db):
    cache.clear()  # no intakes counted by the rate limit from an earlier run
    return Municipality.objects.create(name="Den Haag", in_region=True)


def submit(page):
    with page.expect_navigation():
        page.locator("#intake-form button[type=submit]").click()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_intake_form_errors_then_success(page, municipality, language):
    if language == "en":
        open_page(page, reverse("home"))
        switch_language(page, "en")
    open_page(page, reverse("home"))
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("lokaal-intake")}"]').click()
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)

    # Sent with mistakes: the summary takes the focus and names each error.
    page.locator("#id_email").fill("geen adres")
    page.locator("#id_postcode").fill("25111")
    submit(page)
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.locator("a").count() == 8
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    if language == "en":
        assert page.title().startswith("Error:")
    # What was typed is still there.
    assert page.locator("#id_email").input_value() == "geen adres"
    assert_accessible(page)

    # The summary's link leads to the field.
    summary.locator('a[href="#id_postcode"]').click()
    assert page.url.endswith("#id_postcode")

    page.locator("#id_name").fill("Sanne de Vries")
    page.locator("#id_email").fill(f"sanne.{language}@example.org")
    page.locator("#id_phone").fill("06 12345678")
    page.locator("#id_postcode").fill("2511ab")
    page.locator("#id_municipality").select_option(label="Den Haag")
    page.locator("#id_origin_sector input[value=business_services]").check()
    page.locator("#id_education_level input[value=hbo]").check()
    page.locator("#id_target_sectors input[value=po]").check()
    page.locator("#id_hours_per_week").fill("24")
    page.locator("#id_motivation").fill("<b>Ik wil graag lesgeven.</b>")
    page.locator("#id_consent").check()
    # The honeypot cannot be reached with the keyboard.
    assert page.locator("#id_extra_info").get_attribute("tabindex") == "-1"
    submit(page)

    # (The browser keeps the fragment of the summary's link across the redirect.)
    assert urlsplit(page.url).path == reverse("lokaal-intake-done")
    case = Case.objects.get()
    assert case.postcode == "2511 AB" and case.phone == "+31612345678"
    assert case.motivation == "<b>Ik wil graag lesgeven.</b>"
    assert case.submissions.get().language == language
    assert page.locator(".reference").inner_text() == case.reference
    assert case.reference not in page.url
    assert_accessible(page)
