"""The anonymous follow-up at /stages/opvolgen/: a receipt code opens the report's status and
its messages, without an account; guessed codes learn nothing."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from internships import services
from internships.models import Attachment, Message, Report, new_receipt_code
from internships.views.followup import SESSION_KEY
from portal.models import AccessLog, OutgoingEmail
from tests.factories import MessageFactory, ReportFactory

URL = "/stages/opvolgen/"
REPORT_URL = "/stages/opvolgen/melding/"
LOGOUT_URL = "/stages/opvolgen/afsluiten/"
WRONG = "This code does not open a report."


@pytest.fixture(autouse=True)
def no_counted_attempts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def report(organisation, handler_user):
    """A report routed to the handler's institution, with a message each way and a note."""
    report = ReportFactory(institution=organisation, routed_to=organisation)
    MessageFactory(report=report, body="Ik heb nog een vraag over mijn melding.")
    MessageFactory(
        report=report,
        direction="to_reporter",
        body="Dank voor je melding, we nemen contact op met het bedrijf.",
        author=handler_user,
    )
    services.note_add(report=report, body="GEHEIM: bedrijf eerder gemeld", by=handler_user)
    return report


def open_report(client, report):
    response = client.post(URL, {"code": report.receipt_code})
    assert response.status_code == 302 and response["Location"] == REPORT_URL
    return client.get(REPORT_URL)


