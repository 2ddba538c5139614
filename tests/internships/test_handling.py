"""The handler's side of the internship reports (internships/views/handling.py)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from internships import services
from internships.models import InternalNote, Message, Outcome, Report, ReportStatusChange
from portal.models import AccessLog, OutgoingEmail
from tests.conftest import ENGLISH
from tests.factories import MembershipFactory, MessageFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("internships-report-list")
OVERDUE = reverse("internships-overdue")
DESCRIPTION = "Geheime omschrijving 7731 van wat er gebeurde"


def detail(report):
    return reverse("internships-report-detail", args=[report.pk])


def url(name, report):
    return reverse(name, args=[report.pk])


def listed(response):
    return [report.reference for report in response.context["page"]]


def logged_in(user):
    client = Client(**ENGLISH)
    client.force_login(user)
    return client


def access_logs(report, action):
    return AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Report),
        object_id=str(report.pk),
        action=action,
    )


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def private_root(tmp_path, settings):
    """Attachments in a temporary directory, not the development one."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    return tmp_path


def add_attachment(report, data=b"%PDF-1.4 verslag", name="verslag.pdf", kind="application/pdf"):
    upload = SimpleUploadedFile(name, data, content_type=kind)
    upload.content_type_checked = kind
    services._save_attachments(report, [upload], message=None, now=timezone.now())
    return report.attachments.latest("pk")


@pytest.fixture
def report(organisation):
    return ReportFactory(institution=organisation, routed_to=organisation, description=DESCRIPTION)


@pytest.fixture
def unrouted():
    return ReportFactory(routed_to=None, description=DESCRIPTION)


@pytest.fixture
def other_handler_client(other_organisation):
    """A handler of another organisation: a stranger to `organisation`'s reports."""
    user = MembershipFactory(
        user=UserFactory(email="meldpunt-elders@example.org"),
        organisation=other_organisation,
        role="viewer",
        topics=["internship_reports"],
    ).user
    return logged_in(user)


@pytest.fixture
def editor_elsewhere_handler_client(organisation, other_organisation):
    """An editor of `organisation` without the topic there, who handles reports elsewhere."""
    user = MembershipFactory(
        user=UserFactory(email="redacteur-elders@example.org"),
        organisation=organisation,
        role="editor",
    ).user
    MembershipFactory(
        user=user, organisation=other_organisation, role="viewer", topics=["internship_reports"]
    )
    return logged_in(user)


# Scoping ---------------------------------------------------------------------------------


def test_a_handler_sees_their_institutions_report_in_list_and_detail(handler_client, report):
    response = handler_client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [report.reference]
    response = handler_client.get(detail(report))
    assert response.status_code == 200
    assert DESCRIPTION in response.content.decode()


def test_an_editor_without_the_topic_gets_no_list_and_no_report(editor_client, report):
    assert editor_client.get(LIST).status_code == 403
    assert editor_client.get(detail(report)).status_code == 403


def test_a_member_without_the_topic_in_the_reports_organisation_gets_403(
    editor_elsewhere_handler_client, report
):
    client = editor_elsewhere_handler_client
    assert listed(client.get(LIST)) == []
    assert client.get(detail(report)).status_code == 403
    response = client.post(url("internships-report-note", report), {"note-body": "x"})
    assert response.status_code == 403
    assert not InternalNote.objects.exists()


def test_a_handler_of_another_organisation_gets_404(other_handler_client, report):
    assert listed(other_handler_client.get(LIST)) == []
    assert other_handler_client.get(detail(report)).status_code == 404
    response = other_handler_client.post(url("internships-report-message", report), {})
    assert response.status_code == 404


def test_a_partner_without_any_handler_role_is_refused(outsider_client, report):
    assert outsider_client.get(LIST).status_code == 403
    assert outsider_client.get(detail(report)).status_code == 403


def test_a_report_without_routing_is_only_for_the_programme_team(
    handler_client, programme_client, unrouted
):
    assert listed(handler_client.get(LIST)) == []
    assert handler_client.get(detail(unrouted)).status_code == 404
    assert listed(programme_client.get(LIST)) == [unrouted.reference]
    assert programme_client.get(detail(unrouted)).status_code == 200


def test_the_programme_team_sees_every_report(programme_client, report, unrouted):
    assert set(listed(programme_client.get(LIST))) == {report.reference, unrouted.reference}
    assert programme_client.get(detail(report)).status_code == 200


