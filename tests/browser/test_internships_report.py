"""Reporting internship discrimination in Chromium, in Dutch and in English: the form (with its
errors), the code shown once, the anonymous follow-up with messages; then the institution's
handler logs in, replies and closes the report, and the reporter sees both. axe-core finds no
serious or critical violations on the public pages."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from PIL import Image

from internships.models import Message, Report
from partners.models import Organisation
from tests.browser.test_accessibility import assert_accessible, open_page, switch_language
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$")


@pytest.fixture
def institution(transactional_db):
    cache.clear()  # no reports or codes counted by the rate limits from an earlier run
    return Organisation.objects.create(
        name="Hogeschool Haaglanden", kind=Organisation.Kind.UNIVERSITY_OF_APPLIED_SCIENCES
    )


@pytest.fixture
def handler(institution):
    """A partner viewer at the institution with the internship-report handler topic role."""
    return MembershipFactory(
        user=UserFactory(email="meldpunt@hogeschool.example"),
        organisation=institution,
        role="viewer",
        topics=["internship_reports"],
    ).user


@pytest.fixture
def screenshot(tmp_path):
    path = tmp_path / "schermafdruk.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def submit(page, form_id):
    with page.expect_navigation():
        page.locator(f"#{form_id} button[type=submit]").click()


def report(page, institution, language, screenshot, description):
    """Open the form from the home page, send it empty, then complete; returns the code."""
    if language == "en":
        open_page(page, reverse("home"))
        switch_language(page, "en")
    open_page(page, reverse("home"))
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("internships-report")}"]').click()
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)

    # Sent empty: the summary takes the focus and names each missing answer.
    submit(page, "report-form")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.locator("a").count() == 9
    assert page.locator("#id_description").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    summary.locator('a[href="#id_description"]').click()
    assert page.url.endswith("#id_description")

    page.locator("#id_reporter_role input[value=student]").check()
    page.locator("#id_institution").select_option(label=institution.name)
    page.locator("#id_level input[value=hbo]").check()
    page.locator("#id_phase input[value=application]").check()
    page.locator("#id_grounds input[value=religion]").check()
    page.locator("#id_description").fill(description)
    page.locator("#id_place").fill("Bedrijf <b>X</b>")
    page.locator("#id_wish input[value=conversation]").check()
    page.locator("#id_anonymous input[value=yes]").check()
    page.locator("#id_attachments").set_input_files(str(screenshot))
    page.locator("#id_consent").check()
    # The honeypot cannot be reached with the keyboard.
    assert page.locator("#id_extra_info").get_attribute("tabindex") == "-1"
    submit(page, "report-form")

    assert urlsplit(page.url).path == reverse("internships-report-done")
    code = page.locator(".reference strong").inner_text().strip()
    assert CODE.match(code), code
    assert code not in page.url
    assert_accessible(page)

    # Shown once: a reload shows no code.
    page.reload()
    assert code not in page.content()
    assert page.locator(".reference").count() == 0
    assert_accessible(page)
    return code


def follow_up(page, code):
    open_page(page, reverse("internships-followup"))
    assert_accessible(page)
    page.locator("#id_code").fill(code.lower())
    submit(page, "code-form")
    assert urlsplit(page.url).path == reverse("internships-followup-report")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_report_anonymously_note_the_code_and_follow_up(
    page, institution, handler, screenshot, language
):
    description = f"Bij het gesprek ({language}) vroegen ze naar mijn geloof. <script>x</script>"
    code = report(page, institution, language, screenshot, description)

    saved = Report.objects.get()
    assert saved.language == language and saved.anonymous and saved.contact_email == ""
    assert saved.description == description and saved.place == "Bedrijf <b>X</b>"
    assert saved.institution == institution and saved.routed_to == institution
    assert saved.attachments.get().content_type == "image/png"

    # A wrong code first: one generic message, and the form is still accessible.
    open_page(page, reverse("internships-followup"))
    page.locator("#id_code").fill("AAAA-BBBB-CCCC-DDDD-EEEE")
    submit(page, "code-form")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)

    follow_up(page, code)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".badge--received").is_visible()
    assert_accessible(page)

    page.locator("#id_body").fill("Ik wil graag een gesprek, liefst na 16 uur.")
    submit(page, "reply-form")
    assert page.locator(".messages").is_visible()
    assert "Ik wil graag een gesprek, liefst na 16 uur." in page.locator("main").inner_text()
    assert Message.objects.get().direction == Message.Direction.FROM_REPORTER
    assert_accessible(page)

    # Close the report on this device: the follow-up page needs the code again.
    with page.expect_navigation():
        page.locator(f'form[action="{reverse("internships-followup-logout")}"] button').click()
    assert urlsplit(page.url).path == reverse("internships-followup")
    open_page(page, reverse("internships-followup-report"))
    assert urlsplit(page.url).path == reverse("internships-followup")


def test_the_handler_replies_and_closes_and_the_reporter_sees_both(
    browser, live_server, page, institution, handler, screenshot
):
    code = report(page, institution, "nl", screenshot, "Mij werd gezegd dat ik niet paste.")
    follow_up(page, code)
    page.locator("#id_body").fill("Is er al nieuws?")
    submit(page, "reply-form")
    saved = Report.objects.get()

    # The handler logs in, in a browser of their own, and opens the report.
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(15_000)
    handler_page = context.new_page()
    try:
        open_page(handler_page, reverse("account_login"))
        handler_page.locator("main [name=login]").fill(handler.email)
        handler_page.locator("main [name=password]").fill(PASSWORD)
        with handler_page.expect_navigation():
            handler_page.locator("main form button[type=submit]").first.click()
        open_page(handler_page, reverse("internships-report-detail", args=[saved.pk]))
        main = handler_page.locator("main").inner_text()
        assert "Mij werd gezegd dat ik niet paste." in main and "Is er al nieuws?" in main

        handler_page.locator("#id_message-body").fill("Dank je. Zullen we donderdag bellen?")
        submit(handler_page, "message-form")

        # The reporter sees the reply.
        page.reload()
        assert "Dank je. Zullen we donderdag bellen?" in page.locator("main").inner_text()

        handler_page.locator("#id_status-status").select_option("closed")
        handler_page.locator("#id_status-outcome").select_option("conversation_held")
        submit(handler_page, "status-form")
        saved.refresh_from_db()
        assert saved.status == Report.Status.CLOSED and saved.outcome == "conversation_held"
    finally:
        context.close()

    # The reporter sees that the report is closed, and with which outcome.
    page.reload()
    assert page.locator(".badge--closed").is_visible()
    with translation.override("nl"):
        outcome = saved.get_outcome_display()
    assert outcome in page.locator("main").inner_text()
    assert_accessible(page)
