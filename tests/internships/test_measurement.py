"""internships.measurement: raw counts per period, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from internships.measurement import (
    Period,
    figure_tables,
    on_time_share,
    parse_period,
    report_figures,
    report_periods,
    report_years,
)
from tests.factories import OrganisationFactory, ReportFactory


def at(year, month=6, day=1):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def closed(**kwargs):
    return ReportFactory(
        status="closed", outcome="advice_given", closed_at=kwargs["created_at"], **kwargs
    )


@pytest.fixture
def institution(db):
    return OrganisationFactory(name="Hogeschool Meetpunt", kind="hbo_institution")


def test_the_period_is_a_year_or_two_consecutive_years():
    assert parse_period("2026") == Period(2026, 2026)
    assert parse_period("2025-2026") == Period(2025, 2026)
    assert parse_period("2025-2027") is None
    assert parse_period("20x6") is None
    assert parse_period("") is None
    assert str(Period.biennium(2025)) == "2025-2026"


def test_a_report_counts_in_the_period_of_its_local_arrival(db):
    # 31 December 23:30 in The Hague is 22:30 UTC: the local year decides.
    new_year_eve = timezone.make_aware(datetime.datetime(2025, 12, 31, 23, 30))
    ReportFactory(created_at=new_year_eve)
    ReportFactory(created_at=at(2026, 1, 1))
    assert report_figures(Period.year(2025))["total"] == 1
    assert report_figures(Period.year(2026))["total"] == 1
    assert report_figures(Period(2025, 2026))["total"] == 2


def test_counts_by_phase_level_ground_institution_role_and_outcome(db, institution):
    ReportFactory(
        created_at=at(2026),
        phase="finding",
        level="hbo",
        grounds=["origin", "religion"],
        institution=institution,
    )
    ReportFactory(
        created_at=at(2026),
        phase="finding",
        level="hbo",
        grounds=["religion"],
        reporter_role="witness",
    )
    closed(
        created_at=at(2026),
        phase="internship",
        level="mbo",
        grounds=["sexual_orientation"],
        institution=institution,
    )
    ReportFactory(created_at=at(2024), phase="finding", level="wo")

    figures = report_figures(Period.year(2026))

    assert figures["total"] == 3
    assert figures["phase_level"] == {"finding": {"hbo": 2}, "internship": {"mbo": 1}}
    assert figures["grounds_level"]["religion"] == {"hbo": 2, "mbo": 0}
    assert figures["grounds_level"]["origin"] == {"hbo": 1, "mbo": 0}
    assert figures["grounds_level"]["sexual_orientation"] == {"hbo": 0, "mbo": 1}
    assert figures["grounds_level"]["other"] == {"hbo": 0, "mbo": 0}
    assert figures["institution_status"] == {
        institution.pk: {"received": 1, "closed": 1},
        None: {"received": 1},
    }
    assert figures["institutions"] == {institution.pk: "Hogeschool Meetpunt"}
    assert figures["reporter_role"] == {"student": 2, "witness": 1}
    assert figures["outcome"] == {"advice_given": 1}


def test_first_responses_within_the_deadline_are_counted_by_the_local_date(db):
    due = datetime.date(2026, 3, 10)
    ReportFactory(
        created_at=at(2026, 3, 2),
        response_due=due,
        first_response_at=timezone.make_aware(datetime.datetime(2026, 3, 10, 23, 0)),
    )
    ReportFactory(created_at=at(2026, 3, 2), response_due=due, first_response_at=at(2026, 3, 11))
    ReportFactory(created_at=at(2026, 3, 2), response_due=due)
    assert report_figures(Period.year(2026))["responses"] == {"on_time": 1, "late": 1}


def test_demo_reports_are_counted_and_counted_apart(db):
    ReportFactory(created_at=at(2026), is_demo=True)
    ReportFactory(created_at=at(2026))
    figures = report_figures(Period.year(2026))
    assert (figures["total"], figures["demo"]) == (2, 1)


def test_the_number_of_queries_does_not_grow_with_the_reports(db, institution):
    def queries():
        with CaptureQueriesContext(connection) as context:
            report_figures(Period(2025, 2026))
        return len(context.captured_queries)

    ReportFactory(created_at=at(2026))
    few = queries()
    for n in range(12):
        ReportFactory(
            created_at=at(2025 + n % 2),
            institution=institution if n % 3 else OrganisationFactory(),
            grounds=["age", "gender"],
            status="in_progress",
        )
    assert queries() == few <= 6


def test_years_and_periods_with_reports(db):
    ReportFactory(created_at=at(2024))
    ReportFactory(created_at=at(2026))
    assert report_years() == [2026, 2024]
    assert [p.key for p in report_periods()] == ["2026", "2024", "2025-2026", "2024-2025"]
    assert report_periods([]) == []
    assert [p.key for p in report_periods([2026])] == ["2026", "2025-2026"]


def test_the_tables_suppress_small_counts_and_what_a_total_would_reveal(db):
    grid = {("finding", "hbo"): 3, ("application", "hbo"): 8, ("internship", "hbo"): 12}
    grid.update({("finding", "mbo"): 6, ("application", "mbo"): 7, ("internship", "mbo"): 9})
    for (phase, level), count in grid.items():
        ReportFactory.create_batch(count, created_at=at(2026), phase=phase, level=level)

    tables = {table.key: table for table in figure_tables(report_figures(Period.year(2026)))}
    phase_level = tables["phase_level"].table
    assert str(phase_level.cells["finding", "hbo"]) == "<5"
    assert phase_level.cells["finding", "hbo"].value == 3
    assert str(phase_level.cells["finding", "wo"]) == "<5"
    # The hbo column (3, 8, 12, total 23) would give the 3 away: the 8 is hidden too.
    assert str(phase_level.cells["application", "hbo"]) == "x"
    assert str(phase_level.cells["internship", "hbo"]) == "12"
    assert str(phase_level.column_totals["hbo"]) == "23"
    assert str(phase_level.grand_total) == "45"
    assert tables["grounds_level"].table.column_totals == {}
    assert on_time_share(list(tables.values())) is None
