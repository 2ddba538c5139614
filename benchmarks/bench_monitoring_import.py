"""The yearly-figures upload through the web, against a plain bulk_create.

Generates, in memory, an XLSX workbook of ROWS figure rows (organisation by board number,
indicator code, the open round's year, a sector, a value; 500 school boards x 20 indicators),
as a figures submitter's spreadsheet looks.

- import (the user's path): a logged-in programme-team user posts the workbook to the
  upload page, opens the preview (a dry run of every row) and confirms it, with the Django
  test client; each step is timed;
- baseline: the same workbook read with openpyxl, the same FigureValue objects built in plain
  Python, and `FigureValue.objects.bulk_create`, in one transaction.

Each side runs RUNS times on an emptied table, alternating; the medians are compared.
Budgets: upload + preview + confirm under IMPORT_SECONDS and within BUDGET times the baseline.

Run: .venv/bin/python benchmarks/bench_monitoring_import.py
"""

import datetime
import io
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

ROWS = 10_000
BOARDS = 500
INDICATORS = ROWS // BOARDS
RUNS = 3
BUDGET = 5.0
IMPORT_SECONDS = 10.0
HEADERS = ["organisatie", "indicator", "jaar", "sector", "waarde", "toelichting"]
SECTORS = ["po", "vo", "mbo", ""]


def setup():
    """School boards, indicators and an open round; returns the round's year."""
    from django.utils import timezone

    from monitoring.models import Indicator, ReportingRound
    from partners.models import Organisation

    year = timezone.localdate().year
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Stichting Bench {n}", kind="school_board", board_number=str(n))
            for n in range(10000, 10000 + BOARDS)
        ]
    )
    for n in range(INDICATORS):
        Indicator.objects.get_or_create(
            code=f"bench-{n}",
            defaults={
                "name": f"Bench indicator {n}",
                "unit": "FTE" if n % 2 else "persons",
                "reporting_kinds": ["school_board"],
                "decimals": 1 if n % 2 else 0,
            },
        )
    today = timezone.localdate()
    ReportingRound.objects.get_or_create(
        year=year,
        defaults={
            "opens_on": today - datetime.timedelta(days=1),
            "closes_on": today + datetime.timedelta(days=30),
        },
    )
    return year


def make_workbook(year, seed=2026):
    """The rows as an XLSX workbook: number cells for the board numbers, years and values."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for board in range(10000, 10000 + BOARDS):
        for n in range(INDICATORS):
            value = round(rng.uniform(0, 200), 1) if n % 2 else rng.randint(0, 300)
            sector = SECTORS[(board + n) % len(SECTORS)]
            sheet.append([board, f"bench-{n}", year, sector, value, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def clear():
    from monitoring.models import FigureStatusChange, FigureValue

    common.truncate(FigureStatusChange, FigureValue.history.model, FigureValue)


def logged_in_client(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client


def run_import(content, client):
    """Upload, preview and confirm through the pages; returns the seconds of each step."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from monitoring.models import FigureValue

    started = time.perf_counter()
    upload = client.post(
        reverse("import-upload", args=["monitoring-figures"]),
        {"file": SimpleUploadedFile("cijfers.xlsx", content)},
    )
    uploaded = time.perf_counter()
    assert upload.status_code == 302, upload.content[:2000]
    preview = client.get(upload["Location"])
    previewed = time.perf_counter()
    assert preview.status_code == 200, preview.status_code
    assert b"message--error" not in preview.content, preview.content.decode()[:3000]
    confirm = client.post(upload["Location"])
    confirmed = time.perf_counter()
    assert confirm.status_code == 302, confirm.content[:2000]
    assert FigureValue.objects.count() == ROWS, FigureValue.objects.count()
    return {
        "upload": uploaded - started,
        "preview": previewed - uploaded,
        "confirm": confirmed - previewed,
        "total": confirmed - started,
    }


def run_baseline(content, year):
    """The same rows with openpyxl, plain Python and bulk_create; returns seconds."""
    from django.db import transaction
    from openpyxl import load_workbook

    from monitoring.models import FigureValue, Indicator, ReportingRound
    from partners.models import Organisation

    started = time.perf_counter()
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    next(rows)
    boards = {o.board_number: o.pk for o in Organisation.objects.filter(kind="school_board")}
    indicators = {i.code: i.pk for i in Indicator.objects.all()}
    round_ = ReportingRound.objects.get(year=year)
    values = [
        FigureValue(
            organisation_id=boards[str(board)],
            indicator_id=indicators[code],
            year=row_year,
            sector=sector or "",
            value=Decimal(str(value)),
            round=round_,
            status=FigureValue.Status.SUBMITTED,
        )
        for board, code, row_year, sector, value, *_comment in rows
    ]
    with transaction.atomic():
        FigureValue.objects.bulk_create(values, batch_size=1000)
    elapsed = time.perf_counter() - started
    assert FigureValue.objects.count() == ROWS
    return elapsed


def run():
    from monitoring.models import FigureValue

    year = setup()
    client = logged_in_client(common.programme_team_user())
    content = make_workbook(year)
    print(f"XLSX: {ROWS} rows, {len(content) / 1024:.0f} KB", flush=True)
    steps = {key: [] for key in ("upload", "preview", "confirm", "total")}
    baselines = []
    for _ in range(RUNS):
        clear()
        for key, seconds in run_import(content, client).items():
            steps[key].append(seconds)
        clear()
        baselines.append(run_baseline(content, year))
        assert FigureValue.objects.count() == ROWS
    clear()
    results = {key: common.median(samples) for key, samples in steps.items()}
    results["runs"] = steps
    results["baseline"] = common.median(baselines)
    results["baseline_runs"] = baselines
    results["ratio"] = common.ratio(results["total"], results["baseline"])
    report(results)
    return results


def report(results):
    print()
    print(f"Yearly-figures upload through the pages, {ROWS} rows (XLSX), median of {RUNS} runs")
    runs = results["runs"]
    common.print_table(
        ["step", "median s", "runs s"],
        [
            [step, f"{results[step]:.2f}", " ".join(f"{t:.2f}" for t in runs[step])]
            for step in ("upload", "preview", "confirm", "total")
        ]
        + [
            [
                "baseline (openpyxl + bulk_create)",
                f"{results['baseline']:.2f}",
                " ".join(f"{t:.2f}" for t in results["baseline_runs"]),
            ]
        ],
    )
    print(
        f"import total {results['total']:.2f} s (budget {IMPORT_SECONDS:.0f} s); "
        f"ratio import/baseline {results['ratio']:.2f} (budget {BUDGET:.0f}x)"
    )
    problems = problems_of(results)
    print("PROBLEM: " + "; ".join(problems) if problems else "OK: within the budgets.")


def problems_of(results):
    problems = []
    if results["total"] > IMPORT_SECONDS:
        problems.append(f"import takes {results['total']:.1f} s")
    if results["ratio"] > BUDGET:
        problems.append(f"import is {results['ratio']:.1f}x the baseline")
    return problems


def main():
    with common.bench_database():
        results = run()
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
