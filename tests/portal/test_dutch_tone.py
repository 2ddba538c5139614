"""One tone in Dutch: the portal says "u", also on allauth's pages and in its e-mails, where
allauth's own Dutch catalogue says "je" (overridden in locale_overrides/)."""

import gettext
import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD, UserFactory
from tests.portal.test_translations import messages, read_po

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}
INFORMAL = re.compile(r"\b(je|jouw|jij|jezelf|aanmelden|afmelden)\b", re.IGNORECASE)
OVERRIDES = Path(__file__).resolve().parents[2] / "locale_overrides" / "nl" / "LC_MESSAGES"


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def dutch_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    return visible_text(response.content.decode())


@pytest.mark.parametrize(
    "name", ["account_login", "account_reset_password", "account_reset_password_done"]
)
def test_dutch_account_pages_say_u(db, name):
    text = dutch_page(Client(**DUTCH), reverse(name))
    assert not INFORMAL.findall(text), INFORMAL.findall(text)


def test_dutch_login_page_says_inloggen(db):
    text = dutch_page(Client(**DUTCH), reverse("account_login"))
    assert "Inloggen" in text
    assert "Aanmelden" not in text


def test_dutch_password_reset_page_says_u(db):
    text = dutch_page(Client(**DUTCH), reverse("account_reset_password"))
    assert "Vul hieronder uw e-mailadres in" in text


def test_dutch_pages_for_a_logged_in_user_say_u(db):
    client = Client(**DUTCH)
    client.force_login(UserFactory(email="partner@example.org"))
    for name in ("account_logout", "account_change_password", "account_reauthenticate"):
        text = dutch_page(client, reverse(name))
        assert not INFORMAL.findall(text), (name, INFORMAL.findall(text))
    assert "Weet u zeker dat u wilt uitloggen?" in dutch_page(client, reverse("account_logout"))


def test_dutch_two_factor_pages_say_u(db):
    user = UserFactory(email="programma@example.org", staff_role="programme_team")
    client = Client(**DUTCH)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    text = dutch_page(client, reverse("mfa_authenticate"))
    assert "Uw account is beveiligd met tweestapsverificatie" in text
    assert not INFORMAL.findall(text), INFORMAL.findall(text)

    client = Client(**DUTCH)
    client.force_login(user)
    for name in ("mfa_index", "mfa_reauthenticate"):
        text = dutch_page(client, reverse(name))
        assert not INFORMAL.findall(text), (name, INFORMAL.findall(text))


def test_dutch_password_reset_mail_says_u(db):
    UserFactory(email="partner@example.org")
    response = Client(**DUTCH).post(
        reverse("account_reset_password"), {"email": "partner@example.org"}
    )
    assert response.status_code == 302
    sent = mail.outbox or _mails_from_the_outbox()
    body = sent[-1].body
    assert "U ontvangt deze e-mail" in body
    assert not INFORMAL.findall(body), INFORMAL.findall(body)


def _mails_from_the_outbox():
    from portal.models import OutgoingEmail

    return [
        type("Mail", (), {"body": email.body_text})()
        for email in OutgoingEmail.objects.order_by("pk")
    ]


def test_the_override_catalogue_wins_over_allauths_own():
    with translation.override("nl"):
        assert translation.gettext("Sign Out") == "Uitloggen"
        assert translation.gettext("Enter your password:") == "Vul uw wachtwoord in:"


def test_the_override_catalogue_is_compiled_from_its_po():
    with (OVERRIDES / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = messages(read_po(OVERRIDES / "django.po"))
    assert len(entries) > 50
    for entry in entries:
        if entry.msgid_plural:
            found = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            assert found == [entry.msgstr[0], entry.msgstr[1]], "run compilemessages"
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], "run compilemessages"
