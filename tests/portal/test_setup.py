"""Configuration, health check, second factor, login throttling and retention."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal import retention
from portal.models import AccessLog, OutgoingEmail
from tests.factories import PASSWORD, ContactFactory, UserFactory


def run_manage(*args, **env):
    environment = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_an_encryption_key_refuses_to_start():
    result = run_manage(
        "check", DEBUG="0", SECRET_KEY="x" * 30 + "-a-long-random-production-secret-value"
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 30 + "-a-long-random-production-secret-value",
        FIELD_ENCRYPTION_KEYS="YnVpbGQtb25seS1ub3QtYS1yZWFsLWtleS0wMDAwMDA=",
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_healthz_names_the_database_and_broker(client):
    if not settings.CELERY_BROKER_URL:
        pytest.fail("this test needs CELERY_BROKER_URL (make test sets it)")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_an_unreachable_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_staff_without_a_second_factor_can_only_set_one_up(client):
    user = UserFactory(staff_role="desk_advisor", totp=False)
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page itself is reachable (allauth first asks to confirm the password).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200 or response["Location"].startswith("/accounts/reauth")


@pytest.mark.django_db
def test_partner_users_do_not_need_a_second_factor(editor_client):
    assert editor_client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_staff_log_in_with_password_then_a_code(client, programme_user):
    response = client.post(
        reverse("account_login"), {"login": programme_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in until the code is given.
    assert client.get(reverse("dashboard")).status_code == 302
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    code = format_hotp_value(
        hotp_value(programme_user.totp_secret, next(yield_hotp_counters_from_time()))
    )
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_for_a_while(client, editor_user):
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": editor_user.email, "password": "wrong-password"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": editor_user.email, "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert not response.wsgi_request.user.is_authenticated
    cache.clear()


@pytest.mark.django_db
def test_open_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"), {"email": "ik@example.org", "password1": PASSWORD}
    )
    from portal.models import User

    assert not User.objects.filter(email="ik@example.org").exists()
    assert response.status_code in (200, 403)
    login_page = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in login_page


@pytest.mark.django_db
def test_purge_expired_deletes_only_what_is_past_its_retention_period():
    now = timezone.now()
    old = now - datetime.timedelta(days=settings.RETENTION_DAYS["outgoing_email"] + 1)
    OutgoingEmail.objects.create(to="a@example.org", subject="s", body_text="b", created_at=old)
    OutgoingEmail.objects.create(to="b@example.org", subject="s", body_text="b")
    ended = ContactFactory(ended_on=(now - datetime.timedelta(days=800)).date())
    current = ContactFactory()
    counts = retention.purge_expired()
    assert counts["outgoing_email"] == 1 and counts["contact"] >= 1
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["b@example.org"]
    assert not type(ended).objects.filter(pk=ended.pk).exists()
    assert not type(ended).history.filter(id=ended.pk).exists()  # its history goes too
    assert type(current).history.filter(id=current.pk).exists()
    assert type(current).objects.filter(pk=current.pk).exists()
    assert {p.name for p in retention.policies()} >= {
        "outgoing_email",
        "access_log",
        "invitation",
        "import_upload",
        "contact",
    }


@pytest.mark.django_db
def test_looking_at_contact_persons_is_access_logged(programme_client, programme_user):
    contact = ContactFactory()
    programme_client.get(contact.organisation.get_absolute_url())
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id) == (
        programme_user,
        "view_contacts",
        str(contact.organisation.pk),
    )
