import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from kombu.exceptions import OperationalError

from lokaal import services
from lokaal.models import Case, ShortageSubject, TimelineKind
from partners.models import Municipality
from portal import retention
from portal.models import OutgoingEmail
from portal.tasks import send_outgoing_email
from tests.factories import (
    CaseFactory,
    MatchFactory,
    ShadowingSlotFactory,
    ShortageSubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def answers(**overrides):
    data = {
        "name": "Sanne de Wit",
        "email": "Sanne.de.Wit@Example.org ",
        "phone": "070 123 4567",
        "postcode": "2511 AB",
        "municipality": None,
        "origin_sector": "business_services",
        "education_level": "wo_master",
        "foreign_diploma": False,
        "target_sectors": ["vo", "mbo"],
        "subjects": [],
        "other_subject": "",
        "hours_per_week": 24,
        "wished_start": datetime.date(2027, 8, 1),
        "is_status_holder": False,
        "heard_via": "social_media",
        "motivation": "Ik wil wiskunde geven.",
        "consent": True,
    }
    data.update(overrides)
    return data


def submit(language="nl", **overrides):
    return services.intake_submit(data=answers(**overrides), language=language)


def test_an_intake_starts_a_new_case_with_its_first_status_and_submission(
    django_capture_on_commit_callbacks,
):
    subject = ShortageSubjectFactory(code="wiskunde")
    the_hague = Municipality.objects.create(name="Den Haag")
    with django_capture_on_commit_callbacks(execute=True):
        case, created = submit(subjects=[subject], municipality=the_hague)
    assert created
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    assert case.email == "sanne.de.wit@example.org"
    assert (case.name, case.municipality, list(case.subjects.all())) == (
        "Sanne de Wit",
        the_hague,
        [subject],
    )
    assert case.consent_at is not None and case.first_response_at is None
    assert case.identity_email_hash == services.identity_hash("sanne.de.wit@example.org")
    assert case.identity_name_hash == services.identity_hash("sanne de wit")
    assert [(c.from_status, c.to_status) for c in case.status_changes.all()] == [("", "new")]
    submission = case.submissions.get()
    assert submission.language == "nl"
    assert submission.data["subjects"] == [subject.pk]
    assert submission.data["municipality"] == the_hague.pk
    assert submission.data["wished_start"] == "2027-08-01"
    email = OutgoingEmail.objects.get()
    assert email.to == "sanne.de.wit@example.org"
    assert case.reference in email.subject and case.reference in email.body_text
    assert case.reference in email.body_html


def test_a_second_intake_with_the_same_email_joins_the_open_case_without_overwriting():
    case, _ = submit()
    again, created = submit(name="Iemand Anders", email="sanne.de.wit@example.org", phone="")
    assert not created and again == case
    case.refresh_from_db()
    assert (case.name, case.phone) == ("Sanne de Wit", "070 123 4567")
    first, second = case.submissions.all()
    assert first.data["name"] == "Sanne de Wit"
    assert second.data["name"] == "Iemand Anders"
    assert case.timeline.get().kind == TimelineKind.NOTE
    assert Case.objects.count() == 1
    assert OutgoingEmail.objects.count() == 2


def test_an_intake_after_the_case_was_closed_starts_a_new_case(advisor_user):
    case, _ = submit()
    services.case_transition(case=case, to=Case.Status.WITHDRAWN, by=advisor_user)
    new_case, created = submit()
    assert created and new_case != case
    assert new_case.submissions.count() == 1


@pytest.mark.parametrize(
    ("intake", "due"),
    [
        # Friday: the weekend does not count.
        (datetime.datetime(2027, 3, 5, 10, tzinfo=AMSTERDAM), datetime.date(2027, 3, 12)),
        # Christmas Eve: Christmas, Boxing Day, the weekend and New Year's Day do not count.
        (datetime.datetime(2026, 12, 24, 10, tzinfo=AMSTERDAM), datetime.date(2027, 1, 4)),
        # King's Day (Tuesday 27 April 2027) does not count.
        (datetime.datetime(2027, 4, 23, 10, tzinfo=AMSTERDAM), datetime.date(2027, 5, 3)),
    ],
)
def test_the_first_response_is_due_five_working_days_after_the_intake(intake, due):
    with time_machine.travel(intake, tick=False):
        case, _ = submit()
    assert case.first_response_due == due


def test_the_intake_is_saved_and_its_mail_kept_when_the_broker_is_down(
    monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:9. Connection refused.")

    monkeypatch.setattr(send_outgoing_email, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case, created = submit(language="en")
    assert callbacks, "the mail is published only after the commit"
    assert Case.objects.filter(pk=case.pk).exists()
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.PENDING
    assert case.reference in email.subject


def _earlier_case(email="sanne.de.wit@example.org", name="Sanne de Wit", years_ago=1):
    created = datetime.datetime(datetime.date.today().year - years_ago, 3, 1, 12, tzinfo=AMSTERDAM)
    return CaseFactory(
        created_at=created,
        status=Case.Status.PLACED,
        is_status_holder=True,
        identity_email_hash=services.identity_hash(email),
        identity_name_hash=services.identity_hash(services.normalise_name(name)),
    )


def test_a_status_holder_with_an_earlier_years_case_is_flagged_not_refused():
    earlier = _earlier_case(email="ander@example.org", name="Sanne  DE Wít")
    case, created = submit(is_status_holder=True)
    assert created
    assert case.funding_hit == earlier
    assert case.status == Case.Status.NEW
    note = case.timeline.get()
    assert earlier.reference in note.text and "double funding" in note.text


def test_no_funding_hit_for_a_case_of_the_same_year_or_for_other_candidates():
    _earlier_case(years_ago=0)
    case, _ = submit(is_status_holder=True)
    assert case.funding_hit is None
    assert not case.timeline.exists()

    _earlier_case(email="other@example.org", name="Other Person")
    not_a_status_holder, _ = submit(email="other@example.org", name="Other Person")
    assert not_a_status_holder.funding_hit is None


def test_the_first_status_change_is_the_first_response_and_closing_sets_closed_at(
    advisor_user,
):
    case = CaseFactory()
    services.case_transition(case=case, to=Case.Status.CONTACTED, by=advisor_user)
    first = Case.objects.get(pk=case.pk).first_response_at
    assert first is not None and Case.objects.get(pk=case.pk).closed_at is None
    services.case_transition(case=case, to=Case.Status.ON_HOLD, by=advisor_user)
    services.case_transition(case=case, to=Case.Status.NOT_SUITABLE, by=advisor_user)
    case.refresh_from_db()
    assert case.first_response_at == first
    assert case.closed_at is not None and not case.is_open


def test_a_first_call_or_email_is_the_first_response_and_a_note_is_not(advisor_user):
    case = CaseFactory()
    services.timeline_add(case=case, kind=TimelineKind.NOTE, text="Intern", by=advisor_user)
    assert Case.objects.get(pk=case.pk).first_response_at is None
    entry = services.timeline_add(case=case, kind=TimelineKind.CALL, text="Gebeld", by=None)
    assert Case.objects.get(pk=case.pk).first_response_at == entry.at


def test_a_case_is_assigned_only_to_the_desk(advisor_user, editor_user, programme_user):
    case = CaseFactory()
    services.case_assign(case=case, advisor=advisor_user, by=programme_user)
    assert Case.objects.get(pk=case.pk).assigned_to == advisor_user
    assert case.timeline.count() == 1
    with pytest.raises(ValidationError):
        services.case_assign(case=case, advisor=editor_user, by=programme_user)


def test_a_full_shadowing_slot_refuses_one_more_booking(advisor_user):
    slot = ShadowingSlotFactory(places=1)
    booking = services.shadowing_book(slot=slot, case=CaseFactory(), by=advisor_user)
    assert booking.case.timeline.get().kind == TimelineKind.SHADOWING
    with pytest.raises(ValidationError) as refused:
        services.shadowing_book(slot=slot, case=CaseFactory(), by=advisor_user)
    assert refused.value.code == "slot_full"
    with pytest.raises(ValidationError) as refused:
        services.shadowing_book(slot=slot, case=booking.case, by=advisor_user)
    assert refused.value.code == "already_booked"


def _closed_case_with_everything(advisor_user):
    case, _ = submit(is_status_holder=True)
    services.case_transition(case=case, to=Case.Status.CONTACTED, by=advisor_user, note="Sanne")
    services.timeline_add(
        case=case, kind=TimelineKind.CALL, text="Sanne gebeld op 06-1234", by=advisor_user
    )
    services.shadowing_book(slot=ShadowingSlotFactory(), case=case, by=advisor_user)
    MatchFactory(case=case, decision_reason="Sanne past goed")
    services.case_transition(case=case, to=Case.Status.WITHDRAWN, by=advisor_user)
    return case


def test_anonymising_keeps_the_figures_and_removes_the_person_everywhere(advisor_user):
    case = _closed_case_with_everything(advisor_user)
    services.case_anonymise(case=case)
    case.refresh_from_db()
    assert (case.name, case.email, case.phone, case.postcode, case.motivation) == ("",) * 5
    assert case.identity_email_hash == "" and case.anonymised_at is not None
    assert (case.status, case.origin_sector, case.target_sectors, case.is_status_holder) == (
        Case.Status.WITHDRAWN,
        "business_services",
        ["vo", "mbo"],
        True,
    )
    for row in case.history.all():
        assert (row.name, row.email, row.phone, row.motivation) == ("", "", "", "")
    data = case.submissions.get().data
    assert "name" not in data and "email" not in data and "motivation" not in data
    assert data["origin_sector"] == "business_services"
    assert set(case.timeline.values_list("text", flat=True)) == {""}
    assert set(case.status_changes.values_list("note", flat=True)) == {""}
    assert case.matches.get().decision_reason == ""
    assert "Sanne" not in json.dumps(services.case_export_data(case=case))


def test_the_retention_policy_anonymises_cases_closed_long_ago(advisor_user):
    old = _closed_case_with_everything(advisor_user)
    Case.objects.filter(pk=old.pk).update(
        closed_at=old.closed_at - datetime.timedelta(days=800),
        created_at=old.created_at - datetime.timedelta(days=900),
    )
    recent = _closed_case_with_everything(advisor_user)
    report = retention.purge_expired()
    assert report["desk_case"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.name == "" and old.anonymised_at is not None
    assert not old.history.exclude(name="").exists()
    assert recent.name == "Sanne de Wit"
    assert retention.purge_expired()["desk_case"] == 0


def test_the_export_holds_everything_the_desk_knows_about_the_person(advisor_user):
    case = _closed_case_with_everything(advisor_user)
    submit(email="sanne.de.wit@example.org")  # a new case: the old one is closed
    exported = services.case_export_data(case=case)
    json.dumps(exported)  # JSON-ready
    assert exported["case"]["name"] == "Sanne de Wit"
    assert exported["case"]["email"] == "sanne.de.wit@example.org"
    assert exported["case"]["motivation"] == "Ik wil wiskunde geven."
    assert len(exported["submissions"]) == 1
    assert [c["to"] for c in exported["status_changes"]] == ["new", "contacted", "withdrawn"]
    assert any(e["text"] == "Sanne gebeld op 06-1234" for e in exported["timeline"])
    assert len(exported["shadowing"]) == 1
    assert exported["matches"][0]["decision_reason"] == "Sanne past goed"


def test_the_shortage_subjects_of_the_seed_load_once():
    assert services.shortage_subjects_load() == services.shortage_subjects_load()
    assert ShortageSubject.objects.count() == len(services.SHORTAGE_TABLE_2026)
    maths = ShortageSubject.objects.get(code="wiskunde")
    assert (maths.name_nl, maths.name_en, int(maths.shortage_fte)) == (
        "Wiskunde",
        "Mathematics",
        116,
    )
    assert ShortageSubject.objects.filter(code=ShortageSubject.OTHER_CODE).exists()


def test_identity_hashes_are_keyed_and_normalised(settings):
    assert services.normalise_name("  Jan   de  Vrïes ") == "jan de vries"
    first = services.identity_hash("jan de vries")
    settings.LOKAAL_IDENTITY_KEY = "another key"
    assert services.identity_hash("jan de vries") != first
    assert services.identity_hash("") == ""


def test_a_user_without_a_desk_role_is_not_an_advisor():
    with pytest.raises(ValidationError):
        services.case_assign(case=CaseFactory(), advisor=UserFactory(), by=None)
