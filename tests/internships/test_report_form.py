"""The public report form at /stages/melden/ and the page that shows the receipt code once."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from internships import services
from internships.models import Attachment, Message, Report, receipt_code_hash
from internships.views.report import DONE_COOKIE
from partners.models import Organisation, Sector
from portal.models import OutgoingEmail
from tests.factories import OrganisationFactory

URL = "/stages/melden/"
DONE_URL = "/stages/melden/ontvangen/"
FOLLOWUP_URL = "/stages/opvolgen/"

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_file(name="verslag.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def png_file(name="screenshot.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture(autouse=True)
def no_counted_reports():
    """The rate limits count in the shared cache; every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def institution(organisation):
    """The conftest's ROC (a school board) with the mbo sector: an educational institution."""
    sector, _ = Sector.objects.get_or_create(code=Sector.Code.MBO)
    organisation.sectors.add(sector)
    return organisation


@pytest.fixture
def answers(institution):
    """A complete, valid anonymous report as the browser posts it."""
    return {
        "reporter_role": "student",
        "institution": str(institution.pk),
        "level": "mbo",
        "phase": "application",
        "grounds": ["religion", "gender"],
        "ground_other": "",
        "description": "Bij het sollicitatiegesprek werd gezegd dat mijn hoofddoek af moest.",
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        "place": "Bedrijf X",
        "wish": "conversation",
        "anonymous": "yes",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "consent": "on",
        "extra_info": "",
    }


def post(client, answers, **extra):
    return client.post(URL, answers, **extra)


def shown_code(client):
    response = client.get(DONE_URL)
    assert response.status_code == 200
    return response.context["code"]


# The form ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_shows_every_question_in_fieldsets(client, institution):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert html.count("<fieldset") >= 6 and html.count("<legend") >= 6
    assert 'type="file" name="attachments"' in html and "multiple" in html
    assert "Another institution, or I do not know" in html
    assert f'<option value="{institution.pk}">ROC Voorbeeld</option>' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_only_educational_institutions_are_offered(client, institution):
    hbo = OrganisationFactory(
        name="Haagse Hogeschool", kind=Organisation.Kind.UNIVERSITY_OF_APPLIED_SCIENCES
    )
    wo = OrganisationFactory(name="Universiteit Leiden", kind=Organisation.Kind.UNIVERSITY)
    po_board = OrganisationFactory(name="Stichting Basisscholen")
    employer = OrganisationFactory(name="Bedrijf BV", kind=Organisation.Kind.EMPLOYER)
    closed = OrganisationFactory(
        name="Oude Hogeschool", kind=Organisation.Kind.UNIVERSITY, active=False
    )
    html = client.get(URL).content.decode()
    for shown in (institution, hbo, wo):
        assert f'value="{shown.pk}"' in html
    for hidden in (po_board, employer, closed):
        assert f'value="{hidden.pk}"' not in html
    # Nor can one be posted.
    response = post(client, {"institution": str(employer.pk)})
    assert "Choose an institution from the list." in response.content.decode()


@pytest.mark.django_db
def test_a_valid_anonymous_report_is_saved_encrypted_without_contact_data(
    client, answers, handler_user
):
    answers.update(contact_name="Fatima", contact_email="f@example.org", contact_phone="0612345678")
    response = post(client, answers)
    assert response.status_code == 302 and response["Location"] == DONE_URL
    report = Report.objects.get()
    assert report.anonymous is True
    assert (report.contact_name, report.contact_email, report.contact_phone) == ("", "", "")
    assert report.grounds == ["religion", "gender"] and report.level == "mbo"
    assert report.institution.name == "ROC Voorbeeld" and report.language == "en"
    assert report.description.startswith("Bij het sollicitatiegesprek")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT description, place, contact_email FROM internships_report WHERE id = %s",
            [report.pk],
        )
        description, place, email = cursor.fetchone()
    assert "hoofddoek" not in description and description.startswith("gAAAAA")
    assert "Bedrijf" not in place and email == ""
    # The institution's handler is told that there is a report, not what it says.
    assert report.routed_to == report.institution
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [handler_user.email]
    for mail in OutgoingEmail.objects.all():
        assert "hoofddoek" not in str(mail.__dict__)