def test_the_list_shows_no_free_text(programme_client, organisation):
    ReportFactory(
        routed_to=organisation,
        description=DESCRIPTION,
        place="Bakkerij Geheim",
        ground_other="Iets geheims",
        anonymous=False,
        contact_name="Fatima Voorbeeld",
        contact_email="fatima@example.org",
    )
    MessageFactory(report=Report.objects.get(), body="Geheim bericht 9942")
    content = programme_client.get(LIST).content.decode()
    for text in (DESCRIPTION, "Bakkerij Geheim", "Iets geheims", "Fatima", "fatima@", "9942"):
        assert text not in content
    assert Report.objects.get().reference in content


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    response = client.get(detail(report))
    assert response.status_code == 302
    assert "login" in response["Location"]


# The list: order, filters, counts --------------------------------------------------------


def test_the_queue_shows_open_reports_first_by_deadline(handler_client, organisation):
    today = timezone.localdate()
    later = ReportFactory(routed_to=organisation, response_due=today + datetime.timedelta(days=9))
    sooner = ReportFactory(routed_to=organisation, response_due=today + datetime.timedelta(days=1))
    closed = ReportFactory(
        routed_to=organisation,
        status=Report.Status.CLOSED,
        outcome="advice_given",
        created_at=timezone.now() - datetime.timedelta(days=40),
        closed_at=timezone.now(),
        response_due=today - datetime.timedelta(days=30),
    )
    assert listed(handler_client.get(LIST)) == [
        sooner.reference,
        later.reference,
        closed.reference,
    ]


def test_the_list_filters_by_status_overdue_and_reference(handler_client, organisation):
    today = timezone.localdate()
    overdue = ReportFactory(routed_to=organisation, response_due=today - datetime.timedelta(days=2))
    referred = ReportFactory(routed_to=organisation, status=Report.Status.REFERRED)
    assert listed(handler_client.get(LIST, {"status": "referred"})) == [referred.reference]
    assert listed(handler_client.get(LIST, {"overdue": "on"})) == [overdue.reference]
    assert listed(handler_client.get(LIST, {"q": referred.reference.lower()})) == [
        referred.reference
    ]


def test_the_list_counts_reports_per_status(handler_client, organisation, other_organisation):
    ReportFactory.create_batch(2, routed_to=organisation)
    ReportFactory(routed_to=organisation, status=Report.Status.REFERRED)
    ReportFactory(routed_to=other_organisation)
    counts = {value: count for value, _label, count in handler_client.get(LIST).context["counts"]}
    assert counts == {"received": 2, "in_progress": 0, "referred": 1, "closed": 0}


def test_institution_and_routing_filters_are_for_the_programme_team(
    handler_client, programme_client, report, unrouted, organisation
):
    handler_form = handler_client.get(LIST).context["filter"].form
    assert "institution" not in handler_form.fields and "unrouted" not in handler_form.fields
    # A handler who sends them anyway still sees only their own queue.
    assert listed(handler_client.get(LIST, {"unrouted": "on"})) == [report.reference]
    assert listed(programme_client.get(LIST, {"unrouted": "on"})) == [unrouted.reference]
    assert listed(programme_client.get(LIST, {"institution": organisation.pk})) == [
        report.reference
    ]


def test_the_list_marks_an_unread_message_from_the_reporter(handler_client, organisation):
    unread = ReportFactory(routed_to=organisation)
    MessageFactory(report=unread)
    read = ReportFactory(routed_to=organisation)
    MessageFactory(report=read, read_at=timezone.now())
    rows = {r.reference: r.has_unread for r in handler_client.get(LIST).context["page"]}
    assert rows == {unread.reference: True, read.reference: False}
    assert listed(handler_client.get(LIST, {"unread": "on"})) == [unread.reference]


def test_the_list_pages(handler_client, organisation):
    ReportFactory.create_batch(51, routed_to=organisation)
    response = handler_client.get(LIST, {"page": 2})
    assert len(response.context["page"]) == 1


def test_the_overdue_list_shows_days_overdue(handler_client, organisation):
    today = timezone.localdate()
    overdue = ReportFactory(routed_to=organisation, response_due=today - datetime.timedelta(days=3))
    ReportFactory(
        routed_to=organisation,
        response_due=today - datetime.timedelta(days=3),
        first_response_at=timezone.now(),
    )
    ReportFactory(routed_to=organisation, response_due=today)
    response = handler_client.get(OVERDUE)
    assert response.status_code == 200
    assert [(r.reference, r.days_overdue) for r in response.context["page"]] == [
        (overdue.reference, 3)
    ]


