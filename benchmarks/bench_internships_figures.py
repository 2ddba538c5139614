"""The internship figures page (internships.measurement through portal.suppression) with
1,000 reports against 50,000.

Bulk-creates the reports (every level, phase, reporter role and status, one to three
grounds, twenty institutions and some without one, over two years) and requests the figures
page for the two-year period as the programme team: the number of SQL queries must be the
same at both sizes; the median latency of REQUESTS requests is reported.

Run: BENCH_DB_NAME=portal_bench_figures .venv/bin/python benchmarks/bench_internships_figures.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

SIZES = (("small", 1000), ("large", 50000))
REQUESTS = 20
WARMUP = 3
STATUSES = ("received", "in_progress", "referred", "closed", "closed", "closed")
FIRST_YEAR = 2025


def build(n_reports, seed=9):
    """Bulk-create `n_reports` reports over FIRST_YEAR and the year after."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from internships.models import Ground, Level, Outcome, Phase, Report, ReporterRole
    from partners.models import Organisation

    rng = random.Random(seed)
    institutions = Organisation.objects.bulk_create(
        Organisation(name=f"Bench instelling {i}", kind="hbo_institution") for i in range(20)
    )
    start = timezone.make_aware(datetime.datetime(FIRST_YEAR, 1, 1))
    reports = []
    for i in range(n_reports):
        created = start + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 729))
        status = rng.choice(STATUSES)
        due = created.date() + datetime.timedelta(days=7)
        responded = status != "received" or rng.random() < 0.3
        reports.append(
            Report(
                reference=f"STG-B-{i:07d}",
                receipt_code_hash=f"{i:064d}",
                status=status,
                reporter_role=rng.choice(ReporterRole.values),
                institution=rng.choice(institutions) if i % 8 else None,
                level=rng.choice(Level.values),
                phase=rng.choice(Phase.values),
                grounds=rng.sample(Ground.values, rng.randint(1, 3)),
                description="",
                wish="conversation",
                consent_at=created,
                language="nl",
                response_due=due,
                first_response_at=(
                    created + datetime.timedelta(hours=rng.randint(1, 240)) if responded else None
                ),
                outcome=rng.choice(Outcome.values) if status == "closed" else "",
                closed_at=created + datetime.timedelta(days=20) if status == "closed" else None,
                created_at=created,
            )
        )
    Report.objects.bulk_create(reports, batch_size=5000)
    # What autovacuum does soon after a load: fresh statistics and visibility.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Report._meta.db_table}")
    return len(reports)


def clear():
    from internships.models import Report
    from partners.models import Organisation

    common.truncate(Report)
    Organisation.objects.filter(name__startswith="Bench instelling").delete()


def measure(client, url):
    """The queries of one request (after warming up), then REQUESTS timed requests."""
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with common.QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
    return counter.statements, samples


def run():
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(common.programme_team_user())
    url = f"{reverse('internships-figures')}?period={FIRST_YEAR}-{FIRST_YEAR + 1}"
    results = {}
    for size, n_reports in SIZES:
        clear()
        started = time.perf_counter()
        build(n_reports)
        print(f"[{size}] built {n_reports} reports in {time.perf_counter() - started:.1f} s")
        statements, samples = measure(client, url)
        results[size] = {
            "reports": n_reports,
            "queries": len(statements),
            "statements": statements,
            "median": common.median(samples),
            "p95": common.p95(samples),
        }
    clear()
    return results


def report(results):
    small, large = results["small"], results["large"]
    print()
    print(
        f"Internship figures page ({FIRST_YEAR}-{FIRST_YEAR + 1}): {small['reports']} reports "
        f"(small) against {large['reports']} (large); {REQUESTS} requests per size"
    )
    common.print_table(
        ["size", "reports", "queries", "median ms", "p95 ms"],
        [
            [size, f["reports"], f["queries"], common.ms(f["median"]), common.ms(f["p95"])]
            for size, f in results.items()
        ],
    )
    print(f"latency ratio large / small: {common.ratio(large['median'], small['median']):.2f}")


def problems_of(results):
    small, large = results["small"]["queries"], results["large"]["queries"]
    problems = [] if large == small else [f"figures page: queries {small} -> {large}"]
    for problem in problems:
        print("PROBLEM:", problem)
        common.print_top_shapes(results["large"]["statements"])
    return problems


def main():
    with common.bench_database():
        results = run()
        report(results)
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