@pytest.mark.django_db
def test_contact_details_are_kept_when_the_reporter_leaves_them(client, answers):
    answers.update(
        anonymous="no",
        contact_name="  Fatima   el Amrani ",
        contact_email="Fatima@Example.org",
        contact_phone="06-12345678",
    )
    assert post(client, answers).status_code == 302
    report = Report.objects.get()
    assert report.anonymous is False
    assert report.contact_name == "Fatima el Amrani"
    assert report.contact_email == "fatima@example.org"
    assert report.contact_phone == "+31612345678"


@pytest.mark.django_db
def test_with_contact_details_an_email_or_phone_is_needed(client, answers):
    answers.update(anonymous="no", contact_name="Fatima")
    response = post(client, answers)
    assert response.status_code == 200
    assert "Enter an e-mail address or a phone number" in response.content.decode()
    answers["contact_phone"] = "0701234567"
    assert post(client, answers).status_code == 302
    assert Report.objects.get().contact_email == ""


@pytest.mark.django_db
def test_a_wrong_email_address_is_refused_only_when_contact_is_wanted(client, answers):
    answers.update(anonymous="no", contact_email="geen adres")
    response = post(client, answers)
    assert "Enter an e-mail address in the form name@example.nl." in response.content.decode()
    answers["anonymous"] = "yes"
    assert post(client, answers).status_code == 302


