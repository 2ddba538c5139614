"""The public intake at /loket/aanmelden/: validation, success, dedupe, abuse protection."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from lokaal import services
from lokaal.forms.intake import normalise_postcode
from lokaal.models import Case, ReceivedIntake, Submission
from partners.models import Municipality
from portal.forms import normalise_phone
from portal.models import OutgoingEmail, PendingTask
from portal.queue import publish_pending_tasks
from tests.factories import CaseFactory, ShortageSubjectFactory

URL = "/loket/aanmelden/"
DONE_URL = "/loket/aanmelden/ontvangen/"


@pytest.fixture(autouse=True)
def no_counted_intakes():
    """The rate limit counts in the shared cache; every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def municipality(db):
    return Municipality.objects.create(name="Den Haag", in_region=True)


@pytest.fixture
def subject(db):
    return ShortageSubjectFactory(code="intake-vak", name="Wiskunde")


@pytest.fixture
def other_subject(db):
    return ShortageSubjectFactory(code="other", name="Overige vakken")


@pytest.fixture
def answers(municipality, subject):
    """A complete, valid intake as the browser posts it."""
    return {
        "name": "Fatima  el Amrani",
        "email": "Fatima.El.Amrani@Example.org",
        "phone": "06-12 34 56 78",
        "postcode": "2511ab",
        "municipality": str(municipality.pk),
        "origin_sector": "business_services",
        "education_level": "wo_master",
        "foreign_diploma": "on",
        "target_sectors": ["vo", "mbo"],
        "subjects": [str(subject.pk)],
        "hours_per_week": "24",
        "wished_start": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "heard_via": "social_media",
        "motivation": "Ik wil mijn kennis van wiskunde doorgeven.",
        "consent": "on",
    }


