"""The internship report POST in one process: where a report's time goes.

The load run (load.py) measures the public report form's POST under gunicorn against a bare
view; this measures the same POST sequentially, without HTTP or locust, so that its parts can
be told apart: per POST the SQL statements and the median and 95th percentile of

- the whole request through Django's test client (middleware, the form, the service, the
  redirect with the encrypted receipt-code cookie);
- the form's validation alone (`ReportForm.is_valid()`);
- `internships.services.report_submit` alone (the report with its encrypted fields, its first
  status row and history row, the new-report e-mail to its handlers through the outbox).

The e-mails go to Django's memory backend; without a broker (the default) their sending task
runs in the request after the commit, as in the load run. The figures are reported, with no
budget of their own: the budget is the load run's.

Run: BENCH_DB_NAME=portal_bench_internships .venv/bin/python benchmarks/bench_internships.py
(add --profile for a cProfile of 100 POSTs). Also part of run_all.py.
"""

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

RUNS = 200
WARMUP = 10
INSTITUTION = "De Haagse Hogeschool"


def answers(institution_pk, n):
    return {
        "reporter_role": "student",
        "institution": str(institution_pk),
        "level": "hbo",
        "phase": "application",
        "grounds": ["origin", "religion"],
        "description": f"Bench: in het sollicitatiegesprek werd naar mijn geloof gevraagd. {n}",
        "occurred_on": "2026-03-15",
        "place": "Bench BV",
        "wish": "advice",
        "anonymous": "yes",
        "consent": "on",
    }


def prepare():
    """The registry's demo data and a programme-team user (the reports' recipient)."""
    from django.core.management import call_command

    from partners.models import Organisation

    call_command("load_demo", no_users=True, stdout=io.StringIO())
    common.programme_team_user()
    return Organisation.objects.get(name=INSTITUTION).pk


def measure(function, runs=RUNS):
    """(median ms, p95 ms, statements per call) of `function(n)` over `runs` calls."""
    for n in range(WARMUP):
        function(-1 - n)
    samples, statements = [], []
    for n in range(runs):
        with common.QueryCounter() as counter:
            started = time.perf_counter()
            function(n)
            samples.append((time.perf_counter() - started) * 1000)
        statements.append(len(counter))
    return {
        "median": common.median(samples),
        "p95": common.p95(samples),
        "queries": max(statements),
        "queries_min": min(statements),
    }


def run():
    from django.test import Client, override_settings
    from django.urls import reverse

    from internships import services
    from internships.forms.report import ReportForm
    from internships.models import Report

    institution = prepare()
    url = reverse("internships-report")
    client = Client()

    def post(n):
        response = client.post(url, answers(institution, n))
        if response.status_code != 302:
            raise RuntimeError(f"The report POST answered {response.status_code}, not 302.")

    def validate(n):
        form = ReportForm(answers(institution, n))
        if not form.is_valid():
            raise RuntimeError(f"The report form is not valid: {form.errors.as_json()}")

    form = ReportForm(answers(institution, 0))
    form.is_valid()
    cleaned = form.cleaned_data

    def submit(n):
        services.report_submit(data=cleaned, attachments=[], language="nl")

    with override_settings(
        INTERNSHIPS_REPORT_RATE="0", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        results = {
            "report POST (test client)": measure(post),
            "form validation": measure(validate),
            "report_submit": measure(submit),
        }
    results["_reports"] = Report.objects.count()
    return results


def report(results):
    reports = results.pop("_reports")
    print(
        f"Internship report POST in one process: {RUNS} runs each after {WARMUP} warm-up "
        f"({reports} reports saved)."
    )
    common.print_table(
        ["measure", "queries", "median ms", "p95 ms"],
        [
            [
                name,
                row["queries"]
                if row["queries"] == row["queries_min"]
                else f"{row['queries_min']}-{row['queries']}",
                f"{row['median']:.1f}",
                f"{row['p95']:.1f}",
            ]
            for name, row in results.items()
        ],
    )


def profile():
    """A cProfile of 100 report POSTs, the 25 most expensive functions by cumulative time."""
    import cProfile
    import pstats

    from django.test import Client, override_settings
    from django.urls import reverse

    from partners.models import Organisation

    institution = Organisation.objects.get(name=INSTITUTION).pk
    client = Client()
    url = reverse("internships-report")
    with override_settings(
        INTERNSHIPS_REPORT_RATE="0", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(100):
            client.post(url, answers(institution, n))
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main():
    with common.bench_database():
        results = run()
        if "--profile" in sys.argv[1:]:
            profile()
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
