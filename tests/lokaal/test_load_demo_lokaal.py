"""The desk's demo data: candidates through the services, the double-funding hit, the login."""

import datetime
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from lokaal.management.commands.load_demo_lokaal import DATA_FILE
from lokaal.models import Case, CaseStatusChange, Match, Room, ShadowingSlot, TimelineEntry
from lokaal.selectors import overview_period
from partners.models import Membership
from portal.models import OutgoingEmail

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def load():
    out = StringIO()
    call_command("load_demo_lokaal", stdout=out)
    return out.getvalue()


@pytest.fixture
def output():
    call_command("load_demo", stdout=StringIO())
    return load()


def test_about_forty_candidates_over_every_status_and_the_last_year(output):
    cases = Case.objects.filter(is_demo=True)
    assert cases.count() == 42  # 41 candidates, one of them with an earlier year's case
    assert set(cases.values_list("status", flat=True)) == set(Case.Status.values)
    year_ago = timezone.now() - datetime.timedelta(days=366)
    assert cases.filter(created_at__lt=year_ago).count() == 1
    months = {timezone.localtime(c.created_at).strftime("%Y-%m") for c in cases}
    assert len(months) >= 11
    assert Case.objects.overdue().filter(is_demo=True).count() >= 3
    assert all(c.email.endswith("@example.org") for c in cases)
    assert "42 in all" in output


def test_history_is_written_by_the_services(output):
    placed = Case.objects.filter(is_demo=True, status=Case.Status.PLACED).first()
    path = list(placed.status_changes.order_by("changed_at").values_list("to_status", flat=True))
    assert path[0] == Case.Status.NEW and path[-1] == Case.Status.PLACED
    assert placed.first_response_at is not None and placed.closed_at is not None
    assert placed.submissions.count() == 1
    assert placed.timeline.filter(kind="call").exists()
    assert placed.matches.get().status == Match.Status.ACCEPTED
    statuses = set(Match.objects.values_list("status", flat=True))
    assert {Match.Status.PROPOSED, Match.Status.ACCEPTED, Match.Status.DECLINED} <= statuses
    assert ShadowingSlot.objects.filter(date__gt=timezone.localdate()).count() >= 5
    assert Room.objects.count() == 8
    # Demo people get no e-mail.
    assert not OutgoingEmail.objects.filter(to__endswith="@example.org").exists()


def test_one_status_holder_is_flagged_for_an_earlier_years_case(output):
    hit = Case.objects.get(is_demo=True, funding_hit__isnull=False)
    assert hit.is_status_holder and hit.is_open
    assert hit.funding_hit.is_demo
    assert hit.funding_hit.email == hit.email
    assert hit.funding_hit.created_at.year < hit.created_at.year
    assert hit.timeline.filter(text__startswith="Possible double funding").exists()
    assert hit.programme_year == timezone.localtime(hit.status_changed_at).year


def test_desk_contact_login_decides_at_its_board(output):
    user = get_user_model().objects.get(email="loketcontact@example.org")
    assert user.check_password("Haaglanden-demo-2026")
    membership = Membership.objects.get(user=user)
    assert membership.organisation.name == "Stichting Lucas Onderwijs"
    assert membership.role == "editor" and membership.topics == ["desk_contact"]
    assert Match.objects.filter(
        status=Match.Status.PROPOSED, room__organisation=membership.organisation
    ).exists()
    assert "loketcontact@example.org" in output and "Haaglanden-demo-2026" in output


def test_running_it_again_changes_nothing(output):
    def counts():
        return [
            model.objects.count()
            for model in (Case, CaseStatusChange, TimelineEntry, Match, Room, ShadowingSlot)
        ] + [get_user_model().objects.count(), Membership.objects.count()]

    before = counts()
    again = load()

    assert counts() == before
    assert "candidates          0 new" in again


SQLITE_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from io import StringIO
call_command("migrate", verbosity=0)
call_command("load_demo", stdout=StringIO())
call_command("load_demo_lokaal", stdout=StringIO())
from lokaal.selectors import overview_figures
figures = overview_figures()
print(figures["intake"], figures["median_days_to_response"] is not None, figures["overdue"])
"""


def test_demo_and_overview_run_on_the_embedded_default(tmp_path):
    """`make run` without DATABASE_URL: SQLite and no broker."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    intake, has_median, overdue = result.stdout.split()[-3:]
    assert int(intake) == 41 and has_median == "True" and int(overdue) >= 3


def test_every_demo_intake_falls_in_the_overview_on_any_day_of_the_year():
    """The overview counts the calendar months since the first of eleven months ago; the
    shortest such period (today the first of March) is 334 days, so the demo stays whole."""
    data = json.loads(DATA_FILE.read_text())
    this_year = [c["days_ago"] for c in data["candidates"] if c["days_ago"] < 366]
    day = datetime.date(2027, 1, 1)
    shortest = min(
        (today - overview_period(today)).days
        for today in (day + datetime.timedelta(days=n) for n in range(366))
    )
    assert max(this_year) <= shortest
    assert len(this_year) == 41