def post(client, data, **extra):
    """POST the form and let the task after its commit do the desk's work, as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(URL, data, **extra)


def shown_reference(client):
    """The reference the confirmation page shows this client."""
    return re.search(r'class="reference">([^<]+)<', client.get(DONE_URL).content.decode())[1]


def errors_of(response):
    form = response.context["form"]
    return {name: list(messages) for name, messages in form.errors.items()}


# The form -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_is_public_and_shows_every_field(client, municipality, subject):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in [
        "name",
        "email",
        "phone",
        "postcode",
        "municipality",
        "origin_sector",
        "education_level",
        "foreign_diploma",
        "target_sectors",
        "subjects",
        "other_subject",
        "hours_per_week",
        "wished_start",
        "is_status_holder",
        "heard_via",
        "motivation",
        "consent",
    ]:
        assert f'name="{name}"' in html, name
    assert "Den Haag" in html and "Wiskunde" in html
    # The consent links to the real privacy statement's desk section.
    assert f'href="{reverse("privacy")}#desk"' in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_the_form_speaks_the_visitors_language(municipality):
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl").get(URL)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(URL)
    assert '<html lang="nl">' in dutch.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Register with the regional desk" in english.content.decode()


@pytest.mark.django_db
def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client):
    html = client.get(URL).content.decode()
    trap = html[html.index('<div class="visually-hidden" aria-hidden="true">') :]
    trap = trap[: trap.index("</div>")]
    assert 'name="extra_info"' in trap
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert "style=" not in trap


# Success ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_intake_makes_a_case_and_shows_its_reference(
    client, answers, municipality, subject
):
    response = post(client, answers)
    assert response.status_code == 302 and response["Location"] == DONE_URL

    case = Case.objects.get()
    assert case.status == Case.Status.NEW
    assert case.name == "Fatima el Amrani"
    assert case.email == "fatima.el.amrani@example.org"
    assert case.phone == "+31612345678"
    assert case.postcode == "2511 AB"
    assert case.municipality == municipality
    assert case.target_sectors == ["vo", "mbo"]
    assert list(case.subjects.all()) == [subject]
    assert case.hours_per_week == 24 and case.foreign_diploma and case.consent_at
    assert case.submissions.get().language == "en"

    # The reference goes to the confirmation page in a signed cookie, not in the URL, and
    # nothing is written to the session.
    assert case.reference not in response["Location"]
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    done = client.get(DONE_URL)
    assert done.status_code == 200
    assert case.reference in done.content.decode()
    assert "within 5 working days" in done.content.decode()

    # The confirmation went through the outbox after the commit.
    email = OutgoingEmail.objects.get()
    assert email.to == "fatima.el.amrani@example.org" and case.reference in email.subject
    assert [m.to for m in mail.outbox] == [["fatima.el.amrani@example.org"]]


@pytest.mark.django_db
def test_a_dutch_intake_is_kept_and_confirmed_in_dutch(answers):
    response = post(Client(HTTP_ACCEPT_LANGUAGE="nl"), answers)
    assert response.status_code == 302
    assert Submission.objects.get().language == "nl"


@pytest.mark.django_db
def test_the_confirmation_page_without_an_intake_sends_to_the_form(client):
    response = client.get(DONE_URL)
    assert response.status_code == 302 and response["Location"] == URL


@pytest.mark.django_db
def test_someone_living_elsewhere_chooses_another_municipality(client, answers):
    answers["municipality"] = "other"
    assert post(client, answers).status_code == 302
    assert Case.objects.get().municipality is None


@pytest.mark.django_db
def test_optional_fields_may_stay_empty(client, answers):
    for name in [
        "phone",
        "subjects",
        "hours_per_week",
        "wished_start",
        "heard_via",
        "motivation",
        "foreign_diploma",
    ]:
        answers.pop(name)
    assert post(client, answers).status_code == 302
    case = Case.objects.get()
    assert case.phone == "" and case.hours_per_week is None and case.wished_start is None


# Bad input --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_empty_form_names_every_required_field_and_saves_nothing(client, municipality):
    response = post(client, {})
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors == {
        "name": ["Enter your name."],
        "email": ["Enter your e-mail address."],
        "postcode": ["Enter your postcode."],
        "municipality": [
            "Choose the municipality where you live; if it is not in the list, "
            "choose the last option."
        ],
        "origin_sector": ["Choose the sector you work in or last worked in."],
        "education_level": ["Choose your highest completed education."],
        "target_sectors": ["Choose at least one type of education where you would like to teach."],
        "consent": [
            "Tick the box to agree to the privacy statement: without it the desk cannot "
            "keep your details."
        ],
    }
    assert not Case.objects.exists() and not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_the_error_summary_links_to_each_field_and_takes_the_focus(client, municipality):
    html = post(client, {"postcode": "abc"}).content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert 'role="alert"' in summary and "autofocus" in summary
    assert 'href="#id_name"' in summary
    assert 'href="#id_origin_sector_0"' in summary  # the first radio button of the group
    assert "Postcode — Enter a Dutch postcode" in summary
    assert "<title>Error:" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_postcode_helptext id_postcode_error"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "Enter your name."),
        ("name", "x" * 151, "Your name can be at most 150 characters long."),
        ("email", "fatima@", "Enter an e-mail address in the form name@example.nl."),
        ("email", "a" * 250 + "@example.org", "An e-mail address can be at most 254"),
        ("phone", "12345", "Enter a phone number of ten digits"),
        ("phone", "06-1234567", "Enter a phone number of ten digits"),
        ("phone", "bel me maar", "Enter a phone number of ten digits"),
        ("postcode", "0123 AB", "Enter a Dutch postcode"),
        ("postcode", "2511", "Enter a Dutch postcode"),
        ("postcode", "2511 AB 12", "Enter a Dutch postcode"),
        ("municipality", "999999", "Choose a municipality from the list."),
        ("origin_sector", "pirate", "Choose one of the sectors in the list."),
        ("education_level", "phd", "Choose one of the education levels in the list."),
        ("target_sectors", ["hbo"], "Choose from the types of education in the list."),
        ("subjects", ["999999"], "Choose from the subjects in the list."),
        ("subjects", ["wiskunde"], "Choose from the subjects in the list."),
        ("hours_per_week", "0", "Enter at least 1 hour per week."),
        ("hours_per_week", "41", "Enter at most 40 hours per week."),
        ("hours_per_week", "twintig", "Enter the hours per week as a whole number"),
        ("wished_start", "2020-01-01", "Choose a date from today on"),
        ("wished_start", "2999-01-01", "Choose a date within 5 years from now."),
        ("wished_start", "volgend jaar", "Enter a date, for example 2026-09-01."),
        ("heard_via", "tv", "Choose one of the options in the list."),
        ("motivation", "m" * 4001, "Shorten your motivation to at most 4000 characters"),
        ("other_subject", "o" * 151, "Describe the subject in at most 150 characters."),
    ],
)
@pytest.mark.django_db
def test_a_wrong_value_is_refused_with_what_to_do(client, answers, field, value, message):
    answers[field] = value
    response = post(client, answers)
    assert response.status_code == 200
    assert any(text.startswith(message) for text in errors_of(response)[field])
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_without_consent_nothing_is_saved(client, answers):
    del answers["consent"]
    response = post(client, answers)
    assert list(errors_of(response)) == ["consent"]
    assert not Case.objects.exists()
    # What was typed is still there.
    assert "Fatima  el Amrani" in response.content.decode()


@pytest.mark.django_db
def test_choosing_other_subject_asks_which(client, answers, other_subject):
    answers["subjects"] = [str(other_subject.pk)]
    response = post(client, answers)
    assert errors_of(response) == {
        "other_subject": ["You chose “other”: write down which subject you mean."]
    }
    answers["other_subject"] = "Techniek"
    assert post(client, answers).status_code == 302
    assert Case.objects.get().other_subject == "Techniek"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("2511ab", "2511 AB"),
        (" 2511  AB ", "2511 AB"),
        ("9999zz", "9999 ZZ"),
        ("0123 AB", None),
        ("2511-AB", None),
    ],
)
def test_postcodes_are_normalised(typed, kept):
    assert normalise_postcode(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("06-12345678", "+31612345678"),
        ("070 123 45 67", "+31701234567"),
        ("(070) 123-4567", "+31701234567"),
        ("+31 6 1234 5678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+31 6 1234 567", None),
        ("0612345", None),
        ("+0 123456789", None),
        ("06 1234 5678 ext 2", None),
    ],
)
def test_phone_numbers_are_normalised(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.django_db
def test_html_in_text_is_kept_as_text_and_shown_escaped(client, answers):
    script = '<script>alert("x")</script><b>vet</b>'
    answers["motivation"] = script
    answers["name"] = script
    answers["consent"] = ""  # an error, so the form shows the answers again
    html = post(client, answers).content.decode()
    assert "<script>alert" not in html and "<b>vet</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    answers["consent"] = "on"
    assert post(client, answers).status_code == 302
    case = Case.objects.get()
    assert case.motivation == script and case.name == script
    assert case.submissions.get().data["motivation"] == script


# One person, several submissions ------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_intake_with_the_same_email_joins_the_open_case(client, answers):
    assert post(client, answers).status_code == 302
    case = Case.objects.get()
    answers["email"] = "fatima.el.amrani@example.org"
    answers["motivation"] = "Ik wil ook graag in het mbo lesgeven."
    assert post(client, answers).status_code == 302

    assert Case.objects.get() == case
    first, second = case.submissions.order_by("created_at")
    assert second.data["motivation"] == "Ik wil ook graag in het mbo lesgeven."
    # Nothing of the case is overwritten: anyone can type anyone's address.
    case.refresh_from_db()
    assert case.motivation == "Ik wil mijn kennis van wiskunde doorgeven."
    assert OutgoingEmail.objects.count() == 2
    # The page does not tell the sender that the address has a case, nor its reference: it
    # shows the intake's own reference, which leads the desk to the case it joined.
    shown = shown_reference(client)
    assert shown != case.reference
    assert ReceivedIntake.objects.get(reference=shown).case == case


@pytest.mark.django_db
def test_an_intake_after_a_closed_case_starts_a_new_case(client, answers):
    closed = CaseFactory(email="fatima.el.amrani@example.org", status=Case.Status.WITHDRAWN)
    assert post(client, answers).status_code == 302
    assert Case.objects.exclude(pk=closed.pk).get().submissions.count() == 1


@pytest.mark.django_db
def test_a_double_submit_adds_nothing_and_shows_the_same_success(client, answers):
    first = post(client, answers)
    second = post(client, answers)
    assert first["Location"] == second["Location"] == DONE_URL
    case = Case.objects.get()
    assert case.submissions.count() == 1
    assert OutgoingEmail.objects.count() == 1
    # The second intake's reference, on the page, leads to the case all the same.
    assert ReceivedIntake.objects.get(reference=shown_reference(client)).case == case

    # From another browser too (a reload after the cookie was lost).
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert post(other, answers).status_code == 302
    assert ReceivedIntake.objects.get(reference=shown_reference(other)).case == case
    assert Submission.objects.count() == 1
    assert set(ReceivedIntake.objects.values_list("outcome", flat=True)) == {
        "created",
        "duplicate",
    }


@pytest.mark.django_db
def test_the_same_answers_after_the_double_submit_window_are_a_new_submission(
    client, answers, time_machine
):
    post(client, answers)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=11))
    post(client, answers)
    assert Case.objects.get().submissions.count() == 2


# Abuse protection -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_filled_honeypot_shows_success_and_saves_nothing(client, answers):
    answers["extra_info"] = "https://spam.example"
    response = post(client, answers)
    assert response.status_code == 302 and response["Location"] == DONE_URL
    done = client.get(DONE_URL)
    assert done.status_code == 200 and "LOK-" not in done.content.decode()
    assert not Case.objects.exists() and not OutgoingEmail.objects.exists()
    assert not ReceivedIntake.objects.exists()


@pytest.mark.django_db
def test_too_many_intakes_from_one_client_get_429_with_the_answers_kept(answers, settings):
    settings.LOKAAL_INTAKE_RATE = "3/600"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.10")
    for number in range(3):
        answers["email"] = f"kandidaat{number}@example.org"
        assert post(client, answers).status_code == 302
    answers["email"] = "kandidaat3@example.org"
    response = post(client, answers)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert "Too many registrations at once" in html and "wait 10 minutes" in html
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Error: Register with the regional desk") and "<" not in title
    assert 'value="kandidaat3@example.org"' in html  # nothing typed is lost
    assert Case.objects.count() == 3

    # Another client is not affected.
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.11")
    assert post(other, answers).status_code == 302


@pytest.mark.django_db
def test_the_429_page_is_in_the_visitors_language(answers, settings):
    settings.LOKAAL_INTAKE_RATE = "1/60"
    client = Client(HTTP_ACCEPT_LANGUAGE="nl", REMOTE_ADDR="192.0.2.12")
    post(client, answers)
    response = post(client, answers)
    assert response.status_code == 429
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.django_db
def test_forms_with_mistakes_do_not_count_against_the_limit(answers, settings):
    settings.LOKAAL_INTAKE_RATE = "1/600"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.13")
    for _ in range(4):
        assert post(client, {**answers, "postcode": "nope"}).status_code == 200
    assert post(client, answers).status_code == 302


@pytest.mark.django_db
def test_robots_count_against_the_limit(answers, settings):
    settings.LOKAAL_INTAKE_RATE = "1/600"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.14")
    assert post(client, {**answers, "extra_info": "x"}).status_code == 302
    assert post(client, answers).status_code == 429


@pytest.mark.django_db
def test_behind_the_proxies_each_visitor_has_a_limit_of_their_own(answers, settings):
    # Behind nginx and a TLS proxy every request comes from the proxy's address; the client's
    # is the one the proxies put in X-Forwarded-For (TRUSTED_PROXY_COUNT).
    settings.LOKAAL_INTAKE_RATE = "1/600"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_ACCEPT_LANGUAGE": "en"}

    def visitor(address):
        return Client(**proxy, HTTP_X_FORWARDED_FOR=f"{address}, 10.0.0.1")

    assert post(visitor("198.51.100.1"), answers).status_code == 302
    other = {**answers, "email": "iemand.anders@example.org"}
    assert post(visitor("198.51.100.2"), other).status_code == 302
    assert post(visitor("198.51.100.1"), other).status_code == 429


@pytest.mark.parametrize("rate", ["", "0", "0/600", "nonsense"])
@pytest.mark.django_db
def test_the_limit_can_be_switched_off(answers, settings, rate):
    settings.LOKAAL_INTAKE_RATE = rate
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.15")
    for number in range(7):
        answers["email"] = f"k{number}@example.org"
        assert post(client, answers).status_code == 302


# Accepted, then processed ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_post_keeps_one_row_and_leaves_the_case_to_the_task(client, answers):
    response = client.post(URL, answers)  # no commit callbacks run: no task
    assert response.status_code == 302
    received = ReceivedIntake.objects.get()
    assert received.processed_at is None and received.case is None
    assert received.data["email"] == "fatima.el.amrani@example.org"
    assert received.language == "en"
    assert not Case.objects.exists() and not OutgoingEmail.objects.exists()
    # The page already shows the reference: the case's id is reserved for it.
    assert shown_reference(client) == received.reference
    assert received.reference.endswith(f"-{received.reserved_case_id:05d}")

    assert services.intake_process(received_pk=received.pk) == "created"
    case = Case.objects.get()
    assert case.pk == received.reserved_case_id and case.reference == received.reference
    # The deadline and the history count from when the intake was received.
    assert case.created_at == received.received_at
    received.refresh_from_db()
    assert received.case == case and received.processed_at and received.outcome == "created"
    assert received.data == {}  # the answers are in the submission now
    assert case.submissions.get().data["email"] == "fatima.el.amrani@example.org"


@pytest.mark.django_db
def test_processing_an_intake_twice_does_it_once(client, answers):
    post(client, answers)
    received = ReceivedIntake.objects.get()
    assert services.intake_process(received_pk=received.pk) is None
    assert Case.objects.count() == 1 and Submission.objects.count() == 1
    assert OutgoingEmail.objects.count() == 1


@pytest.mark.django_db
def test_beat_processes_an_intake_whose_task_did_not_run(client, answers, time_machine):
    client.post(URL, answers)  # the task is lost
    assert services.intakes_process_overdue() == 0  # its task may still be on its way
    time_machine.move_to(timezone.now() + services.INTAKE_PROCESS_GRACE)
    assert services.intakes_process_overdue() == 1
    assert Case.objects.get().reference == ReceivedIntake.objects.get().reference
    assert services.intakes_process_overdue() == 0


@pytest.mark.django_db
def test_the_desk_finds_a_case_by_the_reference_of_an_intake_that_joined_it(
    client, answers, programme_client
):
    post(client, answers)
    post(client, {**answers, "motivation": "Nog een keer."})
    joined = ReceivedIntake.objects.get(outcome="added")
    case = Case.objects.get()
    html = programme_client.get(
        reverse("lokaal-case-list"), {"view": "all", "q": joined.reference}
    ).content.decode()
    assert case.reference in html


# The broker down ----------------------------------------------------------------------------


def test_with_the_broker_down_the_intake_is_saved_and_processed_later(celery_worker, answers):
    """A web process whose broker is unreachable (nothing listens on port 9) keeps the intake."""
    db = connection.settings_dict
    code = (
        "from django.test import Client;"
        f"r = Client(HTTP_ACCEPT_LANGUAGE='nl').post('{URL}', {answers!r});"
        "assert r.status_code == 302, r.status_code"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    received = ReceivedIntake.objects.get()
    assert received.processed_at is None
    assert PendingTask.objects.get().args == [received.pk]
    assert mail.outbox == []

    # The broker is back: beat's job publishes the kept task, the worker makes the case and
    # queues the confirmation, and sends it.
    assert publish_pending_tasks() == 1
    from tests.portal.test_queue import wait_for

    assert wait_for(lambda: OutgoingEmail.objects.filter(status="sent").exists())
    case = Case.objects.get()
    assert case.reference == received.reference
    assert case.reference in OutgoingEmail.objects.get().subject
    assert [m.to for m in mail.outbox] == [["fatima.el.amrani@example.org"]]


# The way in ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_home_page_links_to_the_intake(client):
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_privacy_statement_says_how_long_the_desk_keeps_a_case(client, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "desk_case": 730}
    html = client.get(reverse("privacy")).content.decode()
    assert 'id="desk"' in html
    assert "for 730 days" in html
