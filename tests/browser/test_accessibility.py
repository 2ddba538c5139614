"""Every public page in both languages, and the main staff pages, pass axe-core in Chromium.

A page fails on any serious or critical violation of WCAG 2.2 A/AA (axe-core's WCAG 2.0, 2.1
and 2.2 rules). The pages are served with the portal's Content-Security-Policy, and a test
fails when the browser blocks anything under it (see conftest.py). The language is switched
through the switcher form in the header, which also shows that it works without JavaScript.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from portal.models import Invitation

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

PUBLIC_PAGES = [
    ("home", []),
    ("privacy", []),
    ("accessibility", []),
    ("contact", []),
    ("account_login", []),
    ("account_reset_password", []),
    ("partners-public-agreement-list", []),
    ("partners-public-agreement", ["manifest-gelijke-stagekansen"]),
]

STAFF_PAGES = [
    "dashboard",
    "partners-organisation-list",
    "partners-organisation-detail",
    "partners-agreement-list",
    "invitation-list",
    "invitation-create",
]


def assert_accessible(page):
    # Evaluated through the DevTools protocol: the page's policy forbids inline scripts, so a
    # <script> tag with axe's source would be blocked.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: tags, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not violations, f"axe-core found on {page.url}:\n{_describe(violations)}"


def _describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}\n      {node['failureSummary']}")
    return "\n".join(lines)


def open_page(page, path):
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path} answered {response.status if response else 'nothing'}"
    )


def switch_language(page, code):
    """Choose a language with the header's switcher: a plain form post, no JavaScript needed."""
    with page.expect_navigation():
        page.locator(f'form.language-switch button[value="{code}"]').click()
    assert page.locator("html").get_attribute("lang") == code


def log_in(page, live_server, user):
    """Give the browser the session of `user`, as if they had logged in with their TOTP code."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES, ids=[name for name, _ in PUBLIC_PAGES])
def test_public_page_passes_axe(page, public_agreement, name, args, language):
    if language != settings.LANGUAGE_CODE:
        open_page(page, reverse("home"))
        switch_language(page, language)
    open_page(page, reverse(name, args=args))
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_passes_axe(page, live_server, programme_team_user, organisation, name):
    Invitation.objects.create(
        email="nieuw@example.org", staff_role="desk_advisor", invited_by=programme_team_user
    )
    log_in(page, live_server, programme_team_user)
    args = [organisation.pk] if name == "partners-organisation-detail" else []
    open_page(page, reverse(name, args=args))
    assert page.locator(f'form[action="{reverse("account_logout")}"] button').is_visible()
    assert_accessible(page)


def test_form_errors_and_messages_pass_axe(page, live_server, programme_team_user):
    log_in(page, live_server, programme_team_user)
    open_page(page, reverse("invitation-create"))
    page.locator("main [name=email]").fill("not an e-mail address")
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    assert page.locator("main .errorlist").first.is_visible()
    assert_accessible(page)

    page.locator("main [name=email]").fill("nieuwe.adviseur@example.org")
    page.locator("main [name=staff_role]").select_option("desk_advisor")
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    assert page.url.endswith(reverse("invitation-list"))
    assert page.locator(".messages .message--success").is_visible()
    assert_accessible(page)


def test_language_switch_to_english_works_without_javascript(
    browser, live_server, transactional_db
):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    page = context.new_page()
    try:
        open_page(page, reverse("home"))
        assert page.locator("html").get_attribute("lang") == "nl"
        switch_language(page, "en")
        assert page.url == live_server.url + reverse("home")
        assert (
            page.locator('form.language-switch button[value="en"]').get_attribute("aria-current")
            == "true"
        )
        open_page(page, reverse("privacy"))
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()


def test_login_form_works_with_the_keyboard(page, live_server, partner_user, password):
    open_page(page, reverse("account_login"))
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('main form input:not([type=hidden])')]
                  .filter((input) => input.labels.length === 0)
                  .map((input) => input.name)"""
    )
    assert unlabelled == []

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "login":
            break
    else:
        pytest.fail("the e-mail field cannot be reached with the Tab key")
    assert page.evaluate("document.activeElement.labels[0].textContent.trim()")

    page.keyboard.type(partner_user.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + reverse("dashboard")


def test_two_factor_login_page_passes_axe(page, live_server, programme_team_user, password):
    open_page(page, reverse("account_login"))
    page.locator("main [name=login]").fill(programme_team_user.email)
    page.locator("main [name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main [name=password]").press("Enter")
    assert page.url == live_server.url + reverse("mfa_authenticate")
    assert page.locator("main h1").is_visible()
    assert_accessible(page)


def test_authenticator_setup_page_passes_axe(page, live_server, transactional_db, password):
    user = get_user_model().objects.create_user(
        "adviseur@example.org", password, staff_role="desk_advisor"
    )
    open_page(page, reverse("account_login"))
    page.locator("main [name=login]").fill(user.email)
    page.locator("main [name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main [name=password]").press("Enter")
    # Without an authenticator, staff are sent to set one up; allauth first asks for the
    # password again before an authenticator may be added.
    assert page.url.startswith(live_server.url + reverse("account_reauthenticate"))
    assert page.locator(".messages .message--warning").is_visible()
    assert_accessible(page)
    page.locator("main [name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main [name=password]").press("Enter")
    assert page.url == live_server.url + reverse("mfa_activate_totp")
    assert page.locator("main img").is_visible()
    assert_accessible(page)


def test_failed_login_shows_the_error_accessibly(page, partner_user):
    open_page(page, reverse("account_login"))
    page.locator("main [name=login]").fill(partner_user.email)
    page.locator("main [name=password]").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main [name=password]").press("Enter")
    assert page.locator("main .errorlist").first.is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("name", ["account_change_password", "account_reauthenticate"])
def test_password_pages_pass_axe(page, live_server, partner_user, name):
    # The "forgot your password?" link on these pages (and the login page) once failed
    # WCAG 2.2's target size (2.5.8).
    log_in(page, live_server, partner_user)
    open_page(page, reverse(name))
    assert page.locator(f'main a[href="{reverse("account_reset_password")}"]').is_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/partners/organisation/", "/admin/partners/organisation/{pk}/change/"],
)
def test_the_admin_works_under_the_content_security_policy(
    page, live_server, programme_team_user, organisation, path
):
    log_in(page, live_server, programme_team_user)
    open_page(page, path.format(pk=organisation.pk))
    assert page.locator("#content").is_visible()
