"""The biennial monitor at scale: 200 organisations x 40 indicators x 10 years.

Builds the monitoring dashboard benchmark's data (benchmarks/bench_monitoring_dashboard.py:
80,000 figure values), makes every indicator one that school boards report, adds a
reporting round per year and an agenda of 6 programme lines x 10 activities with progress
updates. Then:

- renders the monitor of the last two years (with the two before them to compare) in a
  fresh Python process, as a worker does, and reads that process's render time and peak
  memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`): under MAX_RENDER_SECONDS and
  MAX_PEAK_MB;
- times the programme team's POST that starts a monitor (it records the monitor and
  publishes the task; the message goes to BENCH_BROKER_URL, by default kombu's in-memory
  transport, so no worker picks it up): median under MAX_START_MS.

Run: BENCH_DB_NAME=portal_bench_monitor .venv/bin/python benchmarks/bench_monitoring_monitor.py
"""

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bench_monitoring_dashboard as dashboard  # noqa: E402
from benchmarks import common  # noqa: E402

MAX_RENDER_SECONDS = 30
MAX_PEAK_MB = 600
MAX_START_MS = 200
REQUESTS = 20
WARMUP = 3
LINES = 6
ACTIVITIES_PER_LINE = 10
END_YEAR = dashboard.FIRST_YEAR + dashboard.YEARS - 1
START_YEAR = END_YEAR - 1

RENDER_SCRIPT = """
import json, resource, sys, time
import django
django.setup()
from monitoring import report
started = time.perf_counter()
rendered = report.render({start}, {end}, "en")
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "peak_kb": peak_kb, "pages": rendered.pages,
                  "bytes": len(rendered.pdf)}}))
"""


def build():
    from monitoring.models import (
        Activity,
        Agenda,
        Indicator,
        ProgrammeLine,
        ProgressUpdate,
        ReportingRound,
    )

    n_values = dashboard.build()
    Indicator.objects.update(reporting_kinds=["school_board"], source="Bench source")
    for year in range(dashboard.FIRST_YEAR, END_YEAR + 1):
        ReportingRound.objects.create(
            year=year, opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 3, 1)
        )
    agenda = Agenda.objects.create(
        name="Bench activiteitenplan", slug="bench", start_year=START_YEAR, end_year=END_YEAR + 2
    )
    statuses = Activity.Status.values
    for n in range(LINES):
        line = ProgrammeLine.objects.create(
            agenda=agenda, code=str(n + 1), title=f"Programmalijn {n + 1}", position=n
        )
        activities = Activity.objects.bulk_create(
            Activity(
                line=line,
                code=f"{n + 1}.{i + 1}",
                title=f"Activiteit {n + 1}.{i + 1} met een titel van enige lengte",
                status=statuses[(n + i) % len(statuses)],
                progress=(n * 17 + i * 11) % 101,
                lead_text="Bench bestuur",
                position=i,
            )
            for i in range(ACTIVITIES_PER_LINE)
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                activity=activity,
                date=datetime.date(END_YEAR, 1 + k, 1),
                text="Voortgang in het kwartaal: " + "gesprekken gevoerd, " * 10,
            )
            for activity in activities
            for k in range(3)
        )
    return n_values


def render_in_subprocess():
    script = RENDER_SCRIPT.format(start=START_YEAR, end=END_YEAR)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env=os.environ.copy(),
        cwd=common.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=common.TIMEOUT_SECONDS,
    )
    if result.returncode:
        raise RuntimeError(f"The render failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_start():
    """The latency of the POST that starts a monitor (the task published, not run)."""
    from django.test import Client
    from django.urls import reverse

    from monitoring.models import Monitor
    from portal.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ.get("BENCH_BROKER_URL", "memory://")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(common.programme_team_user())
    url = reverse("monitoring-monitor-list")
    data = {"period": f"{START_YEAR}-{END_YEAR}", "language": "en"}
    for _ in range(WARMUP):
        assert client.post(url, data).status_code == 302
    with common.QueryCounter() as counter:
        client.post(url, data)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.post(url, data)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 302
    assert not Monitor.objects.exclude(status=Monitor.Status.QUEUED).exists()
    return {
        "queries": len(counter),
        "median": common.median(samples),
        "p95": common.p95(samples),
    }


def run():
    started = time.perf_counter()
    n_values = build()
    print(f"built {n_values} values in {time.perf_counter() - started:.1f} s", flush=True)
    return {"values": n_values, "render": render_in_subprocess(), "start": measure_start()}


def report(results):
    render, start = results["render"], results["start"]
    print()
    print(
        f"Monitor {START_YEAR}-{END_YEAR}: {dashboard.ORGANISATIONS} organisations x "
        f"{dashboard.INDICATORS} indicators x {dashboard.YEARS} years ({results['values']} "
        f"values), {LINES * ACTIVITIES_PER_LINE} activities"
    )
    common.print_table(
        ["measure", "value", "budget"],
        [
            ["render (fresh process)", f"{render['seconds']:.1f} s", f"{MAX_RENDER_SECONDS} s"],
            ["peak memory (ru_maxrss)", f"{render['peak_kb'] / 1024:.0f} MB", f"{MAX_PEAK_MB} MB"],
            ["PDF", f"{render['pages']} pages, {render['bytes'] / 1024:.0f} KB", ""],
            ["start POST median", common.ms(start["median"]) + " ms", f"{MAX_START_MS} ms"],
            ["start POST p95", common.ms(start["p95"]) + " ms", ""],
            ["start POST queries", start["queries"], ""],
        ],
    )


def problems_of(results):
    render, start = results["render"], results["start"]
    problems = []
    if render["seconds"] >= MAX_RENDER_SECONDS:
        problems.append(f"render took {render['seconds']:.1f} s")
    if render["peak_kb"] / 1024 >= MAX_PEAK_MB:
        problems.append(f"peak memory {render['peak_kb'] / 1024:.0f} MB")
    if start["median"] * 1000 >= MAX_START_MS:
        problems.append(f"start POST median {common.ms(start['median'])} ms")
    for problem in problems:
        print("PROBLEM:", problem)
    return problems


def main():
    with common.bench_database():
        results = run()
        report(results)
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
