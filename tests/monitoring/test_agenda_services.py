"""The agenda services: activities get their first status row, progress updates write the
update, the status change and the progress together, or nothing."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from monitoring.agenda_selectors import agenda_progress, agenda_tree, latest_updates
from monitoring.models import Activity, ActivityStatusChange, Agenda, ProgrammeLine, ProgressUpdate
from monitoring.services.agenda import (
    activity_save,
    activity_transition,
    progress_update_create,
)
from portal.workflow import TransitionNotAllowed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_activity(*, code="1.1", lead=None, by=None, **fields):
    agenda, _ = Agenda.objects.get_or_create(
        slug="plan", defaults={"name": "Plan", "start_year": 2026, "end_year": 2029}
    )
    line, _ = ProgrammeLine.objects.get_or_create(agenda=agenda, code="1", defaults={"title": "L"})
    return activity_save(
        activity=Activity(line=line, code=code, title=f"Activity {code}", lead=lead, **fields),
        by=by,
    )


@pytest.mark.django_db
def test_a_new_activity_gets_its_first_status_row(programme_user, organisation):
    activity = activity_save(
        activity=Activity(
            line=ProgrammeLine.objects.create(
                agenda=Agenda.objects.create(name="A", slug="a", start_year=2026, end_year=2026),
                code="1",
                title="L",
            ),
            code="1.1",
            title="T",
        ),
        by=programme_user,
        partners=[organisation],
    )
    change = ActivityStatusChange.objects.get(activity=activity)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "",
        "planned",
        programme_user,
    )
    assert list(activity.partners.all()) == [organisation]


@pytest.mark.django_db
def test_a_status_change_goes_through_the_workflow(programme_user):
    activity = make_activity()
    activity_transition(activity=activity, status="running", by=programme_user, note="go")
    activity.refresh_from_db()
    assert activity.status == "running"
    assert activity.status_changes.filter(from_status="planned", to_status="running").exists()
    with pytest.raises(TransitionNotAllowed):
        activity_transition(activity=activity, status="planned", by=programme_user)


@pytest.mark.django_db
def test_an_update_with_a_status_and_progress_changes_both(programme_user):
    activity = make_activity()
    update = progress_update_create(
        activity=activity, author=programme_user, text="Started", status="running", progress=30
    )
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("running", 30)
    assert update.status_change.to_status == "running"
    assert update.progress == 30


@pytest.mark.django_db
def test_a_refused_status_change_saves_nothing(programme_user):
    activity = make_activity()
    with pytest.raises(TransitionNotAllowed):
        progress_update_create(
            activity=activity, author=programme_user, text="x", status="done", progress=90
        )
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("planned", 0)
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_a_failing_update_row_rolls_back_the_status_and_the_file(
    programme_user, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    activity = make_activity()
    upload = SimpleUploadedFile("verslag.pdf", PDF, content_type="application/pdf")
    upload.content_type_checked = "application/pdf"
    with (
        mock.patch.object(ProgressUpdate, "save", side_effect=RuntimeError("disk")),
        pytest.raises(RuntimeError),
    ):
        progress_update_create(
            activity=activity,
            author=programme_user,
            text="x",
            status="running",
            progress=10,
            attachment=upload,
        )
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("planned", 0)
    assert activity.status_changes.count() == 1
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_an_update_dated_in_the_future_is_refused(programme_user):
    activity = make_activity()
    with pytest.raises(ValidationError):
        progress_update_create(
            activity=activity,
            author=programme_user,
            text="x",
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_the_tree_carries_each_activitys_latest_update(programme_user, django_assert_num_queries):
    first = make_activity(code="1.1")
    second = make_activity(code="1.2")
    progress_update_create(
        activity=first, author=programme_user, text="old", date=datetime.date(2026, 1, 5)
    )
    progress_update_create(
        activity=first, author=programme_user, text="new", date=datetime.date(2026, 3, 5)
    )
    agenda = first.line.agenda
    with django_assert_num_queries(4):
        lines = agenda_tree(agenda)
    activities = {a.code: a for a in lines[0].activity_list}
    assert activities["1.1"].latest_update.text == "new"
    assert activities["1.2"].latest_update is None
    assert set(latest_updates([second.pk])) == set()


@pytest.mark.django_db
def test_the_agenda_progress_counts_statuses_and_averages_progress(programme_user):
    make_activity(code="1.1")
    second = make_activity(code="1.2")
    progress_update_create(
        activity=second, author=programme_user, text="x", status="running", progress=50
    )
    summary = agenda_progress(second.line.agenda)
    assert summary["count"] == 2
    assert summary["by_status"]["running"] == 1
    assert summary["mean_progress"] == 25
