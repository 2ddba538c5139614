"""The agenda pages: public /agenda/ in both languages with a constant query count, the
programme team's editing pages, and progress updates by the team and the lead's editors."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Activity, Agenda, ProgrammeLine, ProgressUpdate
from monitoring.services.agenda import activity_save, progress_update_create
from tests.factories import OrganisationFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def agenda(db):
    return Agenda.objects.create(
        name="Activiteitenplan 2026-2029", slug="plan", start_year=2026, end_year=2029
    )


@pytest.fixture
def line(agenda):
    return ProgrammeLine.objects.create(agenda=agenda, code="1", title="Arbeidsmarkt")


@pytest.fixture
def activity(line, organisation):
    """An activity that `organisation` (the editor's and viewer's) leads."""
    return activity_save(
        activity=Activity(line=line, code="1.1", title="Eén regionaal loket", lead=organisation),
        by=None,
    )


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    return tmp_path


def add_activities(line, count, lead):
    for number in range(count):
        activity = activity_save(
            activity=Activity(line=line, code=f"9.{number}", title=f"A {number}", lead=lead),
            by=None,
        )
        progress_update_create(activity=activity, author=None, text=f"update {number}")


# Public ----------------------------------------------------------------------------------


def test_the_public_agenda_shows_lines_activities_status_progress_lead_and_latest_update(
    client, activity, programme_user
):
    progress_update_create(
        activity=activity,
        author=programme_user,
        text="Kwartiermaker gestart",
        status="running",
        progress=40,
    )
    response = client.get(reverse("monitoring-agenda-detail", args=["plan"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "1. Arbeidsmarkt" in content
    assert "1.1 Eén regionaal loket" in content
    assert "Running" in content
    assert '<progress value="40" max="100"' in content
    assert "40% done" in content
    assert "ROC Voorbeeld" in content
    assert "Kwartiermaker gestart" in content
    assert "style=" not in content


def test_the_public_agenda_is_in_dutch_by_default(activity):
    response = Client(HTTP_ACCEPT_LANGUAGE="nl").get(
        reverse("monitoring-agenda-detail", args=["plan"])
    )
    content = response.content.decode()
    assert 'lang="nl"' in content
    assert response.status_code == 200
    assert "1.1 Eén regionaal loket" in content


def test_the_public_agenda_list_shows_only_public_agendas(client, agenda):
    Agenda.objects.create(
        name="Intern", slug="intern", start_year=2026, end_year=2026, is_public=False
    )
    response = client.get(reverse("monitoring-agenda"))
    assert "Activiteitenplan 2026-2029" in response.content.decode()
    assert "Intern" not in response.content.decode()
    assert client.get(reverse("monitoring-agenda-detail", args=["intern"])).status_code == 404


def test_the_public_agenda_needs_the_same_queries_for_many_activities(
    client, line, organisation, django_assert_max_num_queries
):
    add_activities(line, 3, organisation)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("monitoring-agenda-detail", args=["plan"]))
    add_activities(
        ProgrammeLine.objects.create(agenda=line.agenda, code="2", title="B"), 20, organisation
    )
    from portal.cache import invalidate

    invalidate()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("monitoring-agenda-detail", args=["plan"]))
    assert response.content.decode().count("<progress") == 23


# Programme team ------------------------------------------------------------------------


def test_the_programme_team_creates_an_agenda_a_line_and_an_activity(
    programme_client, organisation
):
    response = programme_client.post(
        reverse("monitoring-agenda-create"),
        {
            "name": "Nieuwe agenda",
            "slug": "nieuw",
            "start_year": 2027,
            "end_year": 2028,
            "is_public": "on",
            "position": 0,
        },
    )
    assert response.status_code == 302
    agenda = Agenda.objects.get(slug="nieuw")
    response = programme_client.post(
        reverse("monitoring-line-create", args=[agenda.pk]),
        {"code": "1", "title": "Werven", "ambitions": "", "position": 0},
    )
    assert response.status_code == 302
    line = agenda.lines.get()
    partner = OrganisationFactory(name="Partner BV")
    response = programme_client.post(
        reverse("monitoring-activity-create", args=[line.pk]),
        {
            "line": line.pk,
            "code": "1.1",
            "title": "Loket",
            "lead": organisation.pk,
            "partners": [partner.pk],
            "funding": "Subsidie",
            "budget": "12500.00",
            "progress": 10,
            "position": 0,
        },
    )
    activity = Activity.objects.get(line=line)
    assert response.status_code == 302
    assert response.url == activity.get_absolute_url()
    assert activity.lead == organisation
    assert list(activity.partners.all()) == [partner]
    assert activity.status_changes.get().to_status == "planned"


def test_an_invalid_agenda_answers_400_with_an_error_summary(programme_client):
    response = programme_client.post(
        reverse("monitoring-agenda-create"),
        {"name": "", "slug": "x", "start_year": 2028, "end_year": 2027, "position": 0},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "error-summary" in content
    assert "The last year cannot be before the first year." in content
    assert not Agenda.objects.exists()


def test_a_duplicate_activity_code_is_refused(programme_client, activity):
    response = programme_client.post(
        reverse("monitoring-activity-create", args=[activity.line_id]),
        {"line": activity.line_id, "code": "1.1", "title": "Dubbel", "progress": 0, "position": 0},
    )
    assert response.status_code == 400
    assert "already has an activity with this code" in response.content.decode()


def test_the_status_change_offers_only_allowed_targets(programme_client, activity):
    response = programme_client.get(activity.get_absolute_url())
    form = response.context["status_form"]
    assert [value for value, _ in form.fields["status"].choices] == ["running", "paused", "stopped"]
    response = programme_client.post(
        reverse("monitoring-activity-status", args=[activity.pk]), {"status": "done"}
    )
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.status == "planned"
    response = programme_client.post(
        reverse("monitoring-activity-status", args=[activity.pk]),
        {"status": "running", "note": "start"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "running"


def test_partners_cannot_open_the_editing_pages(editor_client, activity):
    assert editor_client.get(reverse("monitoring-agenda-list")).status_code == 403
    assert (
        editor_client.get(reverse("monitoring-activity-edit", args=[activity.pk])).status_code
        == 403
    )


# Activity page and progress updates --------------------------------------------------------


def test_the_activity_page_is_for_the_team_and_the_leads_members(
    programme_client, editor_client, viewer_client, outsider_client, activity
):
    url = activity.get_absolute_url()
    assert programme_client.get(url).status_code == 200
    assert editor_client.get(url).status_code == 200
    assert viewer_client.get(url).status_code == 200
    assert "update_form" not in viewer_client.get(url).context
    assert outsider_client.get(url).status_code == 404


def test_the_leads_editor_posts_an_update_with_a_status_and_progress(
    editor_client, activity, editor_user
):
    response = editor_client.post(
        reverse("monitoring-progress-create", args=[activity.pk]),
        {
            "text": "Eerste gesprekken",
            "date": timezone.localdate().isoformat(),
            "status": "running",
            "progress": 25,
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.author, update.progress, update.status_change.to_status) == (
        editor_user,
        25,
        "running",
    )
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("running", 25)


def test_strangers_get_404_and_viewers_403_when_posting(viewer_client, outsider_client, activity):
    data = {"text": "x", "date": timezone.localdate().isoformat()}
    url = reverse("monitoring-progress-create", args=[activity.pk])
    assert outsider_client.post(url, data).status_code == 404
    assert viewer_client.post(url, data).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_an_update_without_text_or_with_a_future_date_answers_400(editor_client, activity):
    url = reverse("monitoring-progress-create", args=[activity.pk])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = editor_client.post(url, {"text": " ", "date": tomorrow, "progress": 101})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required." in content or "Describe what happened." in content
    assert "The date cannot be in the future." in content
    assert not ProgressUpdate.objects.exists()


def test_an_update_with_a_status_not_offered_answers_400(editor_client, activity):
    response = editor_client.post(
        reverse("monitoring-progress-create", args=[activity.pk]),
        {"text": "klaar", "date": timezone.localdate().isoformat(), "status": "done"},
    )
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.status == "planned"
    assert not ProgressUpdate.objects.exists()


def test_a_disguised_attachment_is_refused(editor_client, activity, private_storage):
    fake = SimpleUploadedFile(
        "verslag.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    response = editor_client.post(
        reverse("monitoring-progress-create", args=[activity.pk]),
        {"text": "x", "date": timezone.localdate().isoformat(), "attachment": fake},
    )
    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_an_attachment_is_served_only_to_the_team_and_the_leads_members(
    editor_client, viewer_client, outsider_client, client, activity, private_storage
):
    pdf = SimpleUploadedFile("Verslag juni.pdf", PDF, content_type="application/pdf")
    response = editor_client.post(
        reverse("monitoring-progress-create", args=[activity.pk]),
        {"text": "Verslag", "date": timezone.localdate().isoformat(), "attachment": pdf},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    # Stored encrypted: the plain bytes are nowhere on disk.
    stored = [p.read_bytes() for p in private_storage.rglob("*") if p.is_file()]
    assert stored and all(PDF not in content for content in stored)
    url = reverse("monitoring-progress-attachment", args=[update.pk])
    response = viewer_client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert outsider_client.get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_a_new_update_shows_on_the_cached_public_page(client, activity, programme_user):
    url = reverse("monitoring-agenda-detail", args=["plan"])
    assert "Eerste stap gezet" not in client.get(url).content.decode()
    progress_update_create(activity=activity, author=programme_user, text="Eerste stap gezet")
    assert "Eerste stap gezet" in client.get(url).content.decode()


def test_the_leads_editors_see_their_activities_on_the_dashboard(
    editor_client, viewer_client, activity
):
    content = editor_client.get(reverse("dashboard")).content.decode()
    assert "Your activities" in content
    assert activity.get_absolute_url() in content
    assert "Your activities" not in viewer_client.get(reverse("dashboard")).content.decode()


def test_the_public_navigation_links_to_the_agenda(client, db):
    assert reverse("monitoring-agenda") in client.get(reverse("home")).content.decode()
