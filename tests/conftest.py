"""The named cast of users every test module can ask for, and clients logged in as them."""

import uuid

import pytest
from django.test import Client

from portal.models import StaffRole
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="ROC Voorbeeld")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Hogeschool Elders")


@pytest.fixture
def programme_user(db):
    return UserFactory(email="programma@example.org", staff_role=StaffRole.PROGRAMME_TEAM)


@pytest.fixture
def advisor_user(db):
    return UserFactory(email="loket@example.org", staff_role=StaffRole.DESK_ADVISOR)


@pytest.fixture
def editor_user(organisation):
    return MembershipFactory(
        user=UserFactory(email="redacteur@example.org"), organisation=organisation, role="editor"
    ).user


@pytest.fixture
def viewer_user(organisation):
    return MembershipFactory(
        user=UserFactory(email="lezer@example.org"), organisation=organisation, role="viewer"
    ).user


@pytest.fixture
def outsider_user(other_organisation):
    """A partner editor of another organisation."""
    return MembershipFactory(
        user=UserFactory(email="elders@example.org"), organisation=other_organisation
    ).user


@pytest.fixture
def handler_user(organisation):
    """A partner viewer of `organisation` who handles its internship reports (topic role)."""
    return MembershipFactory(
        user=UserFactory(email="meldpunt@example.org"),
        organisation=organisation,
        role="viewer",
        topics=["internship_reports"],
    ).user


@pytest.fixture
def handler_client(handler_user):
    return _client_for(handler_user)


# Tests read messages in English (the msgids); the Dutch default is tested on its own in
# tests/portal/test_translations.py and the browser tests.
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(**ENGLISH)


def _client_for(user):
    client = Client(**ENGLISH)
    client.force_login(user)
    return client


@pytest.fixture
def programme_client(programme_user):
    return _client_for(programme_user)


@pytest.fixture
def advisor_client(advisor_user):
    return _client_for(advisor_user)


@pytest.fixture
def editor_client(editor_user):
    return _client_for(editor_user)


@pytest.fixture
def viewer_client(viewer_user):
    return _client_for(viewer_user)


@pytest.fixture
def outsider_client(outsider_user):
    return _client_for(outsider_user)


@pytest.fixture
def clients(
    client, programme_client, advisor_client, editor_client, viewer_client, outsider_client
):
    """A client for every role, by role name."""
    return {
        "anonymous": client,
        "programme_team": programme_client,
        "desk_advisor": advisor_client,
        "partner_editor": editor_client,
        "partner_viewer": viewer_client,
        "other_partner": outsider_client,
    }


@pytest.fixture(autouse=True)
def fresh_public_pages():
    """Each test starts without cached public pages: a rolled-back test sends no signal."""
    from portal.cache import invalidate

    invalidate()


@pytest.fixture(autouse=True)
def own_api_throttle(settings):
    """Each test counts API requests afresh: the counters are in the shared cache."""
    settings.API_THROTTLE_NAMESPACE = f"api-throttle-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def celery_in_process():
    """Tasks run in-process unless a test asks for the real worker (`celery_worker`)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the configured (real) broker."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from portal.celery import app

    if not settings.CELERY_BROKER_URL:
        pytest.fail("CELERY_BROKER_URL is not set: the worker tests need the real broker")
    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING") as worker:
        yield worker
