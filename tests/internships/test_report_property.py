"""Random payloads at the report form: never a server error, and a report is saved whole (with
every attachment sent) or not at all."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from internships.forms.report import ReportForm
from internships.models import Attachment, Report, ReportStatusChange
from partners.models import Organisation

URL = "/stages/melden/"
FIELDS = [*ReportForm.base_fields, "csrfmiddlewaretoken", "unknown"]

# Text a browser can send: any Unicode except lone surrogates (not encodable as UTF-8).
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)
HUGE = st.sampled_from(["x" * 100_000, "é" * 20_000, "<script>" * 5_000, "\x00" * 1_000])
PLAUSIBLE = st.sampled_from(
    [
        "on",
        "",
        "0",
        "-1",
        "yes",
        "no",
        "other",
        "student",
        "mbo",
        "hbo",
        "application",
        "religion",
        "advice",
        "a@example.org",
        "06-12345678",
        "99999999999999999999",
        "2026-13-45",
        "1999-12-31",
        "3000-01-01",
        "NaN",
        "[]",
    ]
)
VALUE = st.one_of(TEXT, PLAUSIBLE, HUGE, st.integers().map(str))


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FILE_BYTES = st.one_of(
    st.binary(max_size=2_000),
    st.just(_png()),
    st.just(PDF),
    st.binary(max_size=200).map(lambda tail: b"%PDF-" + tail),
    st.binary(max_size=200).map(lambda tail: _png()[:40] + tail),
)
FILE_NAME = st.text(
    alphabet=st.characters(whitelist_categories=["L", "N"], whitelist_characters="._- "),
    min_size=1,
    max_size=40,
)
FILES = st.lists(st.tuples(FILE_NAME, FILE_BYTES), max_size=4)
PAYLOAD = st.dictionaries(
    st.sampled_from(FIELDS), st.one_of(VALUE, st.lists(VALUE, max_size=4)), max_size=len(FIELDS)
)


def valid_base(institution_pk):
    return {
        "reporter_role": "student",
        "institution": str(institution_pk),
        "level": "hbo",
        "phase": "internship",
        "grounds": ["origin"],
        "description": "Er werd een opmerking gemaakt over mijn afkomst.",
        "wish": "register",
        "anonymous": "yes",
        "consent": "on",
    }


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=PAYLOAD, files=FILES, start_valid=st.booleans())
def test_random_payloads_never_cause_a_server_error(payload, files, start_valid, quiet_settings):
    institution, _ = Organisation.objects.get_or_create(
        name="Hogeschool Eigenschap", kind=Organisation.Kind.UNIVERSITY_OF_APPLIED_SCIENCES
    )
    data = {**(valid_base(institution.pk) if start_valid else {}), **payload}
    if files:
        data["attachments"] = [SimpleUploadedFile(name, content) for name, content in files]
    reports, attachments = Report.objects.count(), Attachment.objects.count()

    # The test client raises any exception in the view instead of answering 500.
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(URL, data)

    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 200:
        assert b"error-summary" in response.content
    new_reports = Report.objects.count() - reports
    new_attachments = Attachment.objects.count() - attachments
    if new_reports:
        # All its parts: the report, its first status row and every file that was sent.
        assert new_reports == 1 and response.status_code == 302
        report = Report.objects.order_by("-pk").first()
        assert ReportStatusChange.objects.filter(report=report).count() == 1
        assert new_attachments == len(files) == report.attachments.count()
        assert report.description and "\x00" not in report.description
    else:
        assert new_attachments == 0


@pytest.fixture
def quiet_settings(settings, tmp_path):
    """No rate limit (this test posts far more than a person would), files in a temporary
    directory."""
    settings.INTERNSHIPS_REPORT_RATE = ""
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    return settings
