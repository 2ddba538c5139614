"""Random payloads at the intake POST: whatever arrives, the answer is never a server error."""

import datetime

import pytest
from django.test import Client, TestCase
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lokaal.forms.intake import IntakeForm
from lokaal.models import ReceivedIntake
from partners.models import Municipality

URL = "/loket/aanmelden/"
FIELDS = [*IntakeForm.base_fields, "csrfmiddlewaretoken", "unknown"]

# Text a browser can send: any Unicode except lone surrogates (not encodable as UTF-8).
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)
HUGE = st.sampled_from(["x" * 100_000, "é" * 20_000, "<script>" * 5_000, "\x00" * 1_000])
PLAUSIBLE = st.sampled_from(
    [
        "on",
        "",
        "0",
        "-1",
        "41",
        "24",
        "2511 AB",
        "06-12345678",
        "a@example.org",
        "other",
        "vo",
        "hbo",
        "business_services",
        "99999999999999999999",
        "2026-13-45",
        "1900-01-01",
        "NaN",
        "true",
        "[]",
        "{}",
    ]
)
VALUE = st.one_of(TEXT, PLAUSIBLE, HUGE, st.integers().map(str))
PAYLOAD = st.dictionaries(
    st.sampled_from(FIELDS), st.one_of(VALUE, st.lists(VALUE, max_size=4)), max_size=len(FIELDS)
)


def valid_base(municipality_pk):
    return {
        "name": "Test Kandidaat",
        "email": "kandidaat@example.org",
        "postcode": "2511 AB",
        "municipality": str(municipality_pk),
        "origin_sector": "other",
        "education_level": "hbo",
        "target_sectors": ["po"],
        "wished_start": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "consent": "on",
    }


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=PAYLOAD, start_valid=st.booleans())
def test_random_payloads_never_cause_a_server_error(payload, start_valid, django_settings):
    # Start from a valid intake half the time, so that payloads reach the service too.
    municipality, _ = Municipality.objects.get_or_create(name="Den Haag")
    data = {**(valid_base(municipality.pk) if start_valid else {}), **payload}
    # The test client raises any exception in the view instead of answering 500; the task
    # after the commit runs too, and must leave no intake unprocessed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(URL, data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 200:
        assert b"error-summary" in response.content
    assert not ReceivedIntake.objects.filter(processed_at__isnull=True).exists()


@pytest.fixture
def django_settings(settings):
    """No rate limit: this test posts far more than a person would."""
    settings.LOKAAL_INTAKE_RATE = ""
    return settings
