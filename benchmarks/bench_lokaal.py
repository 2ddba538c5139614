"""The desk (lokaal): ranking one case against 5,000 open places.

Builds 5,000 open rooms (bulk_create) over the four target sectors, the region's
municipalities and the seed's shortage subjects, some of them with accepted matches, and
measures for one case:

- loading the open places with places left (`matching.places_for_matching`): SQL queries
  and time;
- ranking them (`matching.rank`, pure Python over the loaded list), against a baseline that
  only iterates the same places and their subject ids;
- the whole `matching.rank_case` (load and rank), with its query count at 50 and at 5,000
  places: it must not grow.

Budget: the ranking under 100 ms (RANK_BUDGET_MS), the query count constant.

It also measures the desk's case list and the programme team's overview with 200 cases
against 20,000 (`run_pages`): the query count must not grow; the median latency is reported.

Run: BENCH_DB_NAME=portal_bench_lokaal .venv/bin/python benchmarks/bench_lokaal.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

PLACES = 5000
SMALL = 50
RUNS = 30
WARMUP = 3
RANK_BUDGET_MS = 100
SECTORS = ("po", "so", "vo", "mbo")


def build(n_rooms, seed=8):
    """Bulk-create `n_rooms` open rooms (one in ten with an accepted match) and one case."""
    import datetime

    from django.utils import timezone

    from lokaal.models import Case, Match, Room, ShortageSubject
    from lokaal.services import shortage_subjects_load
    from partners.models import Municipality, Organisation

    rng = random.Random(seed)
    shortage_subjects_load()
    subjects = list(ShortageSubject.objects.all())
    municipalities = [
        Municipality.objects.get_or_create(name=name)[0] for name in common.MUNICIPALITIES
    ]
    boards = Organisation.objects.bulk_create(
        Organisation(name=f"Bench bestuur {i}", kind="school_board") for i in range(50)
    )
    today = timezone.localdate()
    rooms = Room.objects.bulk_create(
        Room(
            organisation=boards[i % len(boards)],
            sector=rng.choice(SECTORS),
            municipality=rng.choice(municipalities),
            places=rng.randint(1, 4),
            hours_per_week=rng.choice((None, 16, 20, 24, 32, 36)),
            special_education=rng.random() < 0.15,
            period_start=today - datetime.timedelta(days=30),
            period_end=today + datetime.timedelta(days=rng.randint(30, 365)),
        )
        for i in range(n_rooms)
    )
    through = Room.subjects.through
    through.objects.bulk_create(
        through(room=room, shortagesubject=subject)
        for room in rooms
        for subject in rng.sample(subjects, rng.randint(0, 3))
    )
    case = Case(
        name="Bench Kandidaat",
        email="bench@example.org",
        origin_sector="business_services",
        education_level="hbo",
        target_sectors=["vo", "so"],
        hours_per_week=24,
        municipality=municipalities[0],
        first_response_due=today,
        status=Case.Status.ROUTE_ADVISED,
    )
    case.save()
    case.subjects.set([s for s in subjects if s.code in ("wiskunde", "natuurkunde")])
    others = [
        Case(
            name=f"Bench {i}",
            email=f"bench{i}@example.org",
            origin_sector="other",
            education_level="hbo",
            first_response_due=today,
            status=Case.Status.PLACED,
        )
        for i in range(n_rooms // 10)
    ]
    for other in others:
        other.save()
    Match.objects.bulk_create(
        Match(case=other, room=rooms[i * 10], status=Match.Status.ACCEPTED, score=50)
        for i, other in enumerate(others)
    )
    return case


def clear():
    from lokaal.models import Case, Match, Room
    from partners.models import Organisation

    Match.objects.all().delete()
    Room.objects.all().delete()
    Case.objects.all().delete()
    Organisation.objects.filter(name__startswith="Bench bestuur").delete()


def timed(function, runs=RUNS):
    for _ in range(WARMUP):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def queries_of(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def run():
    from lokaal import matching
    from lokaal.models import Case, ShortageSubject

    results = {}
    for label, size in (("small", SMALL), ("large", PLACES)):
        clear()
        case = build(size)
        case = (
            Case.objects.prefetch_related("subjects").select_related("municipality").get(pk=case.pk)
        )
        candidate = matching.Candidate.from_case(case)
        weights = matching.shortage_weights(ShortageSubject.objects.all())
        places = matching.places_for_matching()

        def baseline(places=places):
            for place in places:
                for _subject in place.subject_ids:
                    pass

        def rank(places=places, candidate=candidate, weights=weights):
            return matching.rank(candidate, places, weights)

        results[label] = {
            "places": len(places),
            "queries": queries_of(lambda case=case: matching.rank_case(case)),
            "load": timed(matching.places_for_matching, runs=10),
            "baseline": timed(baseline),
            "rank": timed(rank),
            "rank_case": timed(lambda case=case: matching.rank_case(case), runs=10),
            "top": rank()[0],
        }
    return results


def report(results):
    from lokaal import matching

    rows = []
    for label, figures in results.items():
        rows.append(
            [
                label,
                figures["places"],
                figures["queries"],
                common.ms(common.median(figures["load"])),
                common.ms(common.median(figures["baseline"])),
                common.ms(common.median(figures["rank"])),
                common.ms(common.p95(figures["rank"])),
                f"{common.median(figures['rank']) / common.median(figures['baseline']):.1f}",
                common.ms(common.median(figures["rank_case"])),
            ]
        )
    common.print_table(
        [
            "size",
            "open places",
            "queries",
            "load (median)",
            "baseline iterate",
            "rank (median)",
            "rank (p95)",
            "rank / baseline",
            "load + rank",
        ],
        rows,
    )
    top = results["large"]["top"]
    print(f"\nBest place of {results['large']['places']}: score {top.score}, reasons:")
    for text, points in matching.describe(top.reasons):
        print(f"  {text} +{points}")


def problems_of(results):
    problems = []
    if results["large"]["queries"] != results["small"]["queries"]:
        problems.append(
            f"query count grows: {results['small']['queries']} -> {results['large']['queries']}"
        )
    rank_ms = common.median(results["large"]["rank"]) * 1000
    if rank_ms > RANK_BUDGET_MS:
        problems.append(f"ranking {PLACES} places took {rank_ms:.0f} ms (budget {RANK_BUDGET_MS})")
    for problem in problems:
        print("PROBLEM:", problem)
    return problems


# Desk case list and programme-team overview (P4) -----------------------------------------

# The case list and the overview with 200 cases against 20,000 (bulk-created, spread over
# fourteen months, every status, with status history, subjects, rooms and matches): the
# number of SQL queries of a page must not grow with the data; the median latency is reported.
CASE_SIZES = (("small", 200), ("large", 20000))
PAGE_REQUESTS = 15
CASE_STATUSES = (
    ["new"] * 3
    + ["contacted"] * 3
    + ["orientation"] * 2
    + ["shadowing", "route_advised", "route_advised", "matched", "placed", "placed"]
    + ["on_hold", "withdrawn", "not_suitable"]
)
ORIGINS = (
    "construction_industry_transport",
    "trade_consumer_services",
    "hospitality",
    "government_care",
    "temp_agencies",
    "business_services",
    "other",
)


def build_cases(n_cases, seed=4):
    """Bulk-create `n_cases` cases with their status rows, subjects, rooms and matches."""
    import datetime

    from django.utils import timezone

    from lokaal.models import Case, CaseStatusChange, Match, Room, ShortageSubject
    from lokaal.services import shortage_subjects_load
    from partners.models import Municipality, Organisation
    from portal.models import StaffRole, User

    rng = random.Random(seed)
    shortage_subjects_load()
    subjects = list(ShortageSubject.objects.all())
    municipalities = [
        Municipality.objects.get_or_create(name=name)[0] for name in common.MUNICIPALITIES
    ]
    advisors = [
        User.objects.get_or_create(
            email=f"bench-advisor-{i}@example.org", defaults={"staff_role": StaffRole.DESK_ADVISOR}
        )[0]
        for i in range(5)
    ]
    boards = Organisation.objects.bulk_create(
        Organisation(name=f"Bench bestuur {i}", kind="school_board") for i in range(50)
    )
    now = timezone.now()
    today = timezone.localdate()
    pipeline = list(Case.PIPELINE)
    cases = []
    for i in range(n_cases):
        created = now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 425))
        status = CASE_STATUSES[i % len(CASE_STATUSES)]
        responded = status != "new" and rng.random() < 0.97
        cases.append(
            Case(
                reference=f"LOK-B-{i:07d}",
                status=status,
                status_changed_at=created,
                name=f"Bench Kandidaat {i}",
                email=f"bench-case-{i}@example.org",
                municipality=rng.choice(municipalities),
                origin_sector=ORIGINS[i % len(ORIGINS)],
                education_level=rng.choice(("mbo", "hbo", "wo_bachelor", "wo_master")),
                target_sectors=rng.sample(SECTORS, rng.randint(1, 2)),
                hours_per_week=rng.choice((None, 16, 24, 32)),
                is_status_holder=i % 25 == 0,
                programme_year=created.year if i % 25 == 0 else None,
                assigned_to=advisors[i % len(advisors)] if i % 7 else None,
                created_at=created,
                first_response_due=created.date() + datetime.timedelta(days=7),
                first_response_at=(
                    created + datetime.timedelta(hours=rng.randint(2, 240)) if responded else None
                ),
                closed_at=now if status in Case.CLOSED_STATUSES else None,
            )
        )
    cases = Case.objects.bulk_create(cases, batch_size=2000)

    changes = []
    for case in cases:
        path = pipeline[: pipeline.index(case.status) + 1] if case.status in pipeline else []
        path = path or ["new", "contacted", case.status]
        previous = ""
        for step, status in enumerate(path):
            changes.append(
                CaseStatusChange(
                    case=case,
                    from_status=previous,
                    to_status=status,
                    changed_at=case.created_at + datetime.timedelta(days=step),
                )
            )
            previous = status
    CaseStatusChange.objects.bulk_create(changes, batch_size=5000)
    through = Case.subjects.through
    through.objects.bulk_create(
        (
            through(case=case, shortagesubject=subject)
            for case in cases
            for subject in rng.sample(subjects, rng.randint(0, 2))
        ),
        batch_size=5000,
    )

    rooms = Room.objects.bulk_create(
        Room(
            organisation=boards[i % len(boards)],
            sector=rng.choice(SECTORS),
            municipality=rng.choice(municipalities),
            places=rng.randint(1, 4),
            period_start=today - datetime.timedelta(days=60),
        )
        for i in range(max(n_cases // 100, 10))
    )
    matched = [case for case in cases if case.status in ("matched", "placed")]
    Match.objects.bulk_create(
        (
            Match(
                case=case,
                room=rooms[n % len(rooms)],
                status="accepted" if case.status == "placed" else "proposed",
                proposed_at=case.created_at,
                decided_at=case.created_at if case.status == "placed" else None,
            )
            for n, case in enumerate(matched)
        ),
        batch_size=5000,
    )
    return len(cases)


def clear_cases():
    from lokaal.models import Case, CaseStatusChange, Match, Room
    from partners.models import Organisation

    common.truncate(
        Match, CaseStatusChange, Case.subjects.through, Case, Room.subjects.through, Room
    )
    Organisation.objects.filter(name__startswith="Bench bestuur").delete()


def run_pages():
    """Measure the case list and the overview at both sizes; returns the figures."""
    from django.test import Client
    from django.urls import reverse

    from benchmarks.bench_organisations import measure

    client = Client()
    client.force_login(common.programme_team_user())
    case_list = reverse("lokaal-case-list")
    pages = {
        "case list page 1": f"{case_list}?view=all",
        "case list filtered": f"{case_list}?view=all&status=contacted&sector=vo",
        "overview": reverse("lokaal-overview"),
    }
    results = {}
    for size, n_cases in CASE_SIZES:
        clear_cases()
        started = time.perf_counter()
        build_cases(n_cases)
        print(
            f"[{size}] built {n_cases} cases in {time.perf_counter() - started:.1f} s", flush=True
        )
        results[size] = {}
        for page, url in pages.items():
            statements, samples, _content = measure(client, url, PAGE_REQUESTS)
            results[size][page] = {
                "queries": len(statements),
                "statements": statements,
                "median": common.median(samples),
                "p95": common.p95(samples),
            }
    clear_cases()
    return results


def report_pages(results):
    small, large = results["small"], results["large"]
    print()
    print(
        f"Desk pages: {CASE_SIZES[0][1]} cases (small) against {CASE_SIZES[1][1]} (large); "
        f"{PAGE_REQUESTS} requests per page and size"
    )
    common.print_table(
        [
            "page",
            "queries small",
            "queries large",
            "median small ms",
            "median large ms",
            "p95 large ms",
            "latency ratio",
        ],
        [
            [
                page,
                small[page]["queries"],
                large[page]["queries"],
                common.ms(small[page]["median"]),
                common.ms(large[page]["median"]),
                common.ms(large[page]["p95"]),
                f"{common.ratio(large[page]['median'], small[page]['median']):.2f}",
            ]
            for page in large
        ],
    )


def problems_of_pages(results):
    problems = [
        f"{page}: queries grow with the data: {results['small'][page]['queries']} -> "
        f"{figures['queries']}"
        for page, figures in results["large"].items()
        if figures["queries"] > results["small"][page]["queries"]
    ]
    for problem in problems:
        print("PROBLEM:", problem)
    return problems


def main():
    with common.bench_database():
        results = run()
        report(results)
        pages = run_pages()
        report_pages(pages)
    return 1 if problems_of(results) + problems_of_pages(pages) else 0


if __name__ == "__main__":
    sys.exit(main())