# The detail ----------------------------------------------------------------------------


def test_every_view_of_a_report_writes_an_access_log_row(handler_client, handler_user, report):
    handler_client.get(detail(report))
    handler_client.get(detail(report))
    rows = access_logs(report, "view")
    assert rows.count() == 2
    assert {row.user_id for row in rows} == {handler_user.pk}


def test_the_detail_shows_contact_details_only_when_not_anonymous(handler_client, organisation):
    hidden = ReportFactory(routed_to=organisation, anonymous=True, contact_name="Verborgen Naam")
    named = ReportFactory(
        routed_to=organisation,
        anonymous=False,
        contact_name="Noor Voorbeeld",
        contact_email="noor@example.org",
    )
    assert "Verborgen Naam" not in handler_client.get(detail(hidden)).content.decode()
    content = handler_client.get(detail(named)).content.decode()
    assert "Noor Voorbeeld" in content and "noor@example.org" in content


def test_opening_the_detail_marks_the_reporters_messages_read(handler_client, report):
    message = MessageFactory(report=report)
    response = handler_client.get(detail(report))
    assert response.context["unread_ids"] == {message.pk}
    message.refresh_from_db()
    assert message.read_at is not None
    assert handler_client.get(detail(report)).context["unread_ids"] == set()


def test_the_dashboard_card_counts_the_handlers_reports(
    handler_client, organisation, other_organisation
):
    today = timezone.localdate()
    ReportFactory(routed_to=organisation, response_due=today - datetime.timedelta(days=1))
    answered = ReportFactory(routed_to=organisation, status=Report.Status.IN_PROGRESS)
    MessageFactory(report=answered)
    MessageFactory(report=ReportFactory(routed_to=other_organisation))
    content = handler_client.get(reverse("dashboard")).content.decode()
    assert "1 new report<" in content
    assert "1 report with a new message from the reporter" in content
    assert "2 open reports" in content
    assert "1 report is overdue for a first response" in content


def test_the_detail_offers_only_allowed_status_changes(handler_client, report):
    form = handler_client.get(detail(report)).context["status_form"]
    assert [value for value, _label in form.fields["status"].choices] == [
        "in_progress",
        "referred",
        "closed",
    ]


# Attachments -----------------------------------------------------------------------------


