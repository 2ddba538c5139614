"""Every way into the portal goes through allauth: its rate limits and the second factor.

The doors: allauth's login, the admin's login, a password reset link, reauthentication and
accepting an invitation. Each is tried with a staff member who has TOTP (a code is asked, and
without it there is no access to /admin/, /organisaties/ or /audit/) and with one who has
not set it up yet (sent to set it up).
"""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.urls import reverse

from portal.models import Invitation, StaffRole
from tests.factories import PASSWORD, UserFactory

ADMIN_LOGIN = "/admin/login/"
STAFF_PAGES = ["/admin/", "/organisaties/", "/audit/"]
NEW_PASSWORD = "Another-Long-Passphrase-42"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_without_totp(db):
    return UserFactory(email="nieuw-programma@example.org", staff_role="programme_team", totp=False)


def totp_code(user):
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(user.totp_secret, counter))


def assert_no_staff_page_opens(client, *, sent_to):
    """Each staff page redirects, by way of `sent_to`, to a page that is not itself."""
    for path in STAFF_PAGES:
        response = client.get(path, follow=True)
        visited = [url for url, _ in response.redirect_chain]
        assert any(url.startswith(sent_to) for url in visited), (path, visited)
        assert response.request["PATH_INFO"] != path


def assert_staff_pages_open(client):
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path


def log_in_with_password(client, user, password=PASSWORD, next_url=None):
    url = reverse("account_login")
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"login": user.email, "password": password})


# allauth's login


def test_allauth_login_asks_staff_with_totp_for_the_code(client, programme_user):
    response = log_in_with_password(client, programme_user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))

    client.post(reverse("mfa_authenticate"), {"code": totp_code(programme_user)})
    assert_staff_pages_open(client)


def test_allauth_login_sends_staff_without_totp_to_set_it_up(client, staff_without_totp):
    log_in_with_password(client, staff_without_totp)
    assert_no_staff_page_opens(client, sent_to=reverse("mfa_activate_totp"))


def test_thirty_wrong_passwords_at_the_allauth_login_are_throttled(client, programme_user):
    refused = [
        "Too many failed login attempts"
        in log_in_with_password(client, programme_user, "wrong-password").content.decode()
        for _ in range(30)
    ]
    # After five failures for the address in 15 minutes, further attempts are refused...
    assert refused == [False] * 5 + [True] * 25
    # ... even with the right password, for a while.
    response = log_in_with_password(client, programme_user)
    assert response.status_code == 429
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))


# The admin's login


def test_the_admin_login_sends_visitors_to_the_allauth_login(client):
    response = client.get(ADMIN_LOGIN + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


def test_a_password_posted_to_the_admin_login_logs_nobody_in(client, programme_user):
    response = client.post(
        ADMIN_LOGIN, {"username": programme_user.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))


def test_the_admin_door_leads_through_the_second_factor(client, programme_user):
    login_url = client.get(ADMIN_LOGIN + "?next=/admin/")["Location"]
    response = client.post(login_url, {"login": programme_user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(programme_user)})
    assert response["Location"] == "/admin/"
    assert_staff_pages_open(client)


def test_the_admin_door_sends_staff_without_totp_to_set_it_up(client, staff_without_totp):
    login_url = client.get(ADMIN_LOGIN + "?next=/admin/")["Location"]
    client.post(login_url, {"login": staff_without_totp.email, "password": PASSWORD})
    assert_no_staff_page_opens(client, sent_to=reverse("mfa_activate_totp"))


def test_thirty_wrong_passwords_at_the_admin_login_are_never_tried(client, programme_user):
    tried = []

    def record(sender, credentials, **kwargs):
        tried.append(credentials)

    user_login_failed.connect(record)
    try:
        for _ in range(30):
            response = client.post(
                ADMIN_LOGIN, {"username": programme_user.email, "password": "wrong-password"}
            )
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
    finally:
        user_login_failed.disconnect(record)
    # No password is checked there, so guessing must go through allauth's throttled login.
    assert tried == []
    client.post(ADMIN_LOGIN, {"username": programme_user.email, "password": PASSWORD})
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))


def test_a_logged_in_partner_is_refused_at_the_admin_login(editor_client):
    assert editor_client.get(ADMIN_LOGIN).status_code == 403


# A password reset link


def reset_password_with_link(client, user):
    url = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    form_url = client.get(url)["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    return response


@pytest.mark.parametrize("login_on_reset", [False, True])
def test_a_password_reset_asks_staff_with_totp_for_the_code(
    client, programme_user, settings, login_on_reset
):
    # Even if the portal were set to log people in after a reset, allauth's login would run.
    settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET = login_on_reset
    response = reset_password_with_link(client, programme_user)
    if login_on_reset:
        assert response["Location"] == reverse("mfa_authenticate")
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))

    response = log_in_with_password(client, programme_user, NEW_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(programme_user)})
    assert_staff_pages_open(client)


@pytest.mark.parametrize("login_on_reset", [False, True])
def test_a_password_reset_sends_staff_without_totp_to_set_it_up(
    client, staff_without_totp, settings, login_on_reset
):
    settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET = login_on_reset
    reset_password_with_link(client, staff_without_totp)
    sent_to = reverse("mfa_activate_totp") if login_on_reset else reverse("account_login")
    assert_no_staff_page_opens(client, sent_to=sent_to)


# Reauthentication


@pytest.mark.parametrize("name", ["account_reauthenticate", "mfa_reauthenticate"])
def test_reauthentication_is_no_way_past_the_code(client, programme_user, name):
    log_in_with_password(client, programme_user)  # the code is still to be given
    response = client.post(reverse(name), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))


def test_reauthentication_does_not_excuse_staff_from_setting_up_totp(client, staff_without_totp):
    log_in_with_password(client, staff_without_totp)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    assert_no_staff_page_opens(client, sent_to=reverse("mfa_activate_totp"))


# Accepting an invitation


def test_accepting_an_invitation_sends_a_new_staff_member_to_set_up_totp(client, programme_user):
    invitation = Invitation.objects.create(
        email="nieuwe.adviseur@example.org",
        staff_role=StaffRole.PROGRAMME_TEAM,
        invited_by=programme_user,
    )
    response = client.post(
        reverse("invitation-accept", args=[invitation.token]),
        {
            "first_name": "Nieuwe",
            "last_name": "Collega",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert_no_staff_page_opens(client, sent_to=reverse("mfa_activate_totp"))


def test_accepting_an_invitation_does_not_log_in_staff_with_totp(client, programme_user):
    other = UserFactory(staff_role=StaffRole.PROGRAMME_TEAM)
    invitation = Invitation.objects.create(
        email=programme_user.email, staff_role=StaffRole.PROGRAMME_TEAM, invited_by=other
    )
    response = client.post(reverse("invitation-accept", args=[invitation.token]))
    assert response.status_code == 302
    assert_no_staff_page_opens(client, sent_to=reverse("account_login"))
    response = log_in_with_password(client, programme_user)
    assert response["Location"] == reverse("mfa_authenticate")
