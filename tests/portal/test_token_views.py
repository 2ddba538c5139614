"""The pages that make, list and revoke partner-API tokens."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import api
from portal.models import ApiToken
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitter(organisation):
    return MembershipFactory(
        user=UserFactory(email="cijfers@example.org"),
        organisation=organisation,
        role="editor",
        topics=["figures_submitter"],
    ).user


@pytest.fixture
def submitter_client(client, submitter):
    client.force_login(submitter)
    return client


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def make(client, organisation, **data):
    payload = {
        "organisation": organisation.pk,
        "name": "HR-systeem",
        "scopes": ["figures:read", "figures:submit"],
        "expires_on": in_days(30),
    } | data
    return client.post(reverse("portal-token-create"), payload)


def shown_key(response):
    return re.search(r'id="token-key" value="(hgp_[^"]+)"', response.content.decode()).group(1)


def test_the_key_is_shown_once_and_only_its_hash_is_kept(programme_client, organisation):
    response = make(programme_client, organisation)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = shown_key(response)
    assert response.content.decode().count(key) == 1
    token = ApiToken.objects.get()
    assert token.key_hash == api.hash_key(key)
    assert key not in str(ApiToken.objects.values().get())
    assert key not in programme_client.get(reverse("portal-token-list")).content.decode()
    rounds = programme_client.get("/api/v1/rounds/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert rounds.status_code == 200


def test_a_figures_submitter_makes_tokens_for_their_own_organisation_only(
    submitter_client, organisation, other_organisation
):
    response = make(submitter_client, other_organisation)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()

    make(submitter_client, organisation)
    assert ApiToken.objects.get().organisation == organisation


def test_an_organisation_where_the_maker_may_give_no_scope_is_refused(client, organisation):
    # The figures submitter of a second organisation is an editor here without the topic.
    other = OrganisationFactory(name="Stichting Tweede")
    user = MembershipFactory(
        user=UserFactory(), organisation=other, role="editor", topics=["figures_submitter"]
    ).user
    MembershipFactory(user=user, organisation=organisation, role="editor")
    client.force_login(user)

    response = make(client, organisation)

    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_scope_the_maker_may_not_give_is_refused(submitter_client, organisation, monkeypatch):
    # A scope of another topic role, which the figures submitter does not hold.
    monkeypatch.setitem(
        api._scopes, "reports:read", api.Scope("reports:read", "Reports", "internship_reports")
    )

    response = make(submitter_client, organisation, scopes=["figures:read", "reports:read"])

    assert response.status_code == 200
    assert "You may not give a token of" in response.content.decode()
    assert not ApiToken.objects.exists()
    make(submitter_client, organisation, scopes=["figures:read"])
    assert ApiToken.objects.get().scopes == ["figures:read"]


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "Choose an expiry date after today."), (-3, "Choose an expiry date after today.")],
)
def test_an_expiry_date_today_or_past_is_refused(programme_client, organisation, days, message):
    response = make(programme_client, organisation, expires_on=in_days(days))

    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_expiry_date_beyond_the_limit_is_refused(programme_client, organisation, settings):
    settings.API_TOKEN_MAX_DAYS = 100

    response = make(programme_client, organisation, expires_on=in_days(101))

    assert "Choose an expiry date within 100 days from today." in response.content.decode()
    make(programme_client, organisation, expires_on=in_days(100))
    assert ApiToken.objects.count() == 1


def test_a_token_needs_a_name_and_a_scope(programme_client, organisation):
    response = make(programme_client, organisation, name="", scopes=[])

    assert response.content.decode().count("This field is required.") >= 2
    assert not ApiToken.objects.exists()


def issued(organisation, user, name="Systeem"):
    return api.issue_token(
        organisation=organisation,
        name=name,
        scopes=["figures:read"],
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
        created_by=user,
    )


def test_a_partner_sees_only_their_own_organisations_tokens(
    submitter_client, submitter, organisation, other_organisation, programme_user
):
    issued(organisation, submitter, name="Eigen systeem")
    issued(other_organisation, programme_user, name="Ander systeem")

    page = submitter_client.get(reverse("portal-token-list")).content.decode()

    assert "Eigen systeem" in page
    assert "Ander systeem" not in page


def test_revoking_asks_first_then_stops_the_key(submitter_client, submitter, organisation):
    token, key = issued(organisation, submitter)
    url = reverse("portal-token-revoke", args=[token.pk])

    assert submitter_client.get(url).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None

    response = submitter_client.post(url)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == submitter
    answer = submitter_client.get("/api/v1/rounds/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 401


def test_another_organisations_token_is_not_found(
    submitter_client, other_organisation, programme_user
):
    token, _key = issued(other_organisation, programme_user)

    response = submitter_client.post(reverse("portal-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_someone_who_may_give_no_scope_cannot_make_a_token(advisor_client, editor_client):
    for client in (advisor_client, editor_client):
        assert client.get(reverse("portal-token-create")).status_code == 403
        page = client.get(reverse("portal-token-list")).content.decode()
        assert "No tokens yet." in page
        assert reverse("portal-token-create") not in page


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("portal-token-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_making_and_revoking_are_in_the_audit_trail(programme_client, programme_user, organisation):
    make(programme_client, organisation, name="Roostersysteem")
    token = ApiToken.objects.get()
    programme_client.post(reverse("portal-token-revoke", args=[token.pk]))

    history = list(token.history.order_by("history_date"))
    assert [record.history_type for record in history] == ["+", "~"]
    assert all(record.history_user.email == "programma@example.org" for record in history)
    page = programme_client.get(reverse("audit-trail")).content.decode()
    rows = [row for row in page.split("<tr>")[1:] if "Roostersysteem" in row]
    assert len(rows) == 2
    assert "changed" in rows[0] and "created" in rows[1]
    assert all(str(programme_user) in row for row in rows)


def test_the_menu_leads_to_the_tokens_only_those_who_may_make_them(
    submitter_client, editor_client, programme_client
):
    url = reverse("portal-token-list")
    for client, shown in [
        (submitter_client, True),
        (editor_client, False),
        (programme_client, True),
    ]:
        page = client.get(reverse("dashboard")).content.decode()
        assert (f'href="{url}"' in page) is shown