def test_an_attachment_download_returns_the_bytes_and_writes_a_log_row(
    handler_client, report, private_root
):
    attachment = add_attachment(report, name='../../etc/pass"wd.exe.pdf')
    # Stored encrypted on disk.
    stored = (private_root / attachment.file.name).read_bytes()
    assert b"%PDF-1.4 verslag" not in stored
    response = handler_client.get(
        reverse("internships-attachment", args=[report.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 verslag"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pass_wd_exe.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert access_logs(report, "download").count() == 1


def test_an_attachment_of_another_report_is_refused(
    handler_client, report, organisation, private_root
):
    other = ReportFactory(routed_to=organisation)
    attachment = add_attachment(other)
    response = handler_client.get(
        reverse("internships-attachment", args=[report.pk, attachment.pk])
    )
    assert response.status_code == 404
    assert not access_logs(report, "download").exists()


def test_a_stranger_cannot_download_an_attachment(other_handler_client, report, private_root):
    attachment = add_attachment(report)
    response = other_handler_client.get(
        reverse("internships-attachment", args=[report.pk, attachment.pk])
    )
    assert response.status_code == 404


# Status changes --------------------------------------------------------------------------


def post_status(client, report, **data):
    return client.post(
        url("internships-report-status", report),
        {f"status-{key}": value for key, value in data.items()},
    )


def test_taking_a_report_in_hand_counts_as_the_first_response(handler_client, report):
    response = post_status(handler_client, report, status="in_progress", note="Opgepakt")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "in_progress"
    assert report.first_response_at is not None
    change = report.status_changes.latest("pk")
    assert (change.from_status, change.to_status, change.note) == (
        "received",
        "in_progress",
        "Opgepakt",
    )


def test_closing_without_an_outcome_is_refused_with_a_message(handler_client, report):
    response = post_status(handler_client, report, status="closed")
    assert response.status_code == 400
    assert "Choose the outcome with which the report is closed." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "received"
    assert report.status_changes.count() == 1


def test_closing_with_an_outcome_records_it(handler_client, report):
    post_status(handler_client, report, status="closed", outcome="advice_given")
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("closed", "advice_given")
    assert report.closed_at is not None


def test_reopening_clears_the_outcome(handler_client, report):
    post_status(handler_client, report, status="closed", outcome="advice_given")
    response = post_status(handler_client, report, status="in_progress", note="Nieuwe informatie")
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.outcome, report.closed_at) == ("in_progress", "", None)


def test_an_illegal_status_change_is_refused_with_a_message(handler_client, report):
    post_status(handler_client, report, status="in_progress")
    response = post_status(handler_client, report, status="received")
    assert response.status_code == 400
    assert "Choose one of the statuses offered." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "in_progress"


def test_a_refusal_by_the_workflow_is_a_message_not_an_error(handler_client, report, monkeypatch):
    from portal.workflow import TransitionNotAllowed

    def refuse(**kwargs):
        raise TransitionNotAllowed("The status cannot change now.")

    monkeypatch.setattr(services, "report_transition", refuse)
    response = post_status(handler_client, report, status="in_progress")
    assert response.status_code == 302
    response = handler_client.get(response["Location"])
    assert "The status cannot change now." in page_messages(response)


def test_every_status_change_is_a_row_in_the_history(handler_client, handler_user, report):
    post_status(handler_client, report, status="in_progress")
    post_status(handler_client, report, status="referred", note="Naar het ADV")
    post_status(handler_client, report, status="closed", outcome="measures_taken")
    rows = ReportStatusChange.objects.filter(report=report).order_by("pk")
    assert [(r.from_status, r.to_status) for r in rows] == [
        ("", "received"),
        ("received", "in_progress"),
        ("in_progress", "referred"),
        ("referred", "closed"),
    ]
    assert {r.changed_by_id for r in rows[1:]} == {handler_user.pk}


def test_the_status_views_take_only_post(handler_client, report):
    for name in (
        "internships-report-status",
        "internships-report-message",
        "internships-report-note",
    ):
        assert handler_client.get(url(name, report)).status_code == 405


# Messages and notes ----------------------------------------------------------------------


def test_a_message_to_a_reporter_with_an_address_queues_an_e_mail_without_the_text(
    handler_client, organisation
):
    report = ReportFactory(
        routed_to=organisation,
        description=DESCRIPTION,
        anonymous=False,
        contact_name="Noor Voorbeeld",
        contact_email="noor@example.org",
    )
    response = handler_client.post(
        url("internships-report-message", report), {"message-body": "Wij bellen u dinsdag 4417."}
    )
    assert response.status_code == 302
    message = Message.objects.get(report=report)
    assert (message.direction, message.body) == ("to_reporter", "Wij bellen u dinsdag 4417.")
    email = OutgoingEmail.objects.get(to="noor@example.org")
    everything = email.subject + email.body_text + email.body_html
    for text in ("4417", DESCRIPTION, "Noor", report.receipt_code):
        assert text not in everything
    assert "/stages/opvolgen/" in email.body_text
    report.refresh_from_db()
    assert report.first_response_at is not None


def test_an_anonymous_reporter_gets_no_e_mail(handler_client, report):
    handler_client.post(url("internships-report-message", report), {"message-body": "Hallo"})
    assert Message.objects.filter(report=report).count() == 1
    assert not OutgoingEmail.objects.exists()


def test_a_note_never_appears_in_the_reporters_thread(handler_client, report):
    handler_client.post(url("internships-report-note", report), {"note-body": "Intern 5531"})
    assert InternalNote.objects.get(report=report).body == "Intern 5531"
    assert not Message.objects.filter(report=report).exists()
    context = handler_client.get(detail(report)).context
    assert all("5531" not in m.body for m in context["thread"])
    assert [n.body for n in context["notes"]] == ["Intern 5531"]
    assert not OutgoingEmail.objects.exists()


def test_an_empty_message_is_refused_and_the_other_input_kept(handler_client, report):
    response = handler_client.post(
        url("internships-report-message", report), {"message-body": "  "}
    )
    assert response.status_code == 400
    assert "Write the message." in response.content.decode()
    assert not Message.objects.exists()


def test_an_over_long_note_is_refused_and_kept_for_correction(handler_client, report):
    text = "x" * 5001
    response = handler_client.post(url("internships-report-note", report), {"note-body": text})
    assert response.status_code == 400
    assert response.context["note_form"]["body"].value() == text
    assert "error-summary" in response.content.decode()
    assert not InternalNote.objects.exists()


def test_nul_and_control_characters_are_stripped(handler_client, report):
    response = handler_client.post(
        url("internships-report-message", report), {"message-body": "Hal\x00lo\x07\r\nDag"}
    )
    assert response.status_code == 302
    assert Message.objects.get().body == "Hallo\nDag"
    response = handler_client.post(url("internships-report-note", report), {"note-body": "\x00"})
    assert response.status_code == 400


def test_script_in_a_message_is_shown_as_text(handler_client, report):
    handler_client.post(
        url("internships-report-message", report), {"message-body": "<script>alert(1)</script>"}
    )
    content = handler_client.get(detail(report)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_report_pages_are_not_kept_in_caches(handler_client, report):
    for address in (LIST, OVERDUE, detail(report)):
        assert "no-store" in handler_client.get(address)["Cache-Control"]


def test_no_message_goes_to_an_anonymised_report(handler_client, organisation):
    report = ReportFactory(
        routed_to=organisation,
        status=Report.Status.CLOSED,
        outcome="advice_given",
        created_at=timezone.now() - datetime.timedelta(days=400),
        closed_at=timezone.now() - datetime.timedelta(days=399),
        anonymised_at=timezone.now(),
        description="",
    )
    response = handler_client.post(
        url("internships-report-message", report), {"message-body": "Hallo"}
    )
    assert response.status_code == 302
    assert not Message.objects.exists()
    assert "anonymised" in page_messages(handler_client.get(response["Location"]))[0]


def test_the_list_never_decrypts_what_a_report_says(handler_client, organisation):
    from cryptography.fernet import Fernet
    from django.test import override_settings

    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        report = ReportFactory(routed_to=organisation, anonymous=False, contact_name="Naam")
    # With a key that cannot open the free text, the list still works: it never loads it.
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        response = handler_client.get(LIST)
        assert listed(response) == [report.reference]
        assert handler_client.get(OVERDUE).status_code == 200


def test_the_list_takes_as_many_queries_for_many_reports_as_for_one(
    handler_client, organisation, other_organisation
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert handler_client.get(LIST).status_code == 200
        return len(captured)

    MessageFactory(report=ReportFactory(routed_to=organisation, institution=organisation))
    one = queries()
    for _ in range(10):
        MessageFactory(report=ReportFactory(routed_to=organisation, institution=other_organisation))
    assert queries() == one


# Random input ----------------------------------------------------------------------------

# Text a browser can send: any Unicode except lone surrogates (not encodable as UTF-8).
RANDOM_TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300),
    st.sampled_from(["", " ", "\x00", "x" * 6000, "<script>alert(1)</script>", "closed"]),
)
RANDOM_FORM = st.fixed_dictionaries(
    {},
    optional={
        "status-status": st.one_of(RANDOM_TEXT, st.sampled_from(Report.Status.values)),
        "status-outcome": st.one_of(RANDOM_TEXT, st.sampled_from(Outcome.values)),
        "status-note": RANDOM_TEXT,
        "message-body": RANDOM_TEXT,
        "note-body": RANDOM_TEXT,
    },
)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    view=st.sampled_from(
        ["internships-report-status", "internships-report-message", "internships-report-note"]
    ),
    data=RANDOM_FORM,
)
def test_random_input_to_the_handlers_forms_never_gives_a_server_error(
    handler_client, report, view, data
):
    response = handler_client.post(url(view, report), data)
    assert response.status_code in (302, 400)
    report.refresh_from_db()
    assert report.status in Report.Status.values
    assert report.status != Report.Status.CLOSED or report.outcome


def test_an_outcome_is_asked_only_where_the_report_can_be_closed(handler_client, organisation):
    closed = ReportFactory(
        routed_to=organisation,
        status=Report.Status.CLOSED,
        outcome="advice_given",
        created_at=timezone.now() - datetime.timedelta(days=3),
        closed_at=timezone.now(),
    )
    form = handler_client.get(detail(closed)).context["status_form"]
    assert list(form.fields) == ["status", "note"]
    open_report = ReportFactory(routed_to=organisation)
    form = handler_client.get(detail(open_report)).context["status_form"]
    assert list(form.fields) == ["status", "outcome", "note"]


def test_the_detail_links_each_attachment(handler_client, report, private_root):
    attachment = add_attachment(report, name="verslag.pdf")
    content = handler_client.get(detail(report)).content.decode()
    assert reverse("internships-attachment", args=[report.pk, attachment.pk]) in content
    assert "verslag.pdf" in content
