"""The cache of public pages (portal/cache.py): shared by anonymous visitors, fresh on change."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.cache import VERSION_KEY
from portal.models import SiteSettings
from tests.conftest import ENGLISH
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    OrganisationFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    agreement = AgreementFactory(name="Manifest gelijke stagekansen", is_public=True)
    CommitmentFactory(agreement=agreement, title="Anonymous applications")
    SignatureFactory(agreement=agreement, organisation=OrganisationFactory(name="ROC Mondriaan"))
    return agreement


def _public_urls(agreement):
    return [
        reverse("home"),
        reverse("partners-public-agreement-list"),
        reverse("partners-public-agreement", args=[agreement.slug]),
    ]


def test_second_anonymous_request_renders_nothing_and_makes_no_query(
    agreement, django_assert_num_queries
):
    for url in _public_urls(agreement):
        first = Client(**ENGLISH).get(url)
        with django_assert_num_queries(0):
            second = Client(**ENGLISH).get(url)
        assert first.status_code == second.status_code == 200
        assert first.templates and not second.templates
        assert second.content == first.content
        assert b"csrfmiddlewaretoken" not in second.content


def test_cached_response_keeps_the_headers_the_middleware_adds(agreement):
    url = reverse("partners-public-agreement", args=[agreement.slug])
    first = Client(**ENGLISH).get(url)
    second = Client(**ENGLISH).get(url)
    assert not second.templates
    for header in (
        "Content-Security-Policy",
        "Content-Security-Policy-Report-Only",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Content-Language",
        "Content-Type",
        "Vary",
    ):
        assert second.get(header) == first.get(header), header
    assert second.get("Content-Security-Policy") or second.get(
        "Content-Security-Policy-Report-Only"
    )
    assert second["Content-Language"] == "en"
    assert "csrftoken" not in first.cookies and "csrftoken" not in second.cookies


def test_a_change_shows_at_once(agreement):
    url = reverse("partners-public-agreement", args=[agreement.slug])
    client = Client(**ENGLISH)
    client.get(url)

    agreement.name = "Manifest voor gelijke stagekansen"
    agreement.save()
    assert "Manifest voor gelijke stagekansen" in client.get(url).content.decode()

    commitment = agreement.commitments.get()
    commitment.title = "Applications without a name"
    commitment.save()
    assert "Applications without a name" in client.get(url).content.decode()

    SignatureFactory(agreement=agreement, organisation=OrganisationFactory(name="Hogeschool"))
    assert "Hogeschool" in client.get(url).content.decode()

    organisation = agreement.signatures.get(organisation__name="ROC Mondriaan").organisation
    organisation.name = "ROC Mondriaan Delft"
    organisation.save()
    assert "ROC Mondriaan Delft" in client.get(url).content.decode()

    agreement.signatures.filter(organisation=organisation).get().delete()
    assert "ROC Mondriaan Delft" not in client.get(url).content.decode()


def test_a_change_to_the_site_settings_renders_the_pages_again(agreement):
    url = reverse("home")
    Client(**ENGLISH).get(url)
    SiteSettings.get_solo().save()
    assert Client(**ENGLISH).get(url).templates


def test_the_version_changes_again_when_the_change_commits(django_capture_on_commit_callbacks):
    # A page rendered between the save and the commit shows the old data; it must not be
    # served once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        AgreementFactory(is_public=True)
        during = cache.get(VERSION_KEY)
        assert during is not None
    assert cache.get(VERSION_KEY) != during


def test_many_changes_in_one_transaction_invalidate_once_after_the_commit(
    django_capture_on_commit_callbacks,
):
    from portal.cache import invalidate

    with django_capture_on_commit_callbacks() as callbacks:
        agreement = AgreementFactory(is_public=True)
        for number in range(3):
            SignatureFactory(agreement=agreement)
            CommitmentFactory(agreement=agreement, title=f"Commitment {number}")
    assert callbacks.count(invalidate) == 1


def test_logged_in_users_get_fresh_pages(agreement, programme_client):
    url = reverse("partners-public-agreement", args=[agreement.slug])
    Client(**ENGLISH).get(url)
    response = programme_client.get(url)
    assert response.templates
    assert "Log out" in response.content.decode()
    assert programme_client.get(url).templates
    assert "Log out" not in Client(**ENGLISH).get(url).content.decode()


def test_dutch_and_english_are_cached_separately(agreement):
    url = reverse("home")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl").get(url).content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="nl">' in dutch
    assert Client(HTTP_ACCEPT_LANGUAGE="nl").get(url).content.decode() == dutch
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode() == english


def test_the_language_switch_works_on_a_cached_page_for_a_new_visitor(agreement):
    url = reverse("partners-public-agreement", args=[agreement.slug])
    Client(HTTP_ACCEPT_LANGUAGE="nl").get(url)
    visitor = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="nl")
    page = visitor.get(url)
    assert not page.templates
    assert f'action="{reverse("set_language")}"' in page.content.decode()

    response = visitor.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert visitor.cookies["django_language"].value == "en"
    assert '<html lang="en">' in visitor.get(url).content.decode()


def test_the_language_switch_redirects_only_within_the_site(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_visitor_with_a_message_gets_it_and_it_is_not_cached(agreement, programme_client):
    url = reverse("home")
    Client(**ENGLISH).get(url)
    response = programme_client.post(reverse("account_logout"), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "You have signed out." in response.content.decode()
    assert "You have signed out." not in Client(**ENGLISH).get(url).content.decode()
    assert "You have signed out." not in programme_client.get(url).content.decode()


def test_other_answers_are_not_cached(client):
    url = reverse("partners-public-agreement", args=["does-not-exist"])
    assert client.get(url).status_code == 404
    assert client.get(url).templates


def test_query_strings_are_cached_apart(agreement):
    url = reverse("partners-public-agreement-list")
    page = Client(**ENGLISH).get(url + "?a=1").content.decode()
    assert 'value="/afspraken/?a=1"' in page
    assert 'value="/afspraken/?a=2"' in Client(**ENGLISH).get(url + "?a=2").content.decode()


def test_pages_are_rendered_when_the_cache_is_down(agreement, client, monkeypatch):
    from portal import cache as public_cache

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    monkeypatch.setattr(public_cache, "cache", Down())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates


def test_an_import_renders_the_pages_again(
    agreement, programme_client, django_capture_on_commit_callbacks
):
    # Imports save in bulk, which sends no model signals; the import flow says so itself.
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("partners-public-agreement", args=[agreement.slug])
    Client(**ENGLISH).get(url)
    assert not Client(**ENGLISH).get(url).templates
    file = SimpleUploadedFile("o.csv", b"naam;soort\nROC Mondriaan;other\n")
    with django_capture_on_commit_callbacks(execute=True):
        upload = programme_client.post(
            reverse("import-upload", args=["organisations"]), {"file": file}
        )
        assert programme_client.post(upload["Location"]).status_code == 302
    assert Client(**ENGLISH).get(url).templates
