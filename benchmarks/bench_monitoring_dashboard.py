"""The monitoring dashboard with 200 organisations x 40 indicators x 10 years.

Bulk-creates 200 organisations in the region's municipalities, 40 indicators (half of them
counts of persons, the three aggregations) and an approved value per organisation,
indicator and year over ten years (80,000 values), plus area values for a region and its
parts. Requests the programme team's dashboard (with the submitted figures included) and the
public one, rendered each time (the public page cache retired before each request) and from
the cache: each must take at most MAX_QUERIES SQL queries; the median latency of REQUESTS
requests is reported.

Run: BENCH_DB_NAME=portal_bench_dashboard .venv/bin/python benchmarks/bench_monitoring_dashboard.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

ORGANISATIONS = 200
INDICATORS = 40
YEARS = 10
FIRST_YEAR = 2016
MAX_QUERIES = 12
REQUESTS = 20
WARMUP = 3
SECTORS = ("po", "vo", "mbo", "so")
AREAS = ("'s-Gravenhage", "Haaglanden excl. Den Haag", "Haaglanden", "Almere", "Utrecht")


def build(seed=10):
    from django.db import connection

    from monitoring.models import FigureValue, Indicator
    from partners.models import Municipality, Organisation

    rng = random.Random(seed)
    places = [Municipality.objects.get_or_create(name=name)[0] for name in common.MUNICIPALITIES]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench bestuur {i}", kind="school_board", municipality=places[i % len(places)]
        )
        for i in range(ORGANISATIONS)
    )
    aggregations = ("sum", "sum", "average", "latest")
    indicators = Indicator.objects.bulk_create(
        Indicator(
            code=f"bench-{i:02d}",
            name=f"Bench indicator {i}",
            unit="persons" if i % 2 == 0 else "FTE",
            aggregation=aggregations[i % 4],
            counts_persons=i % 2 == 0,
            decimals=0 if i % 2 == 0 else 1,
            position=i,
        )
        for i in range(INDICATORS)
    )
    values = [
        FigureValue(
            organisation=organisation,
            indicator=indicator,
            year=FIRST_YEAR + year,
            sector=SECTORS[n % len(SECTORS)],
            value=rng.randint(0, 60),
            status="approved" if rng.random() < 0.9 else "submitted",
            source="upload",
        )
        for n, organisation in enumerate(organisations)
        for indicator in indicators
        for year in range(YEARS)
    ]
    values += [
        FigureValue(
            area=area,
            indicator=indicator,
            year=FIRST_YEAR + year,
            sector=sector,
            value=rng.randint(0, 120),
            status="approved",
            source="public",
        )
        for indicator in indicators[:4]
        for area in AREAS
        for sector in SECTORS[:3]
        for year in range(YEARS)
    ]
    FigureValue.objects.bulk_create(values, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {FigureValue._meta.db_table}")
    return len(values)


def measure(client, url, *, rendered=True):
    """The queries of one request and REQUESTS timed requests; `rendered`: each request
    renders the page (the public page cache is retired before it), else the cache may serve."""
    from portal.cache import invalidate

    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    if rendered:
        invalidate()
    with common.QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200
    samples = []
    for _ in range(REQUESTS):
        if rendered:
            invalidate()
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
    return counter.statements, samples


def run():
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    n_values = build()
    print(f"built {n_values} values in {time.perf_counter() - started:.1f} s")
    team = Client(HTTP_ACCEPT_LANGUAGE="en")
    team.force_login(common.programme_team_user())
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    pages = {
        "team": (team, f"{reverse('monitoring-dashboard')}?include=submitted"),
        "team, one sector and years": (
            team,
            f"{reverse('monitoring-dashboard')}?indicator=bench-01&sector=vo&from=2018&to=2022",
        ),
        "public": (public, reverse("monitoring-public-dashboard")),
        "public, from the page cache": (public, reverse("monitoring-public-dashboard")),
        "open data JSON": (public, reverse("monitoring-open-data-json")),
    }
    results = {}
    for name, (client, url) in pages.items():
        statements, samples = measure(client, url, rendered="cache" not in name)
        results[name] = {
            "values": n_values,
            "queries": len(statements),
            "statements": statements,
            "median": common.median(samples),
            "p95": common.p95(samples),
        }
    return results


def report(results):
    print()
    print(
        f"Monitoring dashboard: {ORGANISATIONS} organisations x {INDICATORS} indicators x "
        f"{YEARS} years; {REQUESTS} requests per page"
    )
    common.print_table(
        ["page", "values", "queries", "median ms", "p95 ms"],
        [
            [name, f["values"], f["queries"], common.ms(f["median"]), common.ms(f["p95"])]
            for name, f in results.items()
        ],
    )


def problems_of(results):
    problems = [
        f"{name}: {f['queries']} queries (at most {MAX_QUERIES})"
        for name, f in results.items()
        if f["queries"] > MAX_QUERIES
    ]
    for problem in problems:
        print("PROBLEM:", problem)
    if problems:
        common.print_top_shapes(max(results.values(), key=lambda f: f["queries"])["statements"])
    return problems


def main():
    with common.bench_database():
        results = run()
        report(results)
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
