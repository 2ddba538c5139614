"""Organisation import and export through the web, against a plain bulk_create.

Generates, in memory, a semicolon-separated CSV file as Dutch Excel writes it (Windows-1252)
with ROWS organisations: unique names, kinds, sectors, municipalities, unique five-digit
board numbers for the boards, BRINs for the school locations, websites and active flags.

- import (the user's path): a logged-in programme-team user posts the file to the upload
  page, opens the preview (a dry run of every row) and confirms it, with the Django test
  client; each step is timed;
- baseline: the same CSV bytes decoded and split with the csv module, the same Organisation
  objects built in plain Python, `Organisation.objects.bulk_create` plus a bulk_create of the
  sector rows, in one transaction;
- export: the organisation export of all ROWS organisations, as XLSX and as CSV, timed with
  its number of queries.

Each side runs RUNS times on an emptied table, alternating; the medians are compared.
Budgets: upload + preview + confirm under IMPORT_SECONDS and within BUDGET times the
baseline; each export under EXPORT_SECONDS.

Run: .venv/bin/python benchmarks/bench_import.py [--profile]
"""

import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

ROWS = 10_000
RUNS = 3
BUDGET = 5.0
IMPORT_SECONDS = 10.0
EXPORT_SECONDS = 2.0
HEADERS = [
    "naam",
    "soort",
    "sectoren",
    "gemeente",
    "bestuur",
    "bestuursnummer",
    "brin",
    "website",
    "actief",
]
# (kind code, name prefixes, sector choices); weights in KIND_WEIGHTS.
KINDS = {
    "school_board": (
        ["Stichting Openbaar Onderwijs", "Vereniging Christelijk Onderwijs", "Coöperatie Scholen"],
        ["po", "po, so", "vo", "vo, mbo", "po; vo"],
    ),
    "school_location": (
        ["Basisschool De Regenboog", "Kindcentrum ’t Ravelijn", "Lyceum", "Praktijkschool"],
        ["po", "vo", "so", "mbo"],
    ),
    "employer": (["Zorggroep", "Technisch Bedrijf", "Café-Restaurant"], ["mbo", "hbo", ""]),
    "childcare": (["Kinderopvang Ukkie", "BSO De Zeeëgel"], ["kinderopvang"]),
    "hbo_institution": (["Hogeschool"], ["hbo"]),
    "knowledge_centre": (["Kenniscentrum Onderwijs & Arbeidsmarkt"], ["", "mbo, hbo"]),
    "other": (["Stichting Leren Werkt"], [""]),
}
KIND_WEIGHTS = {
    "school_board": 20,
    "school_location": 45,
    "employer": 20,
    "childcare": 8,
    "hbo_institution": 2,
    "knowledge_centre": 3,
    "other": 2,
}


def make_rows(count=ROWS, seed=2025):
    """Realistic rows, as lists of strings in HEADERS order."""
    rng = random.Random(seed)
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    board_numbers = iter(rng.sample(range(10000, 100000), count))
    brins = iter(rng.sample(range(100 * 26 * 26), count))
    rows = []
    for number, kind in enumerate(kinds, start=1):
        prefixes, sectors = KINDS[kind]
        place = rng.choice(common.MUNICIPALITIES)
        # Unique names: prefix, place and a number, like "Lyceum Delft 1234".
        name = f"{rng.choice(prefixes)} {place} {number}"
        brin = ""
        if kind == "school_location":
            code = next(brins)
            brin = f"{code // 676:02d}{chr(65 + code // 26 % 26)}{chr(65 + code % 26)}"
        rows.append(
            [
                name,
                kind,
                rng.choice(sectors),
                place if rng.random() > 0.05 else "",
                "",
                str(next(board_numbers)) if kind == "school_board" else "",
                brin,
                f"www.organisatie-{number}.nl" if rng.random() > 0.3 else "",
                "ja" if rng.random() > 0.1 else "nee",
            ]
        )
    return rows