@pytest.mark.django_db
def test_the_code_form_is_not_cached(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'name="code"' in response.content.decode()


@pytest.mark.django_db
def test_the_right_code_shows_the_status_and_the_thread(client, report):
    before = client.session.session_key
    page = open_report(client, report)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Received" in html and "has been received" in html
    assert report.response_due.strftime("%Y") in html
    assert "Ik heb nog een vraag over mijn melding." in html
    assert "Dank voor je melding, we nemen contact op met het bedrijf." in html
    assert "The handler" in html and "You" in html
    # A new session key after the code (no fixation), short-lived, holding only the pk.
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == report.pk
    assert client.session.get_expiry_age() <= 30 * 60
    assert report.receipt_code not in str(dict(client.session.items()))
    # The reporter's reading is in the access log, without a user.
    assert AccessLog.objects.filter(object_id=str(report.pk), user=None).exists()


@pytest.mark.django_db
def test_internal_notes_are_never_shown(client, report):
    html = open_report(client, report).content.decode()
    assert "GEHEIM" not in html and "eerder gemeld" not in html


@pytest.mark.django_db
def test_opening_the_report_marks_the_handlers_messages_read(client, report):
    open_report(client, report)
    to_reporter = report.messages.get(direction=Message.Direction.TO_REPORTER)
    from_reporter = report.messages.get(direction=Message.Direction.FROM_REPORTER)
    assert to_reporter.read_at is not None
    assert from_reporter.read_at is None  # the handler reads those, not the reporter


@pytest.mark.django_db
def test_a_closed_report_shows_its_outcome(client, report, handler_user):
    services.report_transition(
        report=report, to=Report.Status.CLOSED, by=handler_user, outcome="advice_given"
    )
    html = open_report(client, report).content.decode()
    assert "Advice given" in html and "has been closed" in html


@pytest.mark.parametrize("code", ["", "ABCD-EFGH", "x" * 40, "🙂🙂🙂", "\x00\x00"])
@pytest.mark.django_db
def test_a_wrong_code_gets_one_generic_message_and_no_session(client, report, code):
    response = client.post(URL, {"code": code})
    assert response.status_code == 200
    html = response.content.decode()
    if code.strip("\x00"):
        assert WRONG in html
    else:
        assert "Enter the code you got after sending your report." in html
    assert SESSION_KEY not in client.session
    assert client.get(REPORT_URL)["Location"] == URL


@pytest.mark.django_db
def test_an_unknown_and_an_anonymised_code_get_the_same_answer(client, report):
    unknown = client.post(URL, {"code": new_receipt_code()})
    services.report_erase(report=report)
    anonymised = client.post(URL, {"code": report.receipt_code})
    assert anonymised.status_code == unknown.status_code == 200
    assert WRONG in anonymised.content.decode()
    form_of = {r: r.context["form"].errors.as_data() for r in (unknown, anonymised)}
    assert [str(e.message) for e in form_of[unknown]["code"]] == [
        str(e.message) for e in form_of[anonymised]["code"]
    ]
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_an_anonymised_report_closes_an_open_follow_up(client, report):
    open_report(client, report)
    Report.objects.filter(pk=report.pk).update(anonymised_at=timezone.now())
    response = client.get(REPORT_URL)
    assert response.status_code == 302 and response["Location"] == URL
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_the_code_as_typed_with_spaces_and_lower_case_works(client, report):
    typed = report.receipt_code.replace("-", " ").lower()
    assert client.post(URL, {"code": typed}).status_code == 302


@pytest.mark.django_db
def test_over_the_limit_even_the_right_code_is_refused(report, settings):
    settings.INTERNSHIPS_CODE_RATE = "3/900"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.30")
    for _ in range(3):
        assert client.post(URL, {"code": new_receipt_code()}).status_code == 200
    response = client.post(URL, {"code": report.receipt_code})
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    html = response.content.decode()
    assert "Too many attempts" in html and "wait 15 minutes" in html
    assert SESSION_KEY not in client.session
    # Another client is not affected.
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.31")
    assert other.post(URL, {"code": report.receipt_code}).status_code == 302


@pytest.mark.django_db
def test_right_codes_count_against_the_limit_too(report, settings):
    settings.INTERNSHIPS_CODE_RATE = "2/900"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.32")
    assert client.post(URL, {"code": report.receipt_code}).status_code == 302
    assert client.post(URL, {"code": report.receipt_code}).status_code == 302
    assert client.post(URL, {"code": report.receipt_code}).status_code == 429


@pytest.mark.django_db
def test_without_a_code_the_report_page_sends_to_the_code_form(client):
    response = client.get(REPORT_URL)
    assert response.status_code == 302 and response["Location"] == URL


@pytest.mark.django_db
def test_a_reply_is_saved_and_the_handlers_get_a_content_free_email(client, report, handler_user):
    open_report(client, report)
    OutgoingEmail.objects.all().delete()
    body = "Het bedrijf heeft me gebeld over mijn geloof."
    response = client.post(REPORT_URL, {"body": body})
    assert response.status_code == 302 and response["Location"] == REPORT_URL
    message = report.messages.latest("pk")
    assert message.body == body and message.direction == Message.Direction.FROM_REPORTER
    assert message.author is None
    mail = OutgoingEmail.objects.get()
    assert mail.to == handler_user.email
    assert "geloof" not in mail.subject + mail.body_text + mail.body_html
    assert report.receipt_code not in mail.body_text + mail.body_html
    page = client.get(REPORT_URL)
    assert "Your message has been sent to the handler." in page.content.decode()
    assert body in page.content.decode()


@pytest.mark.django_db
def test_a_reply_with_an_image_keeps_it_and_a_disguised_file_is_refused(
    client, report, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    open_report(client, report)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    fake = SimpleUploadedFile("bewijs.pdf", b"<html>nope</html>", "application/pdf")
    response = client.post(REPORT_URL, {"body": "Zie bijlage", "attachments": [fake]})
    assert response.status_code == 200
    assert "“bewijs.pdf” is not a PDF or an image" in response.content.decode()
    assert not Attachment.objects.exists()
    gif = SimpleUploadedFile("bewijs.gif", buffer.getvalue(), "image/gif")
    assert client.post(REPORT_URL, {"body": "Zie bijlage", "attachments": [gif]}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.message.body == "Zie bijlage" and attachment.content_type == "image/gif"


@pytest.mark.django_db
def test_an_empty_or_over_long_reply_is_refused(client, report):
    open_report(client, report)
    count = report.messages.count()
    assert "Write your message." in client.post(REPORT_URL, {"body": " \x00 "}).content.decode()
    html = client.post(REPORT_URL, {"body": "x" * 5001}).content.decode()
    assert "at most 5000 characters (it has 5001)" in html
    assert report.messages.count() == count


@pytest.mark.django_db
def test_stop_forgets_the_report(client, report):
    open_report(client, report)
    assert client.get(LOGOUT_URL).status_code == 405
    response = client.post(LOGOUT_URL)
    assert response.status_code == 302 and response["Location"] == URL
    assert SESSION_KEY not in client.session
    assert client.get(REPORT_URL)["Location"] == URL


@pytest.mark.django_db
def test_the_session_expires_after_half_an_hour(client, report):
    open_report(client, report)
    session = client.session
    assert session.get_expiry_date() <= timezone.now() + datetime.timedelta(minutes=31)


WITHDRAW_URL = "/stages/opvolgen/intrekken/"


@pytest.mark.django_db
def test_a_reporter_withdraws_and_the_report_is_erased_at_once(client, report):
    open_report(client, report)
    assert client.get(WITHDRAW_URL).status_code == 200

    unconfirmed = client.post(WITHDRAW_URL, {})
    assert unconfirmed.status_code == 400
    assert "Tick the box" in unconfirmed.content.decode()
    assert not Report.objects.get(pk=report.pk).is_anonymised

    response = client.post(WITHDRAW_URL, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == URL
    erased = Report.objects.get(pk=report.pk)
    assert erased.is_anonymised and erased.description == ""
    assert (erased.status, erased.outcome) == ("closed", "withdrawn")
    assert not erased.messages.exists() and not erased.notes.exists()
    # The session forgot it, and the code opens nothing any more.
    assert SESSION_KEY not in client.session
    assert client.post(URL, {"code": report.receipt_code}).status_code == 200


@pytest.mark.django_db
def test_withdrawing_needs_an_open_follow_up(client, report):
    assert client.get(WITHDRAW_URL)["Location"] == URL
    assert client.post(WITHDRAW_URL, {"confirm": "on"})["Location"] == URL
    assert not Report.objects.get(pk=report.pk).is_anonymised