@pytest.mark.django_db
def test_the_other_institution_choice_leaves_the_report_to_the_programme_team(client, answers):
    answers["institution"] = "other"
    assert post(client, answers).status_code == 302
    report = Report.objects.get()
    assert report.institution is None and report.routed_to is None


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("reporter_role", "Choose who you are"),
        ("institution", "Choose the student&#x27;s institution"),
        ("level", "Choose the level of the student&#x27;s education."),
        ("phase", "Choose whether it happened while finding a placement"),
        ("grounds", "Choose at least one reason"),
        ("description", "Describe what happened."),
        ("wish", "Choose what you would like to happen with your report."),
        ("anonymous", "Choose whether you report anonymously"),
        ("consent", "Tick the box to agree"),
    ],
)
@pytest.mark.django_db
def test_each_missing_required_answer_has_its_message(client, answers, field, message):
    del answers[field]
    response = post(client, answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html and "The form has 1 error." in html
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_an_empty_form_names_every_missing_answer_in_the_summary(client, institution):
    response = post(client, {})
    form = response.context["form"]
    assert set(form.errors) == {
        "reporter_role",
        "institution",
        "level",
        "phase",
        "grounds",
        "description",
        "wish",
        "anonymous",
        "consent",
    }
    anchors = [anchor for _label, _message, anchor in form.error_summary()]
    assert "id_reporter_role_0" in anchors and "id_description" in anchors
    assert response.context["form"].is_bound and response.content.decode().startswith("<!DOCTYPE")
    assert "<title>Error:" in response.content.decode()


@pytest.mark.django_db
def test_over_long_text_is_refused_with_its_length(client, answers):
    answers["description"] = "x" * 5001
    response = post(client, answers)
    assert "at most 5000 characters (it has 5001)" in response.content.decode()
    answers["description"] = "x" * 5000
    answers["place"] = "p" * 201
    response = post(client, answers)
    assert "Write the place in at most 200 characters." in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_date_in_the_future_or_before_2000_is_refused(client, answers):
    answers["occurred_on"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "cannot be in the future" in post(client, answers).content.decode()
    answers["occurred_on"] = "1999-12-31"
    assert "from 2000 on" in post(client, answers).content.decode()
    answers["occurred_on"] = "2026-02-30"
    assert "Enter a date, for example" in post(client, answers).content.decode()
    answers["occurred_on"] = ""
    assert post(client, answers).status_code == 302
    assert Report.objects.get().occurred_on is None


@pytest.mark.django_db
def test_the_other_ground_needs_its_text(client, answers):
    answers["grounds"] = ["other"]
    response = post(client, answers)
    assert "You chose “other”: write down which reason you mean." in response.content.decode()
    answers["ground_other"] = "Mijn accent"
    assert post(client, answers).status_code == 302
    assert Report.objects.get().ground_other == "Mijn accent"


@pytest.mark.django_db
def test_other_ground_text_without_the_other_ground_is_not_kept(client, answers):
    answers["ground_other"] = "iets"
    assert post(client, answers).status_code == 302
    assert Report.objects.get().ground_other == ""


@pytest.mark.django_db
def test_nul_and_control_characters_are_dropped_not_a_server_error(client, answers):
    answers["description"] = "Eerste\x00 regel\r\ntweede\tregel\x1b[31m\x7f"
    answers["place"] = "\x00\x00"
    answers["ground_other"] = "\x00"
    response = post(client, answers)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.description == "Eerste regel\ntweede\tregel[31m"
    assert report.place == ""


@pytest.mark.django_db
def test_only_nul_characters_count_as_an_empty_description(client, answers):
    answers["description"] = "\x00" * 50
    response = post(client, answers)
    assert response.status_code == 200
    assert "Describe what happened." in response.content.decode()


@pytest.mark.django_db
def test_script_in_text_is_kept_as_typed_and_escaped_when_shown(client, answers):
    answers["description"] = "<script>alert('x')</script>"
    assert post(client, answers).status_code == 302
    assert Report.objects.get().description == "<script>alert('x')</script>"
    answers["description"] = "<script>alert('y')</script>" + "x" * 5000
    html = post(client, answers).content.decode()
    assert "<script>alert('y')" not in html and "&lt;script&gt;alert(&#x27;y&#x27;)" in html


@pytest.mark.django_db
def test_the_honeypot_shows_success_and_saves_nothing(client, answers):
    answers["extra_info"] = "https://spam.example"
    response = post(client, answers)
    assert response.status_code == 302 and response["Location"] == DONE_URL
    done = client.get(DONE_URL)
    assert done.status_code == 200 and done.context["code"] == ""
    assert "We have received your report" in done.content.decode()
    assert not Report.objects.exists() and not OutgoingEmail.objects.exists()


# Attachments ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_real_png_and_a_real_pdf_are_stored_encrypted(client, answers, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    answers["attachments"] = [png_file(), pdf_file("brief.png")]
    assert post(client, answers).status_code == 302
    report = Report.objects.get()
    stored = {a.original_name: a for a in report.attachments.all()}
    assert set(stored) == {"screenshot.png", "brief.png"}
    assert stored["screenshot.png"].content_type == "image/png"
    assert stored["brief.png"].content_type == "application/pdf"  # a PDF, whatever its name
    assert services.attachment_bytes(stored["brief.png"]) == MINIMAL_PDF
    on_disk = (tmp_path / stored["brief.png"].file.name).read_bytes()
    assert b"%PDF" not in on_disk


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.pdf", b"<html><body><script>alert(1)</script></body></html>"),
        ("y.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300),
    ],
)
@pytest.mark.django_db
def test_a_disguised_file_is_refused_and_nothing_is_saved(client, answers, name, content):
    answers["attachments"] = [png_file(), SimpleUploadedFile(name, content, "application/pdf")]
    response = post(client, answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"“{name}” is not a PDF or an image" in html
    assert "add them again" in html
    assert not Report.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_more_files_than_allowed_are_refused(client, answers, settings):
    settings.INTERNSHIPS_MAX_ATTACHMENTS = 2
    answers["attachments"] = [png_file("a.png"), png_file("b.png"), pdf_file()]
    response = post(client, answers)
    assert "Add at most 2 files" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(client, answers, settings):
    settings.INTERNSHIPS_MAX_ATTACHMENT_BYTES = 100
    answers["attachments"] = [pdf_file("groot.pdf")]
    response = post(client, answers)
    size = len(MINIMAL_PDF)
    assert f"“groot.pdf” is {size}\xa0bytes; a file can be at most 100\xa0bytes." in (
        response.content.decode()
    )
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_failing_attachment_leaves_nothing_half_saved(
    client, answers, monkeypatch, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    calls = []
    original = Attachment.save

    def fail_on_second(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", fail_on_second)
    answers["attachments"] = [png_file(), pdf_file()]
    with pytest.raises(OSError):
        post(client, answers)
    assert not Report.objects.exists()
    assert not Attachment.objects.exists()
    assert not OutgoingEmail.objects.exists()


# The rate limit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_too_many_reports_from_one_client_get_429_with_the_answers_kept(answers, settings):
    settings.INTERNSHIPS_REPORT_RATE = "2/600"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.20")
    for _ in range(2):
        assert post(client, answers).status_code == 302
    answers["description"] = "Het derde verhaal, dat niet verloren mag gaan."
    response = post(client, answers)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert "Too many reports at once" in html and "wait 10 minutes" in html.lower()
    assert "Het derde verhaal, dat niet verloren mag gaan." in html
    assert 'value="religion" id="id_grounds_0" checked' in html or (
        'name="grounds" value="religion"' in html and "checked" in html
    )
    assert Report.objects.count() == 2
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.21")
    assert post(other, answers).status_code == 302


@pytest.mark.django_db
def test_forms_with_mistakes_do_not_count_against_the_limit(answers, settings):
    settings.INTERNSHIPS_REPORT_RATE = "1/600"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.22")
    for _ in range(3):
        assert post(client, {**answers, "description": ""}).status_code == 200
    assert post(client, answers).status_code == 302
    assert post(client, answers).status_code == 429


# The done page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_done_page_shows_the_code_once(client, answers):
    response = post(client, answers)
    cookie = response.cookies[DONE_COOKIE]
    assert cookie["httponly"] and cookie["path"] == DONE_URL and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) <= 15 * 60
    report = Report.objects.get()

    first = client.get(DONE_URL)
    code = first.context["code"]
    html = first.content.decode()
    assert code and code in html
    assert "Write this code down now" in html and FOLLOWUP_URL in html
    assert "5 working days" in html
    assert "no-store" in first["Cache-Control"]
    # The code is not in the cookie as such, nor in the address.
    assert code not in cookie.value and code not in response["Location"]
    # The done page deletes the cookie.
    assert first.cookies[DONE_COOKIE].value == "" and first.cookies[DONE_COOKIE]["path"] == DONE_URL

    second = client.get(DONE_URL)
    assert second.status_code == 200
    assert code not in second.content.decode()
    assert "Your code was shown already" in second.content.decode()

    # The code opens the report; what is stored is its hash, not the code.
    assert services.report_find_by_code(code) == report
    assert report.receipt_code_hash == receipt_code_hash(code)
    assert code.replace("-", "") not in report.receipt_code_hash.upper()
    assert len(code.replace("-", "")) * 5 >= 80


@pytest.mark.django_db
def test_the_code_is_not_in_the_session_or_an_email(client, answers):
    post(client, answers)
    code = shown_code(client)
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        assert code not in str(session.get_decoded())
    for mail in OutgoingEmail.objects.all():
        assert code not in str(mail.__dict__)


@pytest.mark.django_db
def test_a_forged_or_old_done_cookie_shows_no_code(client, answers, monkeypatch):
    client.cookies[DONE_COOKIE] = "not-a-token"
    assert "Your code was shown already" in client.get(DONE_URL).content.decode()
    post(client, answers)
    from internships.views import report as report_view

    later = report_view.time.time() + report_view.DONE_COOKIE_MAX_AGE + 5
    monkeypatch.setattr(report_view.time, "time", lambda: later)
    assert client.get(DONE_URL).context["code"] is None


@pytest.mark.django_db
def test_the_code_opens_the_follow_up(client, answers):
    post(client, answers)
    code = shown_code(client)
    response = client.post(FOLLOWUP_URL, {"code": code.lower()})
    assert response.status_code == 302 and response["Location"] == "/stages/opvolgen/melding/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["report"] == Report.objects.get()
    assert not Message.objects.exists()


# The request-body limit -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_takes_three_files_of_ten_mb_but_no_more(client, answers):
    # The limit is decided from the declared length alone, whatever the method.
    within = 3 * 10 * 1024 * 1024 + 1024 * 1024
    assert client.get(URL, CONTENT_LENGTH=str(within)).status_code == 200
    too_much = 3 * 10 * 1024 * 1024 + 3 * 1024 * 1024
    response = client.get(URL, CONTENT_LENGTH=str(too_much))
    assert response.status_code == 413
    assert "at most 32.0\xa0MB" in response.content.decode()
    # Other pages keep the default limit.
    assert client.get("/", CONTENT_LENGTH=str(within)).status_code == 413


@pytest.mark.django_db
def test_an_error_report_shows_neither_what_was_typed_nor_the_code(
    client, answers, monkeypatch, caplog
):
    from django.views.debug import ExceptionReporter

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "report_submit", broken)
    client.raise_request_exception = False
    answers["description"] = "Zij zeiden iets over mijn hoofddoek."
    with caplog.at_level("ERROR", logger="django.request"):
        assert post(client, answers).status_code == 500
    record = caplog.records[-1]
    text = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
    assert "database gone" in text  # the report is there, without what the reporter typed
    assert "hoofddoek" not in text and "sollicitatiegesprek" not in text
