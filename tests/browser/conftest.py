"""Fixtures for the browser tests: a real headless Chromium, axe-core, and logged-in pages.

Chromium is the distribution's /usr/bin/chromium; these tests never download a browser. When
it is missing the tests fail rather than skip, so a CI machine without it cannot pass quietly.
"""

import os

import pytest

from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; Django refuses database access
# from a thread with a running loop unless told that this is intended.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`. "
            "The browser tests use the system Chromium and never download one."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A page of the live server; the test fails if the browser blocked anything under the
    Content-Security-Policy (the browser reports each violation on the console)."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], "\n".join(blocked)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def programme_team_user(transactional_db):
    # The factory gives staff the TOTP authenticator the portal requires of them.
    return UserFactory(email="programma@example.org", staff_role="programme_team")


@pytest.fixture
def partner_user(transactional_db):
    return MembershipFactory(
        user=UserFactory(email="partner@example.org"),
        organisation=OrganisationFactory(name="Stichting Haagse Scholen"),
        role="editor",
    ).user


@pytest.fixture
def public_agreement(transactional_db):
    """The manifesto the home page links to, with a signatory in every status."""
    from partners.models import Agreement, Commitment, Organisation, Signature

    agreement = Agreement.objects.create(
        name="Haags manifest gelijke stagekansen",
        slug="manifest-gelijke-stagekansen",
        kind=Agreement.Kind.MANIFESTO,
        summary="Samen tegen stagediscriminatie: een meldprocedure, training en meting.",
    )
    Commitment.objects.create(agreement=agreement, number=1, title="Een duidelijke meldprocedure")
    for name, status in [
        ("De Haagse Hogeschool", Signature.Status.SIGNED),
        ("ROC Mondriaan", Signature.Status.UNDER_RESERVATION),
        ("MKB Den Haag", Signature.Status.WITHDRAWN),
    ]:
        organisation = Organisation.objects.create(name=name, kind=Organisation.Kind.OTHER)
        Signature.objects.create(organisation=organisation, agreement=agreement, status=status)
    return agreement


@pytest.fixture
def organisation(transactional_db, public_agreement):
    """A partner with a contact person and a signature, for the staff pages."""
    from partners.models import Contact, Organisation

    organisation = Organisation.objects.get(name="De Haagse Hogeschool")
    Contact.objects.create(
        organisation=organisation,
        name="Sanne de Vries",
        function="Stagecoördinator",
        email="s.devries@example.org",
        topics="stagemeldingen",
    )
    return organisation
