"""One batch of 1,000 yearly figures through the partner API, against the same rows through
the spreadsheet upload, in one run.

One school board, 250 indicators x 4 sectors = ROWS values for the open round:
- api: a token's POST of the rows as one batch to /api/v1/batches/ (the Django test client,
  in process, as the upload side below); then the same request again, which the batch key
  turns into a replay that changes nothing;
- import (baseline): the same rows as an XLSX workbook, uploaded, previewed and confirmed
  through the pages by a programme-team user, the path a submitter takes today.

Both sides pass every value through the same resource and checks. Each side runs RUNS times
on an emptied table, alternating; the medians are compared.
Budget: the API batch within BUDGET times the upload, and under API_SECONDS.

Run: .venv/bin/python benchmarks/bench_api_batch.py
"""

import datetime
import io
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402
from benchmarks.bench_monitoring_import import HEADERS, clear, logged_in_client  # noqa: E402

INDICATORS = 250
SECTORS = ["po", "vo", "mbo", ""]
ROWS = INDICATORS * len(SECTORS)
BOARD_NUMBER = "40123"
RUNS = 5
BUDGET = 1.0
API_SECONDS = 2.0


def setup():
    """The board, a figures submitter with a token, the indicators and an open round."""
    from django.utils import timezone

    from monitoring.models import Indicator, ReportingRound
    from partners.models import Membership, Organisation
    from portal import api
    from portal.models import User

    today = timezone.localdate()
    board = Organisation.objects.create(
        name="Stichting Bench API", kind="school_board", board_number=BOARD_NUMBER
    )
    submitter = User.objects.create_user("bench-submitter@example.org", "Bench-Password-42")
    Membership.objects.create(
        user=submitter, organisation=board, role="editor", topics=["figures_submitter"]
    )
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"api-{n}",
                name=f"API indicator {n}",
                unit="FTE" if n % 2 else "persons",
                reporting_kinds=["school_board"],
                decimals=1 if n % 2 else 0,
            )
            for n in range(INDICATORS)
        ]
    )
    round_ = ReportingRound.objects.create(
        year=today.year,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    _token, key = api.issue_token(
        organisation=board,
        name="Bench system",
        scopes=["figures:read", "figures:submit"],
        expires_on=today + datetime.timedelta(days=30),
        created_by=submitter,
    )
    return round_.year, key


def make_rows(seed=2026):
    rng = random.Random(seed)
    rows = []
    for n in range(INDICATORS):
        for sector in SECTORS:
            value = round(rng.uniform(0, 200), 1) if n % 2 else rng.randint(0, 300)
            rows.append((f"api-{n}", sector, value))
    return rows


def make_body(year, rows, batch_key):
    values = [{"indicator": code, "sector": sector, "value": value} for code, sector, value in rows]
    return json.dumps({"batch_key": batch_key, "round": year, "values": values})


def make_workbook(year, rows):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for code, sector, value in rows:
        sheet.append([int(BOARD_NUMBER), code, year, sector, value, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_api(client, body):
    """The batch, then the same request replayed; returns the seconds of each."""
    from monitoring.models import FigureValue

    started = time.perf_counter()
    response = client.post("/api/v1/batches/", body, content_type="application/json")
    posted = time.perf_counter()
    assert response.status_code == 201, response.content[:2000]
    again = client.post("/api/v1/batches/", body, content_type="application/json")
    replayed = time.perf_counter()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert FigureValue.objects.count() == ROWS, FigureValue.objects.count()
    return posted - started, replayed - posted


def run_upload(client, content):
    """Upload, preview and confirm through the pages; returns seconds."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from monitoring.models import FigureValue

    started = time.perf_counter()
    upload = client.post(
        reverse("import-upload", args=["monitoring-figures"]),
        {"file": SimpleUploadedFile("cijfers.xlsx", content)},
    )
    assert upload.status_code == 302, upload.content[:2000]
    preview = client.get(upload["Location"])
    assert preview.status_code == 200 and b"message--error" not in preview.content
    confirm = client.post(upload["Location"])
    assert confirm.status_code == 302, confirm.content[:2000]
    elapsed = time.perf_counter() - started
    assert FigureValue.objects.count() == ROWS, FigureValue.objects.count()
    return elapsed


def clear_batches():
    from monitoring.models import FigureBatch

    common.truncate(FigureBatch)
    clear()


def run():
    from django.conf import settings
    from django.test import Client

    settings.API_TOKEN_RATE = "10000/min"
    year, key = setup()
    rows = make_rows()
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    page_client = logged_in_client(common.programme_team_user())
    content = make_workbook(year, rows)
    print(
        f"{ROWS} values: JSON {len(make_body(year, rows, 'x')) / 1024:.0f} KB, "
        f"XLSX {len(content) / 1024:.0f} KB",
        flush=True,
    )
    posts, replays, uploads = [], [], []
    for run_number in range(RUNS):
        clear_batches()
        post, replay = run_api(api_client, make_body(year, rows, f"bench-{run_number}"))
        posts.append(post)
        replays.append(replay)
        clear_batches()
        uploads.append(run_upload(page_client, content))
    clear_batches()
    results = {
        "api": common.median(posts),
        "replay": common.median(replays),
        "upload": common.median(uploads),
        "runs": {"api": posts, "replay": replays, "upload": uploads},
    }
    results["ratio"] = common.ratio(results["api"], results["upload"])
    report(results)
    return results


def report(results):
    print()
    print(f"Yearly figures, {ROWS} values of one board, median of {RUNS} runs")
    runs = results["runs"]
    common.print_table(
        ["path", "median s", "runs s"],
        [
            [label, f"{results[key]:.3f}", " ".join(f"{t:.3f}" for t in runs[key])]
            for key, label in [
                ("api", "API batch (POST /api/v1/batches/)"),
                ("replay", "API batch replayed (same key)"),
                ("upload", "baseline: XLSX upload + preview + confirm"),
            ]
        ],
    )
    print(
        f"API batch {results['api']:.2f} s (budget {API_SECONDS:.0f} s); "
        f"ratio API/upload {results['ratio']:.2f} (budget {BUDGET:.1f}x)"
    )
    problems = problems_of(results)
    print("PROBLEM: " + "; ".join(problems) if problems else "OK: within the budgets.")


def problems_of(results):
    problems = []
    if results["api"] > API_SECONDS:
        problems.append(f"the API batch takes {results['api']:.1f} s")
    if results["ratio"] > BUDGET:
        problems.append(f"the API batch is {results['ratio']:.1f}x the upload")
    return problems


def main():
    with common.bench_database():
        results = run()
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
