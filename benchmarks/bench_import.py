"""Organisation import: 5,000 rows through the import pipeline against a plain bulk_create.

Generates, in memory, a semicolon-separated CSV file as Dutch Excel writes it (Windows-1252)
with ROWS organisations: unique names, kinds, sectors, municipalities, unique five-digit
board numbers for the boards, BRINs for the school locations, websites and active flags.

- import: `portal.imports.read_dataset` + `OrganisationResource(user=...).import_data(...,
  dry_run=False, use_transactions=True, rollback_on_validation_errors=True)`, as the
  import page's confirm step does;
- baseline: the same CSV bytes decoded and split with the csv module, the same Organisation
  objects built in plain Python, `Organisation.objects.bulk_create` plus a bulk_create of the
  sector rows, in one transaction.

Each side runs RUNS times on an emptied table; the medians are compared. The budget: the
import takes at most BUDGET times the baseline.

Run: .venv/bin/python benchmarks/bench_import.py
"""

import csv
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

ROWS = 5000
RUNS = 3
BUDGET = 5.0
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


def run_import(content, user):
    """One import through the pipeline; returns (seconds, parse seconds, statements)."""
    from partners.models import Organisation
    from partners.resources import OrganisationResource
    from portal.imports import read_dataset

    started = time.perf_counter()
    with common.QueryCounter() as queries:
        dataset = read_dataset(content, "organisaties.csv")
        parsed = time.perf_counter()
        result = OrganisationResource(user=user).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
    elapsed = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        invalid = result.invalid_rows[:3] if result.invalid_rows else []
        errors = [(row.number, row.error_dict) for row in invalid] or [
            (number, [str(error.error) for error in errors])
            for number, errors in result.row_errors()[:3]
        ]
        raise AssertionError(f"The import reported errors: {errors}")
    assert Organisation.objects.count() == ROWS, Organisation.objects.count()
    # Windows-1252 was read as such: the curly apostrophe survived.
    assert Organisation.objects.filter(name__contains="’t Ravelijn").exists()
    return elapsed, parsed - started, queries.statements


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
    """Run both sides RUNS times, alternating; prints a report and returns the figures."""
    from partners.models import Municipality, Organisation

    for name in common.MUNICIPALITIES:
        Municipality.objects.get_or_create(name=name)
    user = common.programme_team_user()
    content = to_csv(make_rows())
    print(f"CSV: {ROWS} rows, {len(content) / 1024:.0f} KB, cp1252, ';'-separated", flush=True)

    imports, parses, baselines, with_history = [], [], [], []
    import_statements = baseline_statements = None
    for _ in range(RUNS):
        clear()
        elapsed, parse, import_statements = run_import(content, user)
        imports.append(elapsed)
        parses.append(parse)
        through_rows = Organisation.sectors.through.objects.count()
        history_rows = Organisation.history.count()
        clear()
        elapsed, baseline_statements = run_baseline(content)
        baselines.append(elapsed)
        assert Organisation.sectors.through.objects.count() == through_rows
        clear()
        with_history.append(run_baseline(content, history_user=user)[0])
    clear()
    results = {
        "import": common.median(imports),
        "import_runs": imports,
        "parse": common.median(parses),
        "baseline": common.median(baselines),
        "baseline_runs": baselines,
        "baseline_history": common.median(with_history),
        "baseline_history_runs": with_history,
        "import_queries": len(import_statements),
        "import_statements": import_statements,
        "baseline_queries": len(baseline_statements),
        "through_rows": through_rows,
        "history_rows": history_rows,
    }
    results["ratio"] = common.ratio(results["import"], results["baseline"])
    results["ratio_history"] = common.ratio(results["import"], results["baseline_history"])
    report(results)
    return results


def report(results):
    print()
    print(f"Organisation import, {ROWS} rows, median of {RUNS} runs each")
    common.print_table(
        ["side", "median s", "runs s", "queries"],
        [
            [
                "import (read_dataset + resource)",
                f"{results['import']:.2f}",
                " ".join(f"{t:.2f}" for t in results["import_runs"]),
                results["import_queries"],
            ],
            [
                "baseline (csv + bulk_create)",
                f"{results['baseline']:.2f}",
                " ".join(f"{t:.2f}" for t in results["baseline_runs"]),
                results["baseline_queries"],
            ],
            [
                "baseline + history rows (info)",
                f"{results['baseline_history']:.2f}",
                " ".join(f"{t:.2f}" for t in results["baseline_history_runs"]),
                "",
            ],
        ],
    )
    print(
        f"ratio import/baseline: {results['ratio']:.2f} (budget {BUDGET:.0f}x); "
        f"against baseline + history: {results['ratio_history']:.2f}"
    )
    print(
        f"  read_dataset alone {results['parse']:.2f} s; the import wrote "
        f"{results['history_rows']} history rows; each side {results['through_rows']} "
        "sector rows"
    )
    print("  import queries by shape:")
    common.print_top_shapes(results["import_statements"], limit=10, width=160)
    if results["ratio"] > BUDGET:
        print(f"PROBLEM: the import takes {results['ratio']:.1f}x the baseline, budget {BUDGET}x")
    else:
        print(f"OK: within {BUDGET:.0f}x the baseline.")


def problems_of(results):
    return ["import over budget"] if results["ratio"] > BUDGET else []


def profile():
    """cProfile one import: the 25 functions with the most cumulative time."""
    import cProfile
    import pstats

    clear()
    user = common.programme_team_user()
    content = to_csv(make_rows())
    profiler = cProfile.Profile()
    profiler.enable()
    run_import(content, user)
    profiler.disable()
    clear()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main():
    with common.bench_database():
        results = run()
        if "--profile" in sys.argv[1:]:
            profile()
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
