"""The contact, privacy and accessibility pages show the site settings the programme team edits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import SiteSettings


@pytest.fixture
def site(db):
    site = SiteSettings.get_solo()
    site.organisation_name = "Programmabureau Testregio"
    site.street_address = "Proefstraat 12"
    site.postcode = "2511 AB"
    site.city = "Den Haag"
    site.email = "bureau@example.org"
    site.phone = "070 123 45 67"
    site.privacy_email = "fg@example.org"
    site.reply_working_days = 3
    site.accessibility_status = SiteSettings.AccessibilityStatus.B
    site.accessibility_evaluated_on = datetime.date(2026, 10, 15)
    site.accessibility_statement_url = "https://www.toegankelijkheidsverklaring.nl/register/1"
    site.save()
    return site


def test_contact_page_shows_the_programme_office_details(client, site):
    html = client.get(reverse("contact")).content.decode()
    assert "Programmabureau Testregio" in html
    assert "Proefstraat 12" in html
    assert "2511 AB Den Haag" in html
    assert 'href="mailto:bureau@example.org"' in html
    assert 'href="tel:0701234567"' in html
    assert 'href="mailto:fg@example.org"' in html
    assert "within 3 working days" in html
    assert "info@example.org" not in html
    assert "privacy@example.org" not in html


def test_contact_page_leaves_out_what_is_empty(client, db):
    site = SiteSettings.get_solo()
    site.phone = ""
    site.privacy_email = ""
    site.reply_working_days = 1
    site.save()
    html = client.get(reverse("contact")).content.decode()
    assert "tel:" not in html
    assert "Telephone" not in html
    # Without a privacy address, privacy questions go to the general address.
    assert html.count(f'href="mailto:{site.email}"') == 3
    assert "within 1 working day." in html


def test_privacy_page_gives_the_privacy_address(client, site):
    html = client.get(reverse("privacy")).content.decode()
    assert html.count('href="mailto:fg@example.org"') == 3
    assert "privacy@example.org" not in html


def test_accessibility_page_shows_status_evaluation_and_register_link(client, site):
    html = client.get(reverse("accessibility")).content.decode()
    assert "<strong>B: partially compliant</strong>" in html
    assert '<time datetime="2026-10-15">15 October 2026</time>' in html
    assert "has not been carried out yet" not in html
    assert 'href="https://www.toegankelijkheidsverklaring.nl/register/1"' in html
    assert 'href="mailto:bureau@example.org"' in html
    assert "within 3 working days" in html
    assert "toegankelijkheid@example.org" not in html


def test_accessibility_page_without_evaluation_says_so(client, db):
    html = client.get(reverse("accessibility")).content.decode()
    assert "<strong>C: first measures taken</strong>" in html
    assert "has not been carried out yet" in html
    assert "national register" not in html


def test_a_change_in_the_admin_shows_on_the_contact_page(client, programme_client, site):
    data = {
        "organisation_name": "Programmabureau Nieuw",
        "street_address": site.street_address,
        "postcode": site.postcode,
        "city": site.city,
        "email": "nieuw@example.org",
        "phone": site.phone,
        "privacy_email": "",
        "reply_working_days": 5,
        "accessibility_status": "C",
        "accessibility_evaluated_on": "",
        "accessibility_statement_url": "",
    }
    url = reverse("admin:portal_sitesettings_change")
    response = programme_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(reverse("contact")).content.decode()
    assert "Programmabureau Nieuw" in html
    assert 'href="mailto:nieuw@example.org"' in html


def _settings_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q for q in queries.captured_queries if "portal_sitesettings" in q["sql"]]


def test_the_settings_are_read_once_per_page_and_only_where_shown(client, site):
    assert len(_settings_queries(client, reverse("contact"))) == 1
    assert _settings_queries(client, reverse("partners-public-agreement-list")) == []
