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


def main():
    with common.bench_database():
        results = run()
        report(results)
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
