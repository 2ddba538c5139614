"""The case pipeline for desk advisors and the programme team (lokaal/views/cases.py)."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lokaal.models import Case, ReminderSent, TimelineEntry
from lokaal.services import reminders_send
from partners.models import Municipality, Sector
from portal.models import AccessLog, OutgoingEmail
from tests.factories import (
    CaseFactory,
    MatchFactory,
    ProgrammeYearFactory,
    ShadowingBookingFactory,
    ShortageSubjectFactory,
    SubmissionFactory,
    TimelineEntryFactory,
    TrainingRouteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("lokaal-case-list")


def detail(case):
    return reverse("lokaal-case-detail", args=[case.pk])


def listed(response):
    return [case.reference for case in response.context["page"]]


def past(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def access_logs(case, action):
    return AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk), action=action
    )


# The list ----------------------------------------------------------------------------


def test_an_advisor_sees_their_own_open_queue_by_default(advisor_client, advisor_user):
    mine = CaseFactory(assigned_to=advisor_user)
    CaseFactory(assigned_to=advisor_user, status=Case.Status.WITHDRAWN)
    other = CaseFactory()
    response = advisor_client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [mine.reference]
    everything = advisor_client.get(LIST, {"view": "all"})
    assert set(listed(everything)) >= {mine.reference, other.reference}


def test_the_programme_team_sees_all_cases_by_default(programme_client, advisor_user):
    cases = [CaseFactory(assigned_to=advisor_user), CaseFactory()]
    response = programme_client.get(LIST)
    assert set(listed(response)) == {case.reference for case in cases}


def test_search_finds_name_email_and_reference(programme_client):
    jan = CaseFactory(name="Jan de Vries", email="jan@example.org")
    CaseFactory(name="Fatima el Amrani", email="fatima@example.org")
    for query in ("de vries", "JAN@example", jan.reference.lower()):
        assert listed(programme_client.get(LIST, {"view": "all", "q": query})) == [jan.reference]


def test_filters_status_sector_subject_municipality_overdue_and_advisor(
    programme_client, advisor_user
):
    delft = Municipality.objects.create(name="Delft")
    maths = ShortageSubjectFactory(code="wiskunde", name="Wiskunde")
    contacted = CaseFactory(status=Case.Status.CONTACTED)
    po = CaseFactory(target_sectors=["po", "so"])
    in_delft = CaseFactory(municipality=delft)
    with_maths = CaseFactory()
    with_maths.subjects.add(maths)
    overdue = CaseFactory(first_response_due=past(3))
    assigned = CaseFactory(assigned_to=advisor_user)

    def find(**params):
        return listed(programme_client.get(LIST, {"view": "all", **params}))

    assert find(status="contacted") == [contacted.reference]
    assert find(sector="po") == [po.reference]
    assert po.reference not in find(sector="vo")
    assert find(municipality=delft.pk) == [in_delft.reference]
    assert find(subject=maths.pk) == [with_maths.reference]
    assert find(overdue="on") == [overdue.reference]
    assert find(advisor=advisor_user.pk) == [assigned.reference]
    unassigned = find(advisor="none")
    assert assigned.reference not in unassigned and contacted.reference in unassigned


def test_a_wrong_filter_value_is_no_error(programme_client):
    response = programme_client.get(LIST, {"status": "nonsense", "municipality": "x", "page": "z"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_the_overdue_list_is_the_overdue_filter(programme_client):
    overdue = CaseFactory(first_response_due=past(1))
    CaseFactory(first_response_due=past(1), first_response_at=timezone.now())
    response = programme_client.get(reverse("lokaal-overdue"), follow=True)
    assert listed(response) == [overdue.reference]
    assert b"overdue" in response.content


def _list_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(LIST, {"view": "all"})
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_list_takes_the_same_number_of_queries_for_few_and_many_cases(
    programme_client, advisor_user
):
    subject = ShortageSubjectFactory()
    municipality = Municipality.objects.create(name="Rijswijk")

    def add(n):
        for _i in range(n):
            case = CaseFactory(assigned_to=advisor_user, municipality=municipality)
            case.subjects.add(subject)

    add(2)
    _list_queries(programme_client)  # the first request of a session loads more
    few = _list_queries(programme_client)
    add(30)
    assert _list_queries(programme_client) == few


# The case's page -----------------------------------------------------------------------


def test_the_case_page_shows_the_person_and_logs_the_view(advisor_client, advisor_user):
    case = CaseFactory(name="Sanne Bakker", email="sanne@example.org", phone="0612345678")
    response = advisor_client.get(detail(case))
    assert response.status_code == 200
    assert b"Sanne Bakker" in response.content and b"0612345678" in response.content
    log = access_logs(case, "view").get()
    assert log.user == advisor_user


def test_a_later_submission_is_marked_new(advisor_client):
    case = CaseFactory()
    SubmissionFactory(case=case, data={"name": case.name, "motivation": "Eerste keer"})
    SubmissionFactory(case=case, data={"name": case.name, "motivation": "Tweede keer"})
    response = advisor_client.get(detail(case))
    submissions = response.context["submissions"]
    assert [item["is_new"] for item in submissions] == [False, True]
    assert b"Tweede keer" in response.content
    assert b"new submission" in response.content


def test_the_deadline_shows_overdue_and_the_funding_hit_links_the_earlier_case(advisor_client):
    earlier = CaseFactory()
    case = CaseFactory(first_response_due=past(2), is_status_holder=True, funding_hit=earlier)
    content = advisor_client.get(detail(case)).content.decode()
    assert "overdue" in content
    assert "Possible double funding" in content
    assert earlier.get_absolute_url() in content


def test_the_timeline_holds_every_kind_newest_first(advisor_client, organisation):
    case = CaseFactory()
    now = timezone.now()
    TimelineEntryFactory(case=case, text="Gebeld", kind="call", at=now - datetime.timedelta(days=3))
    booking = ShadowingBookingFactory(case=case, slot__organisation=organisation)
    booking.booked_at = now - datetime.timedelta(days=2)
    booking.save()
    match = MatchFactory(case=case, room__organisation=organisation)
    response = advisor_client.get(detail(case))
    timeline = response.context["timeline"]
    kinds = [item["kind"] for item in timeline]
    assert {"call", "status", "shadowing", "match"} <= set(kinds)
    assert [item["at"] for item in timeline] == sorted(
        (item["at"] for item in timeline), reverse=True
    )
    assert any(item.get("match") == match for item in timeline)


def test_a_booking_with_its_own_entry_appears_once(advisor_client):
    booking = ShadowingBookingFactory()
    TimelineEntryFactory(case=booking.case, kind="shadowing", booking=booking, text="Geboekt")
    timeline = advisor_client.get(detail(booking.case)).context["timeline"]
    assert sum(1 for item in timeline if item.get("booking") == booking) == 1


# Changing the status -------------------------------------------------------------------


def test_only_allowed_status_changes_are_offered(advisor_client):
    case = CaseFactory()
    form = advisor_client.get(detail(case)).context["status_form"]
    offered = {value for value, _label in form.fields["status"].choices}
    assert offered == {"contacted", "orientation", "on_hold", "withdrawn", "not_suitable"}


def test_an_allowed_change_is_made_and_kept_with_who_and_why(advisor_client, advisor_user):
    case = CaseFactory()
    response = advisor_client.post(
        reverse("lokaal-case-status", args=[case.pk]),
        {"status-status": "contacted", "status-note": "Gebeld, enthousiast"},
        follow=True,
    )
    assert b"The status is now" in response.content
    case.refresh_from_db()
    assert case.status == "contacted"
    assert case.first_response_at is not None
    change = case.status_changes.first()
    assert (change.changed_by, change.note) == (advisor_user, "Gebeld, enthousiast")


def test_an_illegal_change_is_refused_with_a_message(advisor_client):
    case = CaseFactory()
    response = advisor_client.post(
        reverse("lokaal-case-status", args=[case.pk]), {"status-status": "placed"}, follow=True
    )
    assert response.status_code == 200
    assert b"Choose one of the statuses offered" in response.content
    case.refresh_from_db()
    assert case.status == "new"


def test_a_change_made_meanwhile_is_refused_with_the_workflows_message(advisor_client):
    case = CaseFactory(status=Case.Status.CONTACTED)
    form_case = Case.objects.get(pk=case.pk)
    # Another advisor closes the case after this page was loaded; "orientation" was offered.
    from lokaal.services import case_transition

    case_transition(case=form_case, to="withdrawn", by=None)
    response = advisor_client.post(
        reverse("lokaal-case-status", args=[case.pk]), {"status-status": "orientation"}, follow=True
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "withdrawn"
    assert b"Choose one of the statuses offered" in response.content


# Assignment, timeline, route, programme ----------------------------------------------


def test_a_case_is_assigned_and_unassigned(programme_client, advisor_user):
    case = CaseFactory()
    url = reverse("lokaal-case-assign", args=[case.pk])
    programme_client.post(url, {"assign-advisor": advisor_user.pk})
    case.refresh_from_db()
    assert case.assigned_to == advisor_user
    programme_client.post(url, {"assign-advisor": ""})
    case.refresh_from_db()
    assert case.assigned_to is None
    assert case.timeline.count() == 2


def test_a_partner_cannot_be_assigned(programme_client, editor_user):
    case = CaseFactory()
    response = programme_client.post(
        reverse("lokaal-case-assign", args=[case.pk]),
        {"assign-advisor": editor_user.pk},
        follow=True,
    )
    assert b"Choose an advisor from the list" in response.content
    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_call_on_the_timeline_is_the_first_response(advisor_client, advisor_user):
    case = CaseFactory(first_response_due=past(1))
    url = reverse("lokaal-case-timeline", args=[case.pk])
    advisor_client.post(url, {"timeline-kind": "call", "timeline-text": "Gebeld, terugbellen"})
    entry = TimelineEntry.objects.get(case=case)
    assert (entry.kind, entry.by) == ("call", advisor_user)
    case.refresh_from_db()
    assert case.first_response_at is not None and not case.is_overdue
    response = advisor_client.post(url, {"timeline-kind": "note", "timeline-text": ""}, follow=True)
    assert b"Write what happened" in response.content
    response = advisor_client.post(url, {"timeline-kind": "match", "timeline-text": "x"})
    assert TimelineEntry.objects.filter(case=case).count() == 1


def test_route_advice_shows_eligibility_hints_and_is_recorded(advisor_client):
    vo = Sector.objects.get_or_create(code="vo")[0]
    mbo = Sector.objects.get_or_create(code="mbo")[0]
    master = TrainingRouteFactory(name="Educatieve master", min_education="wo_master")
    master.sectors.add(vo)
    pdg = TrainingRouteFactory(name="PDG", min_education="hbo")
    pdg.sectors.add(mbo)
    case = CaseFactory(education_level="hbo", target_sectors=["vo"])
    routes = {r.name: r.hints for r in advisor_client.get(detail(case)).context["routes"]}
    assert ("warning", "Needs at least University master.") in routes["Educatieve master"]
    assert ("ok", "Leads to a sector the candidate wants.") in routes["Educatieve master"]
    assert ("ok", "Education level meets the minimum.") in routes["PDG"]
    assert ("warning", "Not for the sectors the candidate wants.") in routes["PDG"]
    advisor_client.post(reverse("lokaal-case-route", args=[case.pk]), {"route-route": pdg.pk})
    case.refresh_from_db()
    assert case.advised_route == pdg
    assert "PDG" in case.timeline.get().text


def test_the_route_catalogue_page_lists_the_active_routes(advisor_client):
    TrainingRouteFactory(name="Zij-instroom po", eligibility_hint="Hbo of hoger")
    TrainingRouteFactory(name="Oude route", active=False)
    response = advisor_client.get(reverse("lokaal-route-list"))
    assert b"Zij-instroom po" in response.content
    assert b"Oude route" not in response.content


def test_the_programme_counts_against_its_quota(advisor_client):
    year = timezone.localdate().year
    ProgrammeYearFactory(year=year, quota=1)
    first = CaseFactory(is_status_holder=True)
    second = CaseFactory(is_status_holder=True)
    url = reverse("lokaal-case-programme", args=[first.pk])
    advisor_client.post(url, {"programme-year": year})
    first.refresh_from_db()
    assert first.programme_year == year
    page = advisor_client.get(detail(second))
    assert page.context["programme"] == {"year": year, "count": 1, "quota": 1}
    assert b"The quota is reached" in page.content

    url = reverse("lokaal-case-programme", args=[second.pk])
    refused = advisor_client.post(url, {"programme-year": year}, follow=True)
    assert b"is full (1 of 1)" in refused.content
    second.refresh_from_db()
    assert second.programme_year is None

    advisor_client.post(
        url, {"programme-year": year, "programme-decision_note": "Besluit PT 12-3: extra plek"}
    )
    second.refresh_from_db()
    assert second.programme_year == year
    assert second.quota_override_note == "Besluit PT 12-3: extra plek"


def test_only_a_status_holder_joins_the_programme(advisor_client):
    case = CaseFactory(is_status_holder=False)
    response = advisor_client.post(
        reverse("lokaal-case-programme", args=[case.pk]),
        {"programme-year": timezone.localdate().year},
        follow=True,
    )
    assert b"Only a status holder" in response.content
    response = advisor_client.post(
        reverse("lokaal-case-programme", args=[case.pk]), {"programme-year": "1999"}, follow=True
    )
    assert b"Choose a year from" in response.content


# Reminders -----------------------------------------------------------------------------


def test_reminders_go_once_a_day_to_the_right_people(
    advisor_user, programme_user, django_capture_on_commit_callbacks
):
    other_advisor = UserFactory(staff_role="desk_advisor")
    mine = CaseFactory(assigned_to=advisor_user, first_response_due=past(2), name="Geheim")
    CaseFactory(assigned_to=advisor_user, first_response_due=past(2), status="withdrawn")
    CaseFactory(assigned_to=other_advisor)  # not overdue
    CaseFactory(first_response_due=past(1))  # overdue, unassigned

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {advisor_user.email, programme_user.email}
    assert mine.reference in by_recipient[advisor_user.email].body
    assert "Geheim" not in by_recipient[advisor_user.email].body
    assert "overdue" in by_recipient[programme_user.email].subject
    assert "Open cases without an advisor: 1." in by_recipient[programme_user.email].body

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))
        assert reminders_send() == 0
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert reminders_send(today=tomorrow) == 2


def test_nothing_to_remind_sends_nothing(programme_user):
    CaseFactory(status="placed", first_response_due=past(5))
    assert reminders_send() == 0
    assert not OutgoingEmail.objects.exists()


def test_the_reminder_task_is_scheduled_by_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["lokaal-send-reminders"]
    assert entry["task"] == "lokaal.tasks.send_reminders"
    from lokaal.tasks import send_reminders

    assert send_reminders.acks_late


# Personal data -------------------------------------------------------------------------


def test_the_json_export_holds_everything_and_is_logged(advisor_client, advisor_user):
    case = CaseFactory(name="Sanne Bakker", email="sanne@example.org", motivation="Ik wil lesgeven")
    SubmissionFactory(case=case)
    TimelineEntryFactory(case=case, text="Gebeld")
    response = advisor_client.get(reverse("lokaal-case-export", args=[case.pk]))
    assert response["Content-Type"] == "application/json"
    assert f'filename="{case.reference}.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["case"]["name"] == "Sanne Bakker"
    assert data["case"]["motivation"] == "Ik wil lesgeven"
    assert len(data["submissions"]) == 1
    assert data["timeline"][0]["text"] == "Gebeld"
    assert access_logs(case, "export").get().user == advisor_user


def test_the_programme_team_erases_after_a_confirmation(programme_client, programme_user):
    case = CaseFactory(name="Sanne Bakker", email="sanne@example.org")
    TimelineEntryFactory(case=case, text="Gebeld met Sanne")
    url = reverse("lokaal-case-erase", args=[case.pk])
    confirm = programme_client.get(url)
    assert b"cannot be undone" in confirm.content
    case.refresh_from_db()
    assert case.name == "Sanne Bakker"
    programme_client.post(url)
    case.refresh_from_db()
    assert (case.name, case.email, case.is_anonymised) == ("", "", True)
    assert case.timeline.get().text == ""
    assert access_logs(case, "erase").get().user == programme_user
    again = programme_client.post(url, follow=True)
    assert b"already been erased" in again.content


def test_an_advisor_may_not_erase(advisor_client):
    case = CaseFactory(name="Sanne Bakker")
    assert advisor_client.post(reverse("lokaal-case-erase", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.name == "Sanne Bakker"


# Export of the list --------------------------------------------------------------------


def _export(client, **params):
    response = client.get(reverse("lokaal-case-export-list"), {"format": "csv", **params})
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_the_list_export_has_personal_columns_only_for_desk_advisors(
    advisor_client, programme_client, advisor_user
):
    case = CaseFactory(name="Sanne Bakker", phone="0612345678", postcode="2511 AB")
    CaseFactory(status="placed")
    for_advisor = _export(advisor_client, view="all", status="new")
    header = for_advisor.splitlines()[0].split(";")
    assert {"naam", "e-mail", "telefoon", "postcode", "motivatie"} <= set(header)
    assert "Sanne Bakker" in for_advisor
    assert len(for_advisor.splitlines()) == 2  # the filter applies
    assert access_logs(case, "export").get().user == advisor_user

    for_team = _export(programme_client, view="all", status="new")
    header = for_team.splitlines()[0].split(";")
    assert not {"naam", "e-mail", "telefoon", "postcode", "motivatie"} & set(header)
    assert "referentie" in header and "Sanne" not in for_team and "2511" not in for_team


# Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_editor", "partner_viewer", "other_partner"])
def test_partners_are_refused(clients, role):
    case = CaseFactory()
    client = clients[role]
    for url in (
        LIST,
        detail(case),
        reverse("lokaal-case-export", args=[case.pk]),
        reverse("lokaal-case-export-list"),
        reverse("lokaal-route-list"),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("lokaal-case-status", args=[case.pk])).status_code == 403
    assert not access_logs(case, "view").exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    case = CaseFactory()
    for url in (LIST, detail(case), reverse("lokaal-case-export", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_export_takes_the_same_number_of_queries_for_few_and_many_cases(
    advisor_client,
):
    subject = ShortageSubjectFactory()

    def add(n):
        for _i in range(n):
            CaseFactory().subjects.add(subject)

    def queries():
        with CaptureQueriesContext(connection) as context:
            _export(advisor_client, view="all")
        return len(context.captured_queries)

    add(2)
    queries()
    few = queries()
    add(30)
    assert queries() == few
