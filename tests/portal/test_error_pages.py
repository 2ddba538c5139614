import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_unknown_page_gets_the_portals_404_in_dutch(settings):
    settings.DEBUG = False
    response = Client().get("/bestaat-niet/")
    assert response.status_code == 404
    text = response.content.decode()
    assert '<html lang="nl">' in text
    assert "Pagina niet gevonden" in text


def test_a_page_outside_the_role_gets_the_portals_403(settings, editor_client):
    settings.DEBUG = False
    response = editor_client.get(reverse("partners-organisation-list"))
    assert response.status_code == 403
    assert "Your role does not give access to this page." in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html or "Er ging iets mis" in html
    assert "{%" not in html
