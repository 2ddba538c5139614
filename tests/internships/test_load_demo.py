"""The internship demo data: sixty reports handled through the services, the manifesto's
evidence, the handler login and the printed receipt codes."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from internships import services
from internships.models import InternalNote, ManifestoYear, Message, Report, ReportStatusChange
from partners.models import CommitmentProgress, Membership, Organisation, Signature
from portal.models import OutgoingEmail

pytestmark = pytest.mark.django_db

HANDLER = "stagemeldpunt@example.org"
ROOT = Path(__file__).resolve().parents[2]


def load(*args):
    out = StringIO()
    call_command("load_demo_internships", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def registry():
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def output(registry):
    return load()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Report,
            Message,
            InternalNote,
            ReportStatusChange,
            CommitmentProgress,
            ManifestoYear,
            Membership,
            get_user_model(),
        )
    }


def test_a_second_run_creates_nothing(output):
    before = counts()
    again = load()
    assert counts() == before
    assert "reports               0 new" in again
    assert before["Report"] == 60


def test_reports_over_two_years_in_every_status_some_overdue(output):
    demo = Report.objects.filter(is_demo=True)
    assert demo.count() == Report.objects.count() == 60
    assert set(demo.values_list("status", flat=True)) == set(Report.Status.values)
    assert demo.overdue().count() >= 3
    this_year = timezone.localdate().year
    years = set(demo.values_list("created_at__year", flat=True))
    assert this_year - 1 in years and years <= {this_year - 1, this_year}
    closed = demo.filter(status=Report.Status.CLOSED)
    assert not closed.filter(outcome="").exists()
    assert closed.values("outcome").distinct().count() >= 4
    assert demo.filter(messages__direction=Message.Direction.FROM_REPORTER).exists()
    assert demo.filter(messages__direction=Message.Direction.TO_REPORTER).exists()
    assert InternalNote.objects.filter(report__is_demo=True).exists()
    # Only a question nobody has answered yet is unread by the handlers.
    unread = Message.objects.filter(direction=Message.Direction.FROM_REPORTER, read_at=None)
    assert unread.exists()
    assert set(unread.values_list("report__status", flat=True)) == {Report.Status.RECEIVED}
    # Demo data sends no e-mail.
    assert not OutgoingEmail.objects.exists()


def test_every_report_has_its_whole_status_history(output):
    reports = Report.objects.annotate(rows=Count("status_changes"))
    assert not reports.filter(rows=0).exists()
    for report in reports:
        rows = list(report.status_changes.order_by("changed_at", "pk"))
        assert (rows[0].from_status, rows[0].to_status) == ("", Report.Status.RECEIVED)
        assert rows[0].changed_at == report.created_at
        for previous, row in zip(rows, rows[1:], strict=False):
            assert row.from_status == previous.to_status
            assert row.changed_at >= previous.changed_at
        assert rows[-1].to_status == report.status
        if len(rows) > 1:
            assert report.first_response_at is not None


def test_small_groups_that_the_figures_suppress(output):
    demo = Report.objects.filter(is_demo=True)
    on_age = [report for report in demo if "age" in report.grounds]
    assert len(on_age) == 2
    assert demo.filter(level="wo").count() == 3
    assert demo.filter(institution__isnull=True).count() >= 3


def test_the_handler_login_sees_only_its_institutions_reports(output):
    handler = get_user_model().objects.get(email=HANDLER)
    assert handler.check_password("Haaglanden-demo-2026")
    membership = Membership.objects.get(user=handler)
    assert membership.organisation.name == "De Haagse Hogeschool"
    assert membership.role == "viewer" and membership.topics == ["internship_reports"]

    visible = Report.objects.for_handler(handler)
    institution = membership.organisation
    assert visible.count() == Report.objects.filter(institution=institution).count() > 10
    assert set(visible.values_list("routed_to", flat=True)) == {institution.pk}
    assert visible.overdue().exists()
    # Elsewhere no handler: the programme team has those.
    others = Report.objects.exclude(institution=institution)
    assert others.exists() and not others.filter(routed_to__isnull=False).exists()


def test_the_printed_receipt_codes_open_their_reports(output):
    codes = re.findall(r"\b(?:[0-9A-Z]{4}-){4}[0-9A-Z]{4}\b", output)
    assert len(codes) == 2
    for code in codes:
        report = services.report_find_by_code(code)
        assert report is not None and report.is_demo and report.is_open
        assert report.messages.exists()
    # Only the hash is stored.
    assert not Report.objects.filter(receipt_code_hash__in=codes).exists()
    assert load().count(codes[0]) == 1
    # The one README names for trying the follow-up is one of them.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert any(f"`{code}`" in readme for code in codes)


def test_manifesto_signatories_have_commitments_and_figures(output):
    signatures = Signature.objects.filter(agreement__slug="manifest-gelijke-stagekansen")
    assert signatures.count() == 8
    this_year = timezone.localdate().year
    for signature in signatures:
        last_year = CommitmentProgress.objects.filter(signature=signature, year=this_year - 1)
        assert last_year.count() == 5
        assert ManifestoYear.objects.filter(signature=signature, year=this_year - 1).exists()
    filled_in = ManifestoYear.objects.filter(year=this_year)
    assert filled_in.count() == 6
    missing = set(
        signatures.exclude(manifesto_years__year=this_year).values_list(
            "organisation__name", flat=True
        )
    )
    assert missing == {"MKB Den Haag", "ELBHO"}
    states = set(CommitmentProgress.objects.values_list("state", flat=True))
    assert {"achieved", "in_progress", "not_started"} <= states
    assert CommitmentProgress.objects.filter(evidence__gt="").count() > 40


def test_without_users_there_is_no_handler_and_the_programme_team_has_all(registry):
    load("--no-users")
    assert not get_user_model().objects.filter(email=HANDLER).exists()
    assert Report.objects.count() == 60
    assert not Report.objects.filter(routed_to__isnull=False).exists()
    assert Organisation.objects.filter(name="De Haagse Hogeschool").exists()


SQLITE_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from io import StringIO
call_command("migrate", verbosity=0)
call_command("load_demo", stdout=StringIO())
call_command("load_demo_internships", stdout=StringIO())
from internships.measurement import Period, report_figures
from internships.models import Report
year = Report.objects.latest("created_at").created_at.year
print(Report.objects.count(), report_figures(Period(year - 1, year))["total"])
"""


def test_demo_runs_on_the_embedded_default(tmp_path):
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
    assert result.stdout.split()[-2:] == ["60", "60"]
