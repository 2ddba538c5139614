"""Every URL has an access rule, and every role gets what the rule says."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from partners.models import CommitmentProgress, Contact, Membership, Organisation, Signature
from portal import access
from portal.models import ImportUpload, Invitation
from tests.factories import (
    AgreementFactory,
    CaseFactory,
    CommitmentFactory,
    ContactFactory,
    SignatureFactory,
)

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
    "lokaal-room-create",
    "lokaal-room-edit",
    "lokaal-room-close",
    "lokaal-slot-create",
    "lokaal-slot-edit",
    "internships-commitments-edit",
    "monitoring-progress-create",
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


def desk_offers(organisation):
    """The desk's room, shadowing slot, booking and match at `organisation` (lokaal, P3)."""
    from tests.factories import MatchFactory, RoomFactory, ShadowingBookingFactory

    room = RoomFactory(organisation=organisation)
    booking = ShadowingBookingFactory(slot__organisation=organisation)
    return {
        "pk:room": room.pk,
        "pk:slot": booking.slot.pk,
        "pk:booking": booking.pk,
        "pk:match": MatchFactory(room=room).pk,
    }


def internship_objects(organisation, storage):
    """A report routed to `organisation`, with an attachment, and a manifesto signature."""
    from django.core.files.base import ContentFile

    from internships.models import Attachment
    from tests.factories import ReportFactory

    report = ReportFactory(routed_to=organisation, institution=organisation)
    attachment = Attachment(
        report=report, original_name="a.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("a", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    manifesto = AgreementFactory(slug="manifest-gelijke-stagekansen")
    CommitmentFactory(agreement=manifesto)
    return {
        "pk:report": report.pk,
        "attachment_pk:attachment": attachment.pk,
        "signature_pk:manifesto": SignatureFactory(
            organisation=organisation, agreement=manifesto
        ).pk,
    }


def monitoring_objects(organisation, storage, settings, tmp_path):
    """An agenda with a line and an activity led by `organisation` (with a progress update
    and its attachment), an indicator, a reporting round and a published monitor."""
    from django.core.files.base import ContentFile

    from monitoring.models import (
        Activity,
        Agenda,
        Indicator,
        Monitor,
        ProgrammeLine,
        ProgressUpdate,
        ReportingRound,
    )
    from portal import workflow

    settings.MEDIA_ROOT = tmp_path / "media"
    agenda = Agenda.objects.create(name="Agenda", slug="agenda", start_year=2026, end_year=2029)
    line = ProgrammeLine.objects.create(agenda=agenda, code="1", title="Lijn")
    activity = workflow.create(
        Activity(line=line, code="1.1", title="Activiteit", lead=organisation), by=None
    )
    update = ProgressUpdate(activity=activity, text="Voortgang", attachment_name="v.pdf")
    update.attachment.save("v.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    update.save()
    indicator = Indicator.objects.create(code="zij-instromers", name="Zij-instromers", unit="")
    year = 2025
    ReportingRound.objects.create(
        year=year, opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 3, 1)
    )
    monitor = Monitor(
        start_year=2024, end_year=2025, status=Monitor.Status.DONE, pages=1, size=9, checksum="0"
    )
    monitor.save()
    monitor.file.save("m.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    monitor.published_at = monitor.finished_at = timezone.now()
    monitor.save()
    return {
        "pk:agenda": agenda.pk,
        "slug:agenda": agenda.slug,
        "pk:line": line.pk,
        "pk:activity": activity.pk,
        "pk:progress": update.pk,
        "code:indicator": indicator.code,
        "pk:indicator": indicator.pk,
        "year:round": year,
        "pk:monitor": monitor.pk,
    }


@pytest.fixture
def private_files(tmp_path):
    """Report attachments written to a temporary directory instead of var/private."""
    from internships.models import Attachment
    from monitoring.models import ProgressUpdate
    from portal.crypto import PrivateEncryptedStorage

    storage = PrivateEncryptedStorage(location=tmp_path / "private")
    fields = [
        Attachment._meta.get_field("file"),
        ProgressUpdate._meta.get_field("attachment"),
    ]
    originals = [field.storage for field in fields]
    for field in fields:
        field.storage = storage
    yield storage
    for field, original in zip(fields, originals, strict=True):
        field.storage = original


@pytest.fixture
def objects(
    organisation, programme_user, editor_user, viewer_user, private_files, settings, tmp_path
):
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
        "pk:api_token": api_token_for(organisation, programme_user),
        "content_type": ContentType.objects.get_for_model(Organisation).pk,
        "year": 2025,
        "importer": "organisations",
        "file_format": "csv",
        "pk:case": CaseFactory().pk,
        **desk_offers(organisation),
        **internship_objects(organisation, private_files),
        **monitoring_objects(organisation, private_files, settings, tmp_path),
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
    "import-upload": ["importer"],
    "import-preview": ["importer", "pk:upload"],
    "import-template": ["importer", "file_format"],
    "partners-public-agreement": ["slug"],
    "invitation-accept": ["token"],
    "lokaal-case-detail": ["pk:case"],
    "lokaal-case-status": ["pk:case"],
    "lokaal-case-assign": ["pk:case"],
    "lokaal-case-timeline": ["pk:case"],
    "lokaal-case-route": ["pk:case"],
    "lokaal-case-programme": ["pk:case"],
    "lokaal-case-export": ["pk:case"],
    "lokaal-case-erase": ["pk:case"],
    "lokaal-partner-offers": ["pk:organisation"],
    "lokaal-room-create": ["pk:organisation"],
    "lokaal-room-edit": ["pk:room"],
    "lokaal-room-close": ["pk:room"],
    "lokaal-slot-create": ["pk:organisation"],
    "lokaal-slot-edit": ["pk:slot"],
    "lokaal-case-shadowing": ["pk:case"],
    "lokaal-booking-outcome": ["pk:booking"],
    "lokaal-case-matches": ["pk:case"],
    "lokaal-match-detail": ["pk:match"],
    "internships-report-detail": ["pk:report"],
    "internships-report-status": ["pk:report"],
    "internships-report-message": ["pk:report"],
    "internships-report-note": ["pk:report"],
    "internships-attachment": ["pk:report", "attachment_pk:attachment"],
    "internships-commitments-edit": ["signature_pk:manifesto", "year"],
    "monitoring-agenda-detail": ["slug:agenda"],
    "monitoring-agenda-edit": ["pk:agenda"],
    "monitoring-line-create": ["pk:agenda"],
    "monitoring-line-edit": ["pk:line"],
    "monitoring-activity-create": ["pk:line"],
    "monitoring-activity-detail": ["pk:activity"],
    "monitoring-activity-edit": ["pk:activity"],
    "monitoring-activity-status": ["pk:activity"],
    "monitoring-progress-create": ["pk:activity"],
    "monitoring-progress-attachment": ["pk:progress"],
    "monitoring-indicator-edit": ["pk:indicator"],
    "monitoring-round-detail": ["year:round"],
    "monitoring-round-edit": ["year:round"],
    "monitoring-chart-csv": ["code:indicator"],
    "monitoring-public-chart-csv": ["code:indicator"],
    "monitoring-monitor-detail": ["pk:monitor"],
    "monitoring-monitor-download": ["pk:monitor"],
    "monitoring-monitor-publish": ["pk:monitor"],
    "monitoring-public-monitor": ["pk:monitor"],
    "portal-token-revoke": ["pk:api_token"],
}


def api_token_for(organisation, user):
    import datetime

    from portal import api

    token, _key = api.issue_token(
        organisation=organisation,
        name="Access matrix",
        scopes=["figures:read"],
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
        created_by=user,
    )
    return token.pk


# The token pages are open to every logged-in user and then ask whether the user may give
# a token a scope: the programme team, or a topic role that nobody in the cast holds.
TOKEN_VIEWS = {"portal-token-create": "forbidden", "portal-token-revoke": "not_found"}


# The import views are open to any logged-in user and then apply the importer's own rule;
# an upload is only ever shown to the user who uploaded it.
IMPORT_VIEWS = {"import-upload", "import-preview", "import-template"}
UPLOADER_ONLY = {"import-preview"}
LOGIN_DOORS = ("/accounts/login/", "/admin/login/")
# The API answers to tokens only: a session, even the programme team's, gets 401 there,
# except on the schema, its documentation and the open data.
OPEN_API = {"api-schema", "api-docs", "api-open-data-figures", "api-open-data-indicators"}


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
    if name in TOKEN_VIEWS and effective != "programme_team":
        return TOKEN_VIEWS[name]
    if rule.topic is not None and effective != "programme_team":
        return "forbidden"  # nobody in the cast holds a topic role
    scoped = any(":" in key for key in KWARGS.get(name, []))
    if name in UPLOADER_ONLY and role != "programme_team":
        return "not_found"
    if role == "other_partner" and scoped:
        return "not_found"
    if role == "partner_viewer" and name in EDIT_VIEWS:
        return "forbidden"
    return "ok"


def outcome(response):
    """What the response means for access: 'method' when it says nothing (405)."""
    if response.status_code in (301, 302, 303) and any(
        door in response["Location"] for door in LOGIN_DOORS
    ):
        return "login"
    return {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method"}.get(
        response.status_code, "ok"
    )


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


# The matrix: every URL pattern, every role, GET and POST --------------------------------


def rule_of(name, callback, route, objects):
    if name in IMPORT_VIEWS:
        from portal.imports import get_importer

        return get_importer(objects["importer"]).access_rule
    return access.rule_for(callback, route)


def sample_path(route, objects):
    """A concrete path for a route of any kind (path() converters or regular expressions)."""
    samples = {
        "app_label": "partners",
        "object_id": str(objects["pk:organisation"]),
        "content_type_id": str(objects["content_type"]),
        "url": "nowhere/",
        "uidb36": "1",
        "key": "not-a-key",
        "token": objects["token"],
    }
    # Other parameters (a history record's id, ...) are numbers; 1 does not need to exist.
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(samples.get(m.group(1), 1)), route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(samples.get(m.group(1), 1)), route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\", "")


def all_patterns(objects):
    """(name, url, rule, kind) of every URL pattern: 'own', 'admin', 'allauth' or 'api'."""
    for name, route, callback in walk():
        rule = rule_of(name, callback, route, objects)
        if route.startswith("admin/"):
            yield name, sample_path(route, objects), rule, "admin"
        elif route.startswith("api/"):
            yield name, sample_path(route, objects), rule, "api"
        elif getattr(callback, "__module__", "").startswith("allauth."):
            yield name, sample_path(route, objects), rule, "allauth"
        elif name in ("set_language",):
            yield name, reverse(name), rule, "own"
        else:
            yield name, url_for(name, objects), rule, "own"


@pytest.fixture
def cast(programme_user, advisor_user, editor_user, viewer_user, outsider_user):
    """A client per role that checks CSRF tokens as the browser would, with its token."""
    users = {
        "anonymous": None,
        "desk_advisor": advisor_user,
        "partner_editor": editor_user,
        "partner_viewer": viewer_user,
        "other_partner": outsider_user,
        "programme_team": programme_user,
    }
    cast = {}
    for role, user in users.items():
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        # A page with a form sets the CSRF cookie; its value is the token a form sends.
        client.get(reverse("account_login") if user is None else reverse("dashboard"))
        cast[role] = (client, user, client.cookies[settings.CSRF_COOKIE_NAME].value)
    return cast


def request(client, user, token, method, url):
    if method == "GET":
        return client.get(url)
    with transaction.atomic():
        response = client.post(url, {"csrfmiddlewaretoken": token})
        transaction.set_rollback(True)
    if user is not None and "logout" in url:
        client.force_login(user)  # logged out by the POST: log in again for the next URL
    return response


def judge(kind, rule, role, name, got):
    """None when `got` matches the rule, else what was expected."""
    if kind == "api":
        want = "ok" if name in OPEN_API else "unauthorized"
        return None if got == want else want
    if kind == "own":
        want = expected(rule, role, name)
        return None if got == want else want
    if kind == "admin":
        if rule.is_public:
            return None
        if role == "programme_team":
            return None if got in ("ok", "not_found") else "ok"
        return None if got in ("login", "forbidden") else "refused"
    # allauth protects its pages itself: it may send anyone to log in, but never refuse a
    # request with a valid CSRF token.
    return None if got != "forbidden" else "ok or login"


def admin_refuses_everyone(name, url, method, user):
    """Whether the admin refuses this page to everyone, programme team or not.

    Read-only admins (the access log, pending tasks, the site-settings singleton) have no
    add or delete page; the autocomplete view refuses a request without a field that uses
    it, and no admin here has one. Those 403s are the page's own, not a role's.
    """
    if name == "admin:autocomplete":
        return True
    model_admin = getattr(resolve(url).func, "model_admin", None)
    if model_admin is None or user is None or not user.is_programme_team:
        return False
    request = RequestFactory().get(url)
    request.user = user
    action = name.rsplit("_", 1)[-1]
    if action == "add":
        return not model_admin.has_add_permission(request)
    if action == "delete":
        return not model_admin.has_delete_permission(request)
    if action == "change" and method == "POST":
        return not model_admin.has_change_permission(request)
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_the_rule_of_every_url_says_for_get_and_post(cast, objects, role):
    client, user, token = cast[role]
    mismatches, checked = [], 0
    for name, url, rule, kind in all_patterns(objects):
        assert rule is not None, f"{url} has no access rule"
        outcomes = {}
        for method in ("GET", "POST"):
            response = request(client, user, token, method, url)
            assert response.status_code < 500, (method, url, role)
            outcomes[method] = outcome(response)
        if kind == "allauth" and outcomes["GET"] == "login" and outcomes["POST"] != "login":
            mismatches.append(f"POST {url} as {role}: GET asks to log in, POST got {outcomes}")
        for method, got in outcomes.items():
            if got == "method":
                continue
            checked += 1
            want = judge(kind, rule, role, name, got)
            if want is not None and not admin_refuses_everyone(name, url, method, user):
                mismatches.append(f"{method} {url} as {role}: expected {want}, got {got}")
        assert set(outcomes.values()) != {"method"}, f"{url} answers neither GET nor POST"
    assert mismatches == []
    assert checked > 200


@pytest.mark.django_db
def test_the_matrix_covers_allauth_the_admin_and_the_import_views(objects):
    kinds = {(kind, name) for name, _url, _rule, kind in all_patterns(objects)}
    names = {name for _kind, name in kinds}
    assert {"account_login", "account_logout", "mfa_index"} <= names
    assert {"admin:index", "admin:partners_organisation_change", "admin:logout"} <= names
    assert {"api-batches", "api-figures", "api-schema"} <= names
    assert {kind for kind, _name in kinds} == {"own", "admin", "allauth", "api"}


# Objects through their organisation, and topic roles ------------------------------------


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_an_object_is_found_for_members_and_hidden_from_strangers(
    organisation, editor_user, viewer_user, outsider_user, programme_user, advisor_user
):
    contact = ContactFactory(organisation=organisation)
    for user in (editor_user, viewer_user, programme_user):
        assert access.get_object_for_user(_request(user), Contact, pk=contact.pk) == contact
    for user in (outsider_user, advisor_user):
        with pytest.raises(Http404):
            access.get_object_for_user(_request(user), Contact, pk=contact.pk)
    with pytest.raises(Http404):
        access.get_object_for_user(_request(programme_user), Contact, pk=contact.pk + 1000)


@pytest.mark.django_db
def test_a_viewer_may_see_but_not_change(organisation, editor_user, viewer_user, outsider_user):
    assert (
        access.get_object_for_user(
            _request(editor_user), Organisation, edit=True, via="", pk=organisation.pk
        )
        == organisation
    )
    with pytest.raises(PermissionDenied):
        access.get_object_for_user(
            _request(viewer_user), Organisation, edit=True, via="", pk=organisation.pk
        )
    # A stranger learns nothing, not even that the object exists.
    with pytest.raises(Http404):
        access.get_object_for_user(
            _request(outsider_user), Organisation, edit=True, via="", pk=organisation.pk
        )


@pytest.mark.django_db
def test_the_path_to_the_organisation_may_cross_relations(
    organisation, editor_user, outsider_user, django_assert_num_queries
):
    signature = SignatureFactory(organisation=organisation)
    progress = CommitmentProgress.objects.create(
        signature=signature, commitment=CommitmentFactory(agreement=signature.agreement), year=2025
    )
    request = _request(editor_user)
    access.memberships_of(editor_user)
    with django_assert_num_queries(1):  # the object and its signature in one query
        found = access.get_object_for_user(
            request, CommitmentProgress, via="signature__organisation", pk=progress.pk
        )
    assert found == progress
    with pytest.raises(Http404):
        access.get_object_for_user(
            _request(outsider_user),
            CommitmentProgress,
            via="signature__organisation",
            pk=progress.pk,
        )


@pytest.mark.django_db
def test_a_topic_opens_only_to_members_who_hold_it(organisation, editor_user, programme_user):
    contact = ContactFactory(organisation=organisation)
    with pytest.raises(PermissionDenied):
        access.get_object_for_user(
            _request(editor_user), Contact, topic="internship_reports", pk=contact.pk
        )
    assert access.get_object_for_user(
        _request(programme_user), Contact, topic="internship_reports", pk=contact.pk
    )
    Membership.objects.filter(user=editor_user).update(topics=["internship_reports"])
    editor_user = type(editor_user).objects.get(pk=editor_user.pk)  # a new request
    assert access.get_object_for_user(
        _request(editor_user), Contact, topic="internship_reports", pk=contact.pk
    )
    with pytest.raises(PermissionDenied):
        access.get_object_for_user(
            _request(editor_user), Contact, topic="desk_contact", pk=contact.pk
        )


def test_the_next_apps_topic_roles_are_registered():
    assert dict(access.topic_choices()).keys() >= {
        "desk_contact",
        "internship_reports",
        "figures_submitter",
    }


def test_unknown_topic_roles_are_refused():
    assert access.clean_topics(["figures_submitter", "desk_contact", "desk_contact"]) == [
        "desk_contact",
        "figures_submitter",
    ]
    with pytest.raises(ValidationError, match="Unknown topic role: partner_admin"):
        access.clean_topics(["desk_contact", "partner_admin"])
    for not_a_list in ("desk_contact", [["desk_contact"]], None):
        with pytest.raises(ValidationError):
            access.clean_topics(not_a_list)


def test_a_topic_key_cannot_be_registered_twice_with_different_labels():
    with pytest.raises(ValueError, match="already registered"):
        access.register_topic("desk_contact", "Something else")


@pytest.mark.django_db
def test_a_topic_view_is_for_the_programme_team_and_holders_of_the_topic(
    organisation, programme_user, editor_user, viewer_user, advisor_user
):
    @access.topic_required("figures_submitter")
    def figures(request):
        return HttpResponse("ok")

    def status(user):
        request = RequestFactory().get("/cijfers/")
        request.user = user
        try:
            return figures(request).status_code
        except PermissionDenied:
            return 403

    assert figures.access_rule.topic == "figures_submitter"
    assert status(AnonymousUser()) == 302
    assert status(programme_user) == 200
    assert status(editor_user) == 403
    assert status(advisor_user) == 403
    Membership.objects.filter(user=viewer_user).update(topics=["figures_submitter"])
    assert status(type(viewer_user).objects.get(pk=viewer_user.pk)) == 200


@pytest.mark.django_db
def test_memberships_load_roles_and_topics_in_one_query(
    editor_user, other_organisation, django_assert_num_queries
):
    Membership.objects.create(
        user=editor_user, organisation=other_organisation, role="viewer", topics=["desk_contact"]
    )
    with django_assert_num_queries(1):
        assert access.roles_of(editor_user) == {access.PARTNER_EDITOR, access.PARTNER_VIEWER}
        assert access.topics_of(editor_user) == {"desk_contact"}
        assert access.is_member(editor_user, other_organisation, topic="desk_contact")
        assert not access.is_member(editor_user, other_organisation, edit=True)


@pytest.mark.django_db
def test_the_programme_team_has_every_admin_permission(programme_user, editor_user):
    assert programme_user.has_perm("partners.change_organisation")
    assert programme_user.has_module_perms("partners")
    assert not editor_user.has_perm("partners.change_organisation")