def to_csv(rows):
    """The rows as Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)"."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def clear():
    from partners.models import Organisation

    common.truncate(Organisation.sectors.through, Organisation.history.model, Organisation)


def logged_in_client(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client


def run_import(content, client):
    """Upload, preview and confirm through the pages; returns the seconds of each step."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from partners.models import Organisation

    started = time.perf_counter()
    upload = client.post(
        reverse("import-upload", args=["organisations"]),
        {"file": SimpleUploadedFile("organisaties.csv", content, content_type="text/csv")},
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
    assert Organisation.objects.count() == ROWS, Organisation.objects.count()
    # Windows-1252 was read as such: the curly apostrophe survived.
    assert Organisation.objects.filter(name__contains="’t Ravelijn").exists()
    return {
        "upload": uploaded - started,
        "preview": previewed - uploaded,
        "confirm": confirmed - previewed,
        "total": confirmed - started,
    }


def run_export(client, file_format):
    """One export of every organisation; returns (seconds, statements)."""
    from django.urls import reverse

    started = time.perf_counter()
    with common.QueryCounter() as queries:
        response = client.get(reverse("partners-organisation-export") + f"?format={file_format}")
        content = response.content
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    if file_format == "csv":
        assert content.decode("utf-8-sig").count("\r\n") == ROWS + 1
    return elapsed, len(queries.statements)


def run_baseline(content, history_user=None):
    """The same rows with plain Python and bulk_create; returns (seconds, statements).

    With history_user, also writes the history rows the import writes (for information:
    the budget compares against the plain baseline).
    """
    from django.db import transaction

    from partners.models import Municipality, Organisation, Sector

    started = time.perf_counter()
    with common.QueryCounter() as queries:
        text = content.decode("cp1252")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        next(reader)
        municipalities = {m.name.lower(): m for m in Municipality.objects.all()}
        sector_ids = {s.code: s.pk for s in Sector.objects.all()}
        organisations, sectors = [], []
        for name, kind, codes, place, _board, number, brin, website, active in reader:
            organisations.append(
                Organisation(
                    name=name,
                    kind=kind,
                    municipality=municipalities[place.lower()] if place else None,
                    board_number=number,
                    brin=brin,
                    website=f"https://{website}" if website else "",
                    active=active == "ja",
                )
            )
            codes = [code.strip() for code in codes.replace(";", ",").split(",")]
            sectors.append([sector_ids[code] for code in codes if code])
        with transaction.atomic():
            Organisation.objects.bulk_create(organisations, batch_size=1000)
            through = Organisation.sectors.through
            through.objects.bulk_create(
                [
                    through(organisation_id=organisation.pk, sector_id=sector)
                    for organisation, ids in zip(organisations, sectors, strict=True)
                    for sector in ids
                ],
                batch_size=2000,
            )
            if history_user is not None:
                Organisation.history.bulk_history_create(
                    organisations,
                    batch_size=1000,
                    default_user=history_user,
                    default_change_reason="Import",
                )
    elapsed = time.perf_counter() - started
    assert Organisation.objects.count() == ROWS, Organisation.objects.count()
    return elapsed, queries.statements


def run():
    """Run the sides RUNS times, alternating; prints a report and returns the figures."""
    from partners.models import Municipality, Organisation

    for name in common.MUNICIPALITIES:
        Municipality.objects.get_or_create(name=name)
    user = common.programme_team_user()
    client = logged_in_client(user)
    content = to_csv(make_rows())
    print(f"CSV: {ROWS} rows, {len(content) / 1024:.0f} KB, cp1252, ';'-separated", flush=True)

    steps = {key: [] for key in ("upload", "preview", "confirm", "total")}
    baselines, exports = [], {"xlsx": [], "csv": []}
    export_queries = {}
    for _ in range(RUNS):
        clear()
        for key, seconds in run_import(content, client).items():
            steps[key].append(seconds)
        for file_format in exports:
            seconds, export_queries[file_format] = run_export(client, file_format)
            exports[file_format].append(seconds)
        clear()
        baselines.append(run_baseline(content)[0])
        assert Organisation.objects.count() == ROWS
    clear()
    results = {key: common.median(samples) for key, samples in steps.items()}
    results["runs"] = steps
    results["baseline"] = common.median(baselines)
    results["baseline_runs"] = baselines
    results["ratio"] = common.ratio(results["total"], results["baseline"])
    results["exports"] = {key: common.median(samples) for key, samples in exports.items()}
    results["export_runs"] = exports
    results["export_queries"] = export_queries
    report(results)
    return results


def report(results):
    print()
    print(f"Organisation import through the pages, {ROWS} rows, median of {RUNS} runs")
    runs = results["runs"]
    common.print_table(
        ["step", "median s", "runs s"],
        [
            [step, f"{results[step]:.2f}", " ".join(f"{t:.2f}" for t in runs[step])]
            for step in ("upload", "preview", "confirm", "total")
        ]
        + [
            [
                "baseline (csv + bulk_create)",
                f"{results['baseline']:.2f}",
                " ".join(f"{t:.2f}" for t in results["baseline_runs"]),
            ]
        ],
    )
    print(
        f"import total {results['total']:.2f} s (budget {IMPORT_SECONDS:.0f} s); "
        f"ratio import/baseline {results['ratio']:.2f} (budget {BUDGET:.0f}x)"
    )
    print(f"Export of {ROWS} organisations, median of {RUNS} runs")
    common.print_table(
        ["format", "median s", "runs s", "queries"],
        [
            [
                file_format,
                f"{seconds:.2f}",
                " ".join(f"{t:.2f}" for t in results["export_runs"][file_format]),
                results["export_queries"][file_format],
            ]
            for file_format, seconds in results["exports"].items()
        ],
    )
    problems = problems_of(results)
    print("PROBLEM: " + "; ".join(problems) if problems else "OK: within the budgets.")


def problems_of(results):
    problems = []
    if results["total"] > IMPORT_SECONDS:
        problems.append(f"import takes {results['total']:.1f} s")
    if results["ratio"] > BUDGET:
        problems.append(f"import is {results['ratio']:.1f}x the baseline")
    problems += [
        f"{file_format} export takes {seconds:.1f} s"
        for file_format, seconds in results["exports"].items()
        if seconds > EXPORT_SECONDS
    ]
    return problems


def profile():
    """cProfile one upload, preview and confirm: the 30 functions with most cumulative time."""
    import cProfile
    import pstats

    from partners.models import Municipality

    for name in common.MUNICIPALITIES:
        Municipality.objects.get_or_create(name=name)
    clear()
    client = logged_in_client(common.programme_team_user())
    content = to_csv(make_rows())
    profiler = cProfile.Profile()
    profiler.enable()
    run_import(content, client)
    run_export(client, "xlsx")
    profiler.disable()
    clear()
    stats = pstats.Stats(profiler)
    stats.dump_stats(os.environ.get("BENCH_PROFILE_FILE", "/dev/null"))
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(25)


def main():
    with common.bench_database():
        if "--profile-only" in sys.argv[1:]:
            profile()
            return 0
        results = run()
        if "--profile" in sys.argv[1:]:
            profile()
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
