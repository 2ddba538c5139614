import datetime
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners.models import Membership
from portal.models import Invitation, OutgoingEmail, PendingTask, User
from portal.services import invitation_accept, invitation_create
from portal.tasks import flush_outbox


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db
def test_inviting_a_partner_user_sends_a_link_that_creates_the_account(
    programme_client, organisation, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = programme_client.post(
            reverse("invitation-create"),
            {
                "email": "Nieuw@Example.org",
                "organisation": organisation.pk,
                "member_role": "editor",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nieuw@example.org"
    assert len(mail.outbox) == 1
    accept_url = reverse("invitation-accept", args=[invitation.token])
    assert accept_url in mail.outbox[0].body

    response = client.post(
        accept_url,
        {
            "first_name": "Nina",
            "last_name": "Nieuw",
            "password1": "Lang-Genoeg-Wachtwoord-7",
            "password2": "Lang-Genoeg-Wachtwoord-7",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert Membership.objects.get(user=user).role == "editor"
    assert client.get(reverse("partners-my-organisation")).status_code == 302
    # The link works once.
    assert client.get(accept_url).status_code == 410


@pytest.mark.django_db
def test_an_expired_invitation_cannot_be_used(client, organisation):
    invitation = Invitation.objects.create(
        email="laat@example.org",
        organisation=organisation,
        member_role="viewer",
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    response = client.get(reverse("invitation-accept", args=[invitation.token]))
    assert response.status_code == 410
    assert not User.objects.filter(email="laat@example.org").exists()


@pytest.mark.django_db
def test_invitations_expire_after_ten_working_days(organisation):
    invitation = Invitation.objects.create(
        email="x@example.org",
        organisation=organisation,
        member_role="viewer",
        created_at=datetime.datetime(2026, 12, 23, 12, tzinfo=datetime.UTC),
    )
    # 24 Dec, 28-31 Dec, 4-8 Jan: Christmas, Boxing Day, New Year and weekends skipped.
    assert invitation.expires_on == datetime.date(2027, 1, 8)


@pytest.mark.django_db
def test_invitation_form_explains_what_is_missing(programme_client):
    response = programme_client.post(reverse("invitation-create"), {"email": "iemand@example.org"})
    assert response.status_code == 200
    assert "Choose the organisation" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused_with_a_message(client, organisation):
    invitation = Invitation.objects.create(
        email="z@example.org", organisation=organisation, member_role="viewer"
    )
    response = client.post(
        reverse("invitation-accept", args=[invitation.token]),
        {"first_name": "Z", "last_name": "Z", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="z@example.org").exists()


@pytest.mark.django_db
def test_password_reset_mail_goes_through_the_outbox(
    client, editor_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": editor_user.email})
    assert response.status_code == 302
    email = OutgoingEmail.objects.get(to=editor_user.email)
    assert email.status == OutgoingEmail.Status.SENT
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_password_reset_for_an_unknown_address_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "iemand@example.org"})
    assert response.status_code == 302  # the same answer as for a known address
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failing_mail_server_is_recorded_and_retried_later_without_losing_the_invitation(
    settings, organisation, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="a@example.org", invited_by=None, organisation=organisation, member_role="viewer"
        )
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    email = OutgoingEmail.objects.get()
    # One attempt, the error kept for the programme team, and the next attempt in a minute
    # (tests/portal/test_outbox.py follows the schedule).
    assert email.attempts == 1
    assert email.status == OutgoingEmail.Status.PENDING
    assert "Connection refused" in email.last_error
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert not PendingTask.objects.exists()


def test_the_worker_sends_queued_mail(celery_worker, organisation):
    invitation_create(
        email="w@example.org", invited_by=None, organisation=organisation, member_role="viewer"
    )
    assert wait_for(lambda: OutgoingEmail.objects.filter(status="sent").exists())
    assert mail.outbox[0].to == ["w@example.org"]


def test_with_the_broker_down_the_invitation_is_saved_and_mailed_later(celery_worker, organisation):
    """A web process whose broker is unreachable still saves the invitation."""
    db = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",  # nothing listens there
        "PATH": "/usr/bin:/bin",
    }
    code = (
        "from partners.models import Organisation; from portal.services import invitation_create;"
        f"invitation_create(email='later@example.org', invited_by=None,"
        f" organisation=Organisation.objects.get(pk={organisation.pk}), member_role='viewer')"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert Invitation.objects.filter(email="later@example.org").exists()
    email = OutgoingEmail.objects.get(to="later@example.org")
    assert email.status == OutgoingEmail.Status.PENDING and mail.outbox == []

    # The outbox row is the record of this mail; nothing else is kept for it.
    assert not PendingTask.objects.exists()

    # The broker is back: once the first publish's lease has passed, the beat job publishes
    # what is pending and the worker sends it.
    assert flush_outbox() == 0
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    assert flush_outbox() == 1
    assert wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).status == "sent")
    assert [m.to for m in mail.outbox] == [["later@example.org"]]


# Invitations: roles and topic roles


def _accept(invitation):
    return invitation_accept(invitation=invitation)


@pytest.mark.django_db
def test_accepting_a_staff_invitation_never_lowers_a_role(programme_user, advisor_user):
    _accept(Invitation.objects.create(email=programme_user.email, staff_role="desk_advisor"))
    programme_user.refresh_from_db()
    assert programme_user.staff_role == "programme_team" and programme_user.is_staff
    # A higher role is granted.
    _accept(Invitation.objects.create(email=advisor_user.email, staff_role="programme_team"))
    advisor_user.refresh_from_db()
    assert advisor_user.staff_role == "programme_team"


@pytest.mark.django_db
def test_a_programme_team_member_accepting_a_partner_invitation_keeps_the_staff_role(
    programme_user, organisation
):
    _accept(
        Invitation.objects.create(
            email=programme_user.email, organisation=organisation, member_role="viewer"
        )
    )
    programme_user.refresh_from_db()
    assert programme_user.staff_role == "programme_team"
    assert Membership.objects.get(user=programme_user).role == "viewer"


@pytest.mark.django_db
def test_an_editor_accepting_a_viewer_invitation_stays_editor_and_gains_its_topics(
    editor_user, organisation
):
    Membership.objects.filter(user=editor_user).update(topics=["desk_contact"])
    _accept(
        Invitation.objects.create(
            email=editor_user.email,
            organisation=organisation,
            member_role="viewer",
            topics=["internship_reports"],
        )
    )
    membership = Membership.objects.get(user=editor_user)
    assert membership.role == "editor"
    assert membership.topics == ["desk_contact", "internship_reports"]


@pytest.mark.django_db
def test_a_viewer_accepting_an_editor_invitation_becomes_editor(viewer_user, organisation):
    _accept(
        Invitation.objects.create(
            email=viewer_user.email, organisation=organisation, member_role="editor"
        )
    )
    assert Membership.objects.get(user=viewer_user).role == "editor"


@pytest.mark.django_db
def test_an_invitation_carries_topic_roles_to_the_new_membership(
    programme_client, organisation, client
):
    response = programme_client.post(
        reverse("invitation-create"),
        {
            "email": "stage@example.org",
            "organisation": organisation.pk,
            "member_role": "viewer",
            "topics": ["internship_reports"],
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="stage@example.org")
    assert invitation.topics == ["internship_reports"]
    client.post(
        reverse("invitation-accept", args=[invitation.token]),
        {
            "first_name": "Sam",
            "last_name": "Stage",
            "password1": "Lang-Genoeg-Wachtwoord-7",
            "password2": "Lang-Genoeg-Wachtwoord-7",
        },
    )
    assert Membership.objects.get(user__email="stage@example.org").topics == ["internship_reports"]


@pytest.mark.django_db
def test_both_invitation_forms_offer_the_registered_topics_and_refuse_others(
    programme_client, organisation
):
    for url in (
        reverse("invitation-create"),
        reverse("partners-organisation-invite", args=[organisation.pk]),
    ):
        page = programme_client.get(url).content.decode()
        for label in ("Desk contact of the board", "Internship-report handler"):
            assert label in page
        response = programme_client.post(
            url,
            {
                "email": "x@example.org",
                "organisation": organisation.pk,
                "member_role": "viewer",
                "topics": ["partner_admin"],
            },
        )
        assert response.status_code == 200
        assert "partner_admin is not one of the available choices" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_staff_invitation_has_no_topic_roles(programme_client):
    response = programme_client.post(
        reverse("invitation-create"),
        {"email": "staf@example.org", "staff_role": "desk_advisor", "topics": ["desk_contact"]},
    )
    assert response.status_code == 200
    assert "Choose either a staff role" in response.content.decode()


def test_the_service_refuses_unknown_topic_roles(organisation):
    with pytest.raises(ValidationError, match="Unknown topic role"):
        invitation_create(
            email="y@example.org",
            invited_by=None,
            organisation=organisation,
            member_role="viewer",
            topics=["partner_admin"],
        )


@pytest.mark.django_db
def test_the_membership_admin_offers_the_registered_topics(programme_client, editor_user):
    membership = Membership.objects.get(user=editor_user)
    url = reverse("admin:partners_membership_change", args=[membership.pk])
    page = programme_client.get(url).content.decode()
    assert "Yearly-figures submitter" in page
    response = programme_client.post(
        url,
        {
            "user": editor_user.pk,
            "organisation": membership.organisation_id,
            "role": "editor",
            "topics": ["figures_submitter"],
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.topics == ["figures_submitter"]


@pytest.mark.django_db
def test_an_invitation_naming_an_unknown_topic_cannot_be_accepted(organisation):
    invitation = Invitation.objects.create(
        email="oud@example.org", organisation=organisation, member_role="viewer", topics=["gone"]
    )
    with pytest.raises(ValidationError, match="Unknown topic role: gone"):
        _accept(invitation)
    assert not User.objects.filter(email="oud@example.org").exists()


@pytest.mark.django_db
def test_the_invitation_admin_offers_the_registered_topics(programme_client):
    page = programme_client.get(reverse("admin:portal_invitation_add")).content.decode()
    assert "Internship-report handler" in page
