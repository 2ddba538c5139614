"""The DUO register sync's preview of a full national locations file, in one run.

A national po locations file of LOCATIONS rows in DUO's layout (Windows-1252, semicolons),
of which REGION_LOCATIONS lie in the region's municipalities; the portal holds the
region's BOARDS boards and their locations as synced before, with some renamed, moved and
closed since, so that every kind of row is in the preview.

- preview: upload + the preview page (`GET`) of the sync, as the programme team sees it;
- baseline: reading the same file into a dataset (`read_dataset`), which every import does
  before it compares anything.

Budget: the preview under PREVIEW_SECONDS. Each side runs RUNS times; the medians are compared.

Run: .venv/bin/python benchmarks/bench_duo_preview.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402
from benchmarks.bench_monitoring_import import logged_in_client  # noqa: E402

LOCATIONS = 10_000
REGION_LOCATIONS = 330
BOARDS = 44
RUNS = 5
PREVIEW_SECONDS = 10.0
REGION = {
    "0503": "DELFT",
    "0518": "'S-GRAVENHAGE",
    "1916": "LEIDSCHENDAM-VOORBURG",
    "1842": "MIDDEN-DELFLAND",
    "1926": "PIJNACKER-NOOTDORP",
    "0603": "RIJSWIJK",
    "0629": "WASSENAAR",
    "1783": "WESTLAND",
    "0637": "ZOETERMEER",
    "1621": "LANSINGERLAND",
}
HEADER = (
    "PROVINCIE;BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;STRAATNAAM;"
    "HUISNUMMER-TOEVOEGING;POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;"
    "TELEFOONNUMMER;INTERNETADRES;SOORT PRIMAIR ONDERWIJS"
)


def code(n):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"{n // 676 % 100:02d}{letters[n // 26 % 26]}{letters[n % 26]}00"


def make_file(seed=2026):
    """The national file; returns (bytes, [(code, board number, name, gemeentenummer)])."""
    rng = random.Random(seed)
    region_numbers = list(REGION)
    lines, region_rows = [HEADER], []
    region_at = set(rng.sample(range(LOCATIONS), REGION_LOCATIONS))
    for n in range(LOCATIONS):
        if n in region_at:
            number = rng.choice(region_numbers)
            municipality = REGION[number]
            board = f"{40000 + len(region_rows) % BOARDS:05d}"
            region_rows.append((code(n), board, f"Basisschool Oriënt {n}", number))
        else:
            number = f"{rng.randint(1, 1999):04d}"
            while number in REGION:
                number = f"{rng.randint(1, 1999):04d}"
            municipality = f"GEMEENTE {number}"
            board = f"{50000 + n % 3000:05d}"
        lines.append(
            ";".join(
                [
                    "Zuid-Holland",
                    board,
                    code(n)[:4],
                    code(n),
                    f"Basisschool Oriënt {n}",
                    "Schoolstraat",
                    str(n % 200 + 1),
                    "2500 AA",
                    municipality,
                    number,
                    municipality,
                    "Openbaar",
                    "0701234567",
                    "www.voorbeeld.nl",
                    "Bao",
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), region_rows


def setup(region_rows):
    """The region's municipalities, its boards and, synced before, its locations: all but
    the last ten; ten renamed, ten moved, and ten closed that the file no longer holds."""
    from partners.models import Municipality, Organisation

    municipalities = {
        number: Municipality.objects.create(name=name.title(), cbs_code=f"GM{number}")
        for number, name in REGION.items()
    }
    boards = {
        f"{40000 + n:05d}": Organisation.objects.create(
            name=f"Stichting Bench {n}", kind="school_board", board_number=f"{40000 + n:05d}"
        )
        for n in range(BOARDS)
    }
    locations = []
    for index, (location_code, board, name, number) in enumerate(region_rows[:-10]):
        parent = boards[board]
        if index < 10:
            name = f"{name} (oud)"
        elif index < 20:
            parent = boards[f"{40000 + (index + 1) % BOARDS:05d}"]
        values = {
            "name": name,
            "municipality": municipalities[number].pk,
            "parent": parent.pk,
            "sector": "po",
        }
        locations.append(
            Organisation(
                name=name,
                kind="school_location",
                brin=location_code,
                municipality=municipalities[number],
                parent=parent,
                register_values=values,
            )
        )
    for n in range(10):
        locations.append(
            Organisation(
                name=f"Gesloten school {n}",
                kind="school_location",
                brin=f"98ZZ{n:02d}",
                municipality=municipalities["0518"],
                parent=boards["40000"],
                register_values={"sector": "po"},
            )
        )
    Organisation.objects.bulk_create(locations)


def run_preview(client, content):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    started = time.perf_counter()
    upload = client.post(
        reverse("import-upload", args=["duo-po"]),
        {"file": SimpleUploadedFile("vestigingen-po.csv", content)},
    )
    assert upload.status_code == 302, upload.content[:2000]
    page = client.get(upload["Location"])
    elapsed = time.perf_counter() - started
    assert page.status_code == 200 and b'id="sync-totals"' in page.content
    # What the page counted, for the report (not timed).
    from portal import imports
    from portal.models import ImportUpload

    preview = imports.get_importer("duo-po").dry_run(ImportUpload.objects.latest("pk"))
    return elapsed, preview.totals, preview.outside


def run_baseline(content):
    from portal.imports import read_dataset

    started = time.perf_counter()
    dataset = read_dataset(content, "vestigingen-po.csv")
    elapsed = time.perf_counter() - started
    assert len(dataset) == LOCATIONS
    return elapsed


def run():
    from portal.models import ImportUpload

    content, region_rows = make_file()
    setup(region_rows)
    client = logged_in_client(common.programme_team_user())
    print(f"{LOCATIONS} locations, {len(content) / 1024:.0f} KB", flush=True)
    previews, baselines = [], []
    for _run in range(RUNS):
        elapsed, totals, outside = run_preview(client, content)
        previews.append(elapsed)
        baselines.append(run_baseline(content))
        ImportUpload.objects.all().delete()
    results = {
        "preview": common.median(previews),
        "baseline": common.median(baselines),
        "runs": {"preview": previews, "baseline": baselines},
        "totals": totals,
        "outside": outside,
    }
    results["ratio"] = common.ratio(results["preview"], results["baseline"])
    report(results)
    return results


def report(results):
    print()
    print(f"DUO po locations file, {LOCATIONS} rows, median of {RUNS} runs")
    runs = results["runs"]
    common.print_table(
        ["path", "median s", "runs s"],
        [
            [label, f"{results[key]:.3f}", " ".join(f"{t:.3f}" for t in runs[key])]
            for key, label in [
                ("preview", "upload + sync preview page"),
                ("baseline", "baseline: read_dataset of the file"),
            ]
        ],
    )
    shown = {kind: count for kind, count in results["totals"].items() if count}
    print(f"rows: {shown}, outside the region: {results['outside']}")
    print(
        f"preview {results['preview']:.2f} s (budget {PREVIEW_SECONDS:.0f} s); "
        f"ratio preview/read {results['ratio']:.2f}"
    )
    problems = problems_of(results)
    print("PROBLEM: " + "; ".join(problems) if problems else "OK: within the budget.")


def problems_of(results):
    if results["preview"] > PREVIEW_SECONDS:
        return [f"the preview takes {results['preview']:.1f} s"]
    return []


def main():
    with common.bench_database():
        results = run()
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
