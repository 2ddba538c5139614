"""load_demo_monitoring: the two agendas of the seeds, linked to the registry, idempotent."""

import pytest
from django.core.management import call_command

from monitoring.models import Activity, ActivityStatusChange, Agenda, ProgressUpdate


@pytest.fixture
def loaded(db):
    call_command("load_demo", "--no-users", verbosity=0, stdout=open("/dev/null", "w"))
    call_command("load_demo_monitoring", stdout=open("/dev/null", "w"))


def test_both_agendas_are_loaded_with_the_numbered_activities(loaded):
    plan = Agenda.objects.get(slug="activiteitenplan-2026-2029")
    codes = set(Activity.objects.filter(line__agenda=plan).values_list("code", flat=True))
    expected = {f"1.{n}" for n in range(1, 8)} | {f"2.{n}" for n in range(1, 10)}
    expected |= {f"3.{n}" for n in range(1, 6)} | {"A", "B", "1.1 sub G5 po"}
    assert expected <= codes
    agenda_2014 = Agenda.objects.get(slug="geslaagd-in-het-vak-2-0")
    assert agenda_2014.lines.count() == 10
    assert Activity.objects.filter(line__agenda=agenda_2014).count() > 40


def test_leads_and_partners_are_linked_to_registry_organisations(loaded):
    action = Activity.objects.get(
        line__agenda__slug="geslaagd-in-het-vak-2-0", line__code="1", code="1"
    )
    assert action.lead.name == "ROC Mondriaan"
    monitor = Activity.objects.get(line__code="10", code="1")
    assert monitor.lead.name == "Gemeente Den Haag"
    assert "ROC Mondriaan" in {org.name for org in monitor.partners.all()}
    # Names outside the registry keep the source's wording.
    leerkracht = Activity.objects.get(
        line__code="3", code="4", line__agenda__slug__startswith="geslaagd"
    )
    assert leerkracht.lead is None
    assert leerkracht.lead_text == "Stichting leerKRACHT"


def test_every_activity_has_its_first_status_row_and_demo_updates_are_marked(loaded):
    assert not Activity.objects.filter(status_changes__isnull=True).exists()
    assert ProgressUpdate.objects.exists()
    assert all(u.text.startswith("Demo") for u in ProgressUpdate.objects.all())
    desk = Activity.objects.get(line__agenda__slug="activiteitenplan-2026-2029", code="1.1")
    assert desk.status == "running"
    assert desk.progress == 45


def test_a_second_run_changes_nothing(loaded):
    counts = (
        Activity.objects.count(),
        ActivityStatusChange.objects.count(),
        ProgressUpdate.objects.count(),
    )
    changed = Activity.objects.get(line__agenda__slug="activiteitenplan-2026-2029", code="1.2")
    changed.title = "Renamed by the team"
    changed.save()
    call_command("load_demo_monitoring", stdout=open("/dev/null", "w"))
    assert (
        Activity.objects.count(),
        ActivityStatusChange.objects.count(),
        ProgressUpdate.objects.count(),
    ) == counts
    changed.refresh_from_db()
    assert changed.title == "Renamed by the team"
