"""Every URL has an access rule, and every role gets what the rule says."""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.models import Signature
from portal import access
from portal.models import ImportUpload, Invitation
from tests.factories import AgreementFactory, CommitmentFactory, ContactFactory, SignatureFactory

# The programme team last: what it may change (deleting a membership) would otherwise
# change what the roles after it see.
ROLES = [
    "anonymous",
    "desk_advisor",
    "partner_editor",
    "partner_viewer",
    "other_partner",
    "programme_team",
]
# Views where a partner viewer may look but not change: refused on the object.
EDIT_VIEWS = {
    "partners-contact-create",
    "partners-contact-edit",
    "partners-contact-delete",
    "partners-progress-edit",
}


def walk(patterns=None, prefix=""):
    """(name, route, callback) of every URL pattern, included ones too."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            for name, route, callback in walk(pattern.url_patterns, prefix + str(pattern.pattern)):
                yield (namespace + name if name else name), route, callback
        elif isinstance(pattern, URLPattern):
            yield pattern.name, prefix + str(pattern.pattern), pattern.callback


def test_every_url_pattern_has_an_access_rule():
    unguarded = [
        route for _n, route, callback in walk() if access.rule_for(callback, route) is None
    ]
    assert unguarded == []


def test_a_view_without_a_rule_is_detected():
    def naked_view(request):
        pass

    assert access.rule_for(naked_view) is None
    assert access.rule_for(access.public(naked_view)) is access.PUBLIC


@pytest.fixture
def objects(organisation, programme_user, editor_user, viewer_user):
    agreement = AgreementFactory(slug="manifest")
    CommitmentFactory(agreement=agreement)
    signature = SignatureFactory(
        organisation=organisation, agreement=agreement, status=Signature.Status.UNDER_RESERVATION
    )
    upload = ImportUpload.objects.create(
        user=programme_user,
        importer="organisations",
        file_name="o.csv",
        content=b"naam;soort\nNieuwe school;schoolbestuur\n",
    )
    invitation = Invitation.objects.create(
        email="nieuw@example.org", organisation=organisation, member_role="viewer"
    )
    return {
        "pk:organisation": organisation.pk,
        "pk:contact": ContactFactory(organisation=organisation).pk,
        "pk:membership": editor_user.memberships.get().pk,
        "pk:signature": signature.pk,
        "pk:upload": upload.pk,
        "slug": agreement.slug,
        "token": invitation.token,
        "year": 2025,
        "importer": "organisations",
    }


KWARGS = {
    "partners-organisation-detail": ["pk:organisation"],
    "partners-organisation-edit": ["pk:organisation"],
    "partners-organisation-invite": ["pk:organisation"],
    "partners-contact-create": ["pk:organisation"],
    "partners-contact-edit": ["pk:contact"],
    "partners-contact-delete": ["pk:contact"],
    "partners-membership-delete": ["pk:membership"],
    "partners-agreement-detail": ["slug"],
    "partners-agreement-edit": ["slug"],
    "partners-signature-create": ["slug"],
    "partners-signature-detail": ["pk:signature"],
    "partners-signature-transition": ["pk:signature"],
    "partners-progress-edit": ["pk:signature", "year"],
    "partners-import": ["importer"],
    "partners-import-preview": ["importer", "pk:upload"],
    "partners-public-agreement": ["slug"],
    "invitation-accept": ["token"],
}


def own_patterns():
    for name, _route, callback in walk():
        module = getattr(callback, "__module__", "")
        if module.startswith(("portal.", "partners.", "lokaal.", "internships.", "monitoring.")):
            yield name, callback


def url_for(name, objects):
    keys = KWARGS.get(name, [])
    kwargs = {key.split(":")[0]: objects[key] for key in keys}
    return reverse(name, kwargs=kwargs)


def expected(rule, role, name):
    """'ok' (may open), 'login' (sent to log in), 'forbidden' (403) or 'not_found' (404)."""
    if rule.is_public:
        return "ok"
    if role == "anonymous":
        return "login"
    effective = "partner_editor" if role == "other_partner" else role
    if effective not in rule.roles:
        return "forbidden"
    scoped = any(key.startswith("pk:") for key in KWARGS.get(name, []))
    if role == "other_partner" and scoped:
        return "not_found"
    if role == "partner_viewer" and name in EDIT_VIEWS:
        return "forbidden"
    return "ok"


def outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return {403: "forbidden", 404: "not_found"}.get(response.status_code, "ok")


@pytest.mark.django_db
def test_every_role_gets_what_the_rule_of_every_url_says(clients, objects):
    mismatches = []
    for name, callback in own_patterns():
        assert name, f"{callback} has no URL name"
        rule = access.rule_for(callback)
        url = url_for(name, objects)
        for role in ROLES:
            response = clients[role].get(url)
            if response.status_code == 405:  # POST-only: the check must hold for POST too
                with transaction.atomic():
                    response = clients[role].post(url)
                    transaction.set_rollback(True)
            assert response.status_code < 500, (url, role)
            want, got = expected(rule, role, name), outcome(response)
            if want != got:
                mismatches.append(f"{url} as {role}: expected {want}, got {got}")
    assert mismatches == []


@pytest.mark.django_db
def test_the_admin_is_for_the_programme_team_only(clients):
    assert clients["programme_team"].get("/admin/").status_code == 200
    # The admin's own login only passes visitors on to allauth's login (with its second
    # factor); a logged-in user without access is refused there.
    for role in ["desk_advisor", "partner_editor", "anonymous"]:
        response = clients[role].get("/admin/", follow=True)
        first_hop = response.redirect_chain[0][0]
        assert first_hop.startswith("/admin/login/")
        if role == "anonymous":
            assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
        else:
            assert response.status_code == 403


@pytest.mark.django_db
def test_a_partner_page_reads_the_users_memberships_once(editor_client, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = editor_client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_edit"] is True
    reads = [
        query["sql"]
        for query in context.captured_queries
        if 'WHERE "partners_membership"."user_id"' in query["sql"]
    ]
    assert len(reads) == 1
