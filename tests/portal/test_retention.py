"""Retention policies: delete or anonymise, with their history; checked at start-up; isolated."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from partners.models import Contact
from portal import retention
from portal.models import AccessLog
from tests.factories import ContactFactory

NOW = datetime.datetime(2026, 6, 1, 3, 0, tzinfo=datetime.UTC)
YEARS_AGO = NOW - datetime.timedelta(days=3 * 365)
MONTHS_AGO = NOW - datetime.timedelta(days=60)
ANONYMOUS = {"name": "Anoniem", "email": "", "phone": "", "function": ""}


@pytest.fixture
def only(monkeypatch, settings):
    """Run with only the policies a test registers, on a one-year period named "test"."""
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "test": 365}
    monkeypatch.setattr(retention, "_policies", {})
    return retention.register


def ended_contacts(cutoff):
    return Contact.objects.filter(ended_on__lt=cutoff.date())


def contact_with_history(*, ended):
    """A contact created three years ago and changed two months ago (two history rows)."""
    with time_machine.travel(YEARS_AGO):
        contact = ContactFactory(name="Petra Privé", email="petra@example.org", phone="0612")
    with time_machine.travel(MONTHS_AGO):
        contact.function = "Stagecoördinator"
        contact.ended_on = (YEARS_AGO + datetime.timedelta(days=10)).date() if ended else None
        contact.save()
    return contact


def history_of(contact):
    return Contact.history.filter(id=contact.pk).order_by("history_date")


def test_a_policy_without_its_setting_is_refused_when_registered(settings):
    settings.RETENTION_DAYS = {"contact": 730}
    with pytest.raises(ImproperlyConfigured, match="RETENTION_DAYS\\['missing'\\]"):
        retention.register("x", setting="missing", expired=ended_contacts)


@pytest.mark.parametrize("days", [0, -1, "30", None])
def test_a_period_that_is_not_a_positive_number_of_days_is_refused(settings, days):
    settings.RETENTION_DAYS = {"x": days}
    with pytest.raises(ImproperlyConfigured):
        retention.register("x", setting="x", expired=ended_contacts)


def test_anonymise_must_be_a_mapping_or_a_callable(only):
    with pytest.raises(ImproperlyConfigured, match="anonymise"):
        only("x", setting="test", expired=ended_contacts, anonymise=["name"])


def test_a_missing_setting_stops_the_portal_at_start_up():
    code = (
        "import os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'\n"
        "from django.conf import settings\n"
        "del settings.RETENTION_DAYS['contact']\n"
        "import django\n"
        "django.setup()\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"]},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "RETENTION_DAYS['contact']" in result.stderr


@pytest.mark.django_db
def test_deleting_takes_the_rows_history_and_the_old_history_of_the_rows_that_stay(only):
    only("contacts", setting="test", expired=ended_contacts)
    ended = contact_with_history(ended=True)
    current = contact_with_history(ended=False)
    with time_machine.travel(YEARS_AGO):
        unchanged = ContactFactory()

    with time_machine.travel(NOW):
        report = retention.purge_expired()

    assert report == {"contacts": 1} and not report.failures
    assert not Contact.objects.filter(pk=ended.pk).exists()
    assert not history_of(ended).exists()  # including the row written by the delete
    # The current contact's creation three years ago is gone; its change two months ago stays.
    assert [h.history_date for h in history_of(current)] == [MONTHS_AGO]
    # The only history row of a row that stays holds nothing the row does not: it is kept.
    assert history_of(unchanged).count() == 1
    assert report.history["contacts"] == 2 + 1 + 1  # ended: 2 and its delete; current: 1


@pytest.mark.django_db
def test_anonymising_keeps_the_row_and_replaces_personal_values_in_its_history_too(only):
    only("contacts", setting="test", expired=ended_contacts, anonymise=ANONYMOUS)
    ended = contact_with_history(ended=True)
    organisation, ended_on, topics = ended.organisation, ended.ended_on, ended.topics

    with time_machine.travel(NOW):
        report = retention.purge_expired()

    ended.refresh_from_db()
    assert report == {"contacts": 1}
    assert (ended.name, ended.email, ended.phone, ended.function) == ("Anoniem", "", "", "")
    assert (ended.organisation, ended.ended_on, ended.topics) == (organisation, ended_on, topics)
    # The change two months ago stays in the history, without the personal values.
    [record] = history_of(ended)
    assert record.history_date == MONTHS_AGO
    assert (record.name, record.email, record.phone) == ("Anoniem", "", "")
    assert record.ended_on == ended_on
    # A second run finds nothing left to do.
    with time_machine.travel(NOW):
        assert retention.purge_expired() == {"contacts": 0}


@pytest.mark.django_db
def test_a_callable_gives_the_replacement_values_per_row(only):
    only(
        "contacts",
        setting="test",
        expired=ended_contacts,
        anonymise=lambda contact: {"name": f"Contact {contact.pk}", "email": "", "phone": ""},
    )
    ended = contact_with_history(ended=True)
    current = contact_with_history(ended=False)

    with time_machine.travel(NOW):
        assert retention.purge_expired() == {"contacts": 1}
        assert retention.purge_expired() == {"contacts": 0}

    ended.refresh_from_db()
    assert (ended.name, ended.email) == (f"Contact {ended.pk}", "")
    assert {h.name for h in history_of(ended)} == {f"Contact {ended.pk}"}
    assert Contact.objects.get(pk=current.pk).name == "Petra Privé"


@pytest.mark.django_db
def test_a_failing_policy_is_reported_and_the_others_still_run(only, caplog):
    def broken(cutoff):
        raise RuntimeError("the table was renamed")

    only("broken", setting="test", expired=broken)
    only("access_log", setting="test", expired=lambda c: AccessLog.objects.filter(at__lt=c))
    AccessLog.objects.create(
        at=timezone.now() - datetime.timedelta(days=400),
        action="view",
        content_type=ContentType.objects.get_for_model(Contact),
        object_id="1",
    )

    report = retention.purge_expired()

    assert report == {"access_log": 1}
    assert list(report.failures) == ["broken"]
    assert "RuntimeError: the table was renamed" in report.failures["broken"]
    assert "Retention policy broken failed" in caplog.text
    assert "Traceback" in caplog.text
    assert report.summary()["failed"] == ["broken"]


@pytest.mark.django_db
def test_a_failing_policy_leaves_its_own_rows_as_they_were(only):
    def half_then_fail(cutoff):
        ended_contacts(cutoff).update(name="half done")
        raise RuntimeError("broken halfway")

    only("half", setting="test", expired=half_then_fail)
    ended = contact_with_history(ended=True)
    with time_machine.travel(NOW):
        report = retention.purge_expired()
    assert "half" in report.failures
    assert Contact.objects.get(pk=ended.pk).name == "Petra Privé"


@pytest.mark.django_db
def test_the_command_runs_every_policy_and_exits_non_zero_when_one_failed(only, capsys):
    only("broken", setting="test", expired=lambda cutoff: 1 / 0)
    only("contacts", setting="test", expired=ended_contacts)
    ended = contact_with_history(ended=True)
    with time_machine.travel(NOW), pytest.raises(CommandError, match="broken"):
        call_command("purge_expired")
    assert not Contact.objects.filter(pk=ended.pk).exists()
    captured = capsys.readouterr()
    assert "contacts: 1 rows" in captured.out
    assert "ZeroDivisionError" in captured.err


@pytest.mark.django_db
def test_the_command_exits_normally_when_every_policy_ran(only):
    only("contacts", setting="test", expired=ended_contacts)
    call_command("purge_expired")


def test_the_apps_register_their_policies():
    assert {p.name for p in retention.policies()} >= {
        "outgoing_email",
        "access_log",
        "invitation",
        "import_upload",
        "contact",
        "contact_history",
    }
