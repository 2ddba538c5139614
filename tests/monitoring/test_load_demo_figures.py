"""The demo figures of load_demo_monitoring: the seed's tables, rounds, board figures and the
figures-submitter login; idempotent."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from monitoring.demo_figures import PASSWORD, SUBMITTER_EMAIL, load_figures
from monitoring.models import FigureValue, Indicator, ReportingRound
from monitoring.services.figures import round_completeness

pytestmark = pytest.mark.django_db

Status = FigureValue.Status


@pytest.fixture
def registry():
    call_command("load_demo", stdout=StringIO())


def area(code, area, year, sector=""):
    return FigureValue.objects.get(
        indicator__code=code, area=area, year=year, sector=sector, organisation=None
    )


def test_the_seed_tables_are_approved_area_figures_without_the_printed_totals(registry):
    load_figures()

    assert area("zij-instromers", "'s-Gravenhage", 2022, "po").value == 77
    assert area("zij-instromers", "Haaglanden excl. Den Haag", 2024, "vo").value == 21
    assert area("zij-instromers", "Landelijk", 2023, "mbo").value == 1004
    po = FigureValue.objects.filter(indicator__code="zij-instromers", sector="po")
    assert po.count() == 8 * 3  # eight regions, three years: no "Totaal" column
    assert not po.filter(value=2558).exists()  # the printed national total
    value = area("zij-instromers", "Almere", 2022, "po")
    assert (value.status, value.source) == (Status.APPROVED, FigureValue.Source.PUBLIC)
    assert "DUO" in value.source_note
    assert Indicator.objects.get(code="zij-instromers").counts_persons


def test_the_shortage_per_subject_and_the_partner_counts(registry):
    load_figures()

    assert area("tekort-fte-wiskunde", "Zuidwest-Nederland", 2029, "vo").value == 146
    shortage = FigureValue.objects.filter(
        indicator__code__startswith="tekort-fte-", indicator__sum_of=[], year=2024
    )
    # The source prints 606 as the total of 2024; its rows add up to 591. Monitoring computes,
    # and keeps the printed total only to show the difference.
    assert sum(v.value for v in shortage) == Decimal(591)
    assert area("tekort-fte-totaal-bron", "Zuidwest-Nederland", 2024, "vo").value == 606
    assert area("partner-besturen", "Haaglanden", 2025, "po").value == 44
    assert area("partner-vestigingen", "Haaglanden", 2025, "vo").value == 121
    assert area("partner-leerlingen", "Haaglanden", 2025, "mbo").value == 17379


def test_rounds_board_figures_and_the_submitter_login(registry):
    load_figures()

    year = timezone.localdate().year
    this, last = ReportingRound.objects.get(year=year), ReportingRound.objects.get(year=year - 1)
    assert this.is_open() and not last.is_open()
    this_year = FigureValue.objects.filter(year=year, organisation__isnull=False)
    statuses = set(this_year.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.APPROVED, Status.REJECTED} <= statuses
    assert this_year.filter(status=Status.REJECTED).exclude(rejection_reason="").count() == 1
    completeness = round_completeness(this)
    assert any(row["counts"]["missing"] for row in completeness["rows"])
    user = authenticate(email=SUBMITTER_EMAIL, password=PASSWORD)
    assert user is not None
    assert user.memberships.get().topics == ["figures_submitter"]


def test_loading_twice_changes_nothing(registry):
    first = load_figures()
    counts = FigureValue.objects.count(), Indicator.objects.count()

    second = load_figures()

    assert first["figures"] > 100
    assert second == {"indicators": 0, "figures": 0, "rounds": 0}
    assert (FigureValue.objects.count(), Indicator.objects.count()) == counts


def test_the_monitoring_demo_command_loads_the_figures(registry):
    out = StringIO()
    call_command("load_demo_monitoring", stdout=out)

    assert "cijfers@example.org" in out.getvalue()
    assert FigureValue.objects.filter(indicator__code="zij-instromers").exists()
