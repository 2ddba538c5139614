"""Organisation list and detail: SQL queries and latency, small against large data.

Builds a small registry (20 organisations, 200 signatures) and a large one (2,000
organisations, 20,000 signatures) with bulk_create, and requests, as a programme-team user
with TOTP through the Django test Client:

- the list, page 1;
- the list filtered on kind and sector (?kind=school_board&sector=<vo>);
- the detail of the organisation with the most signatures.

For each page it counts the SQL queries of one request (CaptureQueriesContext) and times
REQUESTS requests after a warm-up, in alternating rounds of small and large. The query
count must not grow with the data and stay at or below QUERY_BUDGET. With -v it prints
every query of the large run.

Run: .venv/bin/python benchmarks/bench_organisations.py
"""

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

SIZES = (("small", 20, 200), ("large", 2000, 20000))
AGREEMENTS = 12  # each organisation signs 8 to 12 of them, 10 on average
REQUESTS = 30  # per page and size, over ROUNDS rounds
ROUNDS = 3
WARMUP = 3
QUERY_BUDGET = 10

# One in five a board, two in five a school location, the rest spread over the other kinds.
KINDS = [
    "school_board",
    "school_location",
    "school_location",
    "employer",
    "school_board",
    "school_location",
    "childcare",
    "school_location",
    "hbo_institution",
    "employers",
    "municipality",
    "school_location",
    "knowledge_centre",
    "school_board",
    "school_location",
    "other",
    "employer",
    "school_location",
    "university",
    "school_board",
]
SECTORS_BY_KIND = {
    "school_board": (("po",), ("vo",), ("po", "so"), ("vo", "mbo")),
    "school_location": (("po",), ("vo",), ("so",), ("mbo",)),
    "hbo_institution": (("hbo",),),
    "university": (("wo",),),
    "childcare": (("kinderopvang",),),
}
STATUSES = ["signed"] * 8 + ["under_reservation", "withdrawn"]


def _letters(number):
    return chr(65 + number // 26 % 26) + chr(65 + number % 26)


def build(n_organisations, n_signatures):
    """Bulk-create the registry; returns (pk, signatures) of the busiest organisation."""
    from django.db.models import Count

    from partners.models import (
        Agreement,
        Contact,
        Membership,
        Municipality,
        Organisation,
        Sector,
        Signature,
    )
    from portal.models import User

    municipalities = [
        Municipality.objects.get_or_create(name=name)[0] for name in common.MUNICIPALITIES
    ]
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    agreements = Agreement.objects.bulk_create(
        Agreement(
            name=f"Convenant {number + 1}",
            slug=f"convenant-{number + 1}",
            kind=Agreement.Kind.MANIFESTO if number % 2 else Agreement.Kind.PARTNERSHIP_AGREEMENT,
            date=datetime.date(2014 + number, 3, 1),
        )
        for number in range(AGREEMENTS)
    )

    def organisation(index):
        kind = KINDS[index % len(KINDS)]
        return Organisation(
            name=f"Organisatie {index:05d} {municipalities[index % len(municipalities)].name}",
            kind=kind,
            municipality=municipalities[index % len(municipalities)],
            board_number=f"{10000 + index}" if kind == "school_board" else "",
            brin=f"{index // 676 % 100:02d}{_letters(index)}" if kind == "school_location" else "",
            website=f"https://organisatie-{index}.example.nl" if index % 3 else "",
            active=index % 17 != 0,
        )

    indices = range(n_organisations)
    boards = Organisation.objects.bulk_create(
        [organisation(i) for i in indices if KINDS[i % len(KINDS)] != "school_location"]
    )
    board_list = [o for o in boards if o.kind == "school_board"]
    locations = []
    for number, i in enumerate(i for i in indices if KINDS[i % len(KINDS)] == "school_location"):
        location = organisation(i)
        location.parent = board_list[number % len(board_list)]
        locations.append(location)
    organisations = sorted(boards + Organisation.objects.bulk_create(locations), key=_index)

    through = Organisation.sectors.through
    links = []
    for i, org in enumerate(organisations):
        options = SECTORS_BY_KIND.get(org.kind, ((), ("mbo",)))
        for code in options[i % len(options)]:
            links.append(through(organisation_id=org.pk, sector_id=sectors[code].pk))
    through.objects.bulk_create(links, batch_size=5000)

    # Signatures: 8 to 12 per organisation (10 on average), rotating over the agreements.
    per_organisation = n_signatures // n_organisations
    signatures = []
    for i, org in enumerate(organisations):
        count = per_organisation - 2 + i % 5
        for k in range(count):
            agreement = agreements[(i + k) % AGREEMENTS]
            signatures.append(
                Signature(
                    organisation=org,
                    agreement=agreement,
                    status=STATUSES[(i + k) % len(STATUSES)],
                    signed_on=agreement.date + datetime.timedelta(days=i % 300),
                    signed_by="Voorzitter college van bestuur",
                )
            )
    Signature.objects.bulk_create(signatures, batch_size=5000)

    # Contacts for one organisation in five; one history record each, more for the busiest.
    busiest = max(range(len(organisations)), key=lambda i: (i % 5, -i))
    contacts = [
        Contact(
            organisation=org,
            name=f"Contact {i}-{n}",
            function="Beleidsadviseur",
            email=f"contact{i}-{n}@example.nl",
        )
        for i, org in enumerate(organisations)
        if i % 5 == busiest % 5
        for n in range(2)
    ]
    Contact.objects.bulk_create(contacts, batch_size=5000)
    Organisation.history.bulk_history_create(organisations, batch_size=5000)
    target = organisations[busiest]
    for version in range(3):
        target.website = f"https://versie-{version}.example.nl"
        Organisation.history.bulk_history_create([target], update=True)

    # Two partner users with access to the busiest organisation.
    for role in ("editor", "viewer"):
        user = User.objects.create_user(f"{role}-{n_organisations}@example.nl", None)
        Membership.objects.create(user=user, organisation=target, role=role)

    check = (
        Organisation.objects.annotate(n=Count("signatures")).order_by("-n", "pk").values("pk", "n")
    )[0]
    assert check["pk"] == target.pk, (check, target.pk)
    assert Signature.objects.count() == n_signatures, Signature.objects.count()
    return target.pk, check["n"]


def _index(organisation):
    return int(organisation.name.split()[1])


def clear():
    from partners.models import (
        Agreement,
        Contact,
        Membership,
        Organisation,
        Signature,
        SignatureStatusChange,
    )
    from portal.models import AccessLog, User

    common.truncate(
        Signature,
        SignatureStatusChange,
        Contact,
        Membership,
        Organisation.sectors.through,
        Organisation,
        Agreement,
        AccessLog,
        Organisation.history.model,
        Signature.history.model,
        Contact.history.model,
        Membership.history.model,
        Agreement.history.model,
    )
    User.objects.filter(staff_role="").delete()


def measure(client, url, requests):
    """One request with its queries captured, then `requests` timed ones (seconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Read now: the next request clears the connection's query log.
    statements = [query["sql"] for query in captured.captured_queries]
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statements, samples, response.content


def run():
    """Measure both sizes; prints a report and returns the figures.

    The sizes are measured in ROUNDS alternating rounds (small, large, small, large, ...),
    rebuilding the data each time, so that load from other processes on the machine falls
    on both sizes alike; the samples of all rounds are pooled.
    """
    from django.test import Client
    from django.urls import reverse

    from partners.models import Sector

    user = common.programme_team_user()
    client = Client()
    client.force_login(user)
    vo = Sector.objects.get(code="vo").pk
    results = {size: {} for size, _n, _s in SIZES}
    for number in range(ROUNDS):
        for size, n_organisations, n_signatures in SIZES:
            clear()
            started = time.perf_counter()
            target, target_signatures = build(n_organisations, n_signatures)
            if number == 0:
                print(
                    f"[{size}] built {n_organisations} organisations, {n_signatures} signatures "
                    f"in {time.perf_counter() - started:.1f} s; detail of #{target} "
                    f"({target_signatures} signatures)",
                    flush=True,
                )
            list_url = reverse("partners-organisation-list")
            pages = {
                "list page 1": list_url,
                "list filtered": f"{list_url}?kind=school_board&sector={vo}",
                "detail (most signatures)": reverse("partners-organisation-detail", args=[target]),
            }
            for page, url in pages.items():
                statements, samples, content = measure(client, url, REQUESTS // ROUNDS)
                figures = results[size].setdefault(
                    page, {"queries": len(statements), "statements": statements, "samples": []}
                )
                figures["samples"] += samples
                figures["queries"] = max(figures["queries"], len(statements))
                figures["kb"] = len(content) / 1024
                figures["rows"] = content.count(b"<tr>") - content.count(b"<thead><tr>")
                if number == ROUNDS - 1:
                    with common.QueryCounter(origins=True) as traced:
                        client.get(url)
                    figures["origins"] = list(zip(traced.statements, traced.origins, strict=True))
    clear()
    for pages in results.values():
        for figures in pages.values():
            figures["median"] = common.median(figures["samples"])
            figures["p95"] = common.p95(figures["samples"])
    report(results)
    return results


def report(results):
    small, large = results["small"], results["large"]
    print()
    print(
        f"Organisation pages: {SIZES[0][1]} orgs/{SIZES[0][2]} signatures (small) against "
        f"{SIZES[1][1]}/{SIZES[1][2]} (large); {REQUESTS} requests per page and size in "
        f"{ROUNDS} alternating rounds"
    )
    rows = []
    for page in large:
        s, g = small[page], large[page]
        rows.append(
            [
                page,
                s["queries"],
                g["queries"],
                f"{common.ratio(g['queries'], s['queries']):.2f}",
                common.ms(s["median"]),
                common.ms(g["median"]),
                common.ms(g["p95"]),
                f"{common.ratio(g['median'], s['median']):.2f}",
                f"{s['rows']} → {g['rows']}",
            ]
        )
    common.print_table(
        [
            "page",
            "queries small",
            "queries large",
            "q ratio",
            "median small ms",
            "median large ms",
            "p95 large ms",
            "latency ratio",
            "table rows",
        ],
        rows,
    )
    problems = problems_of(results)
    for page, message in problems:
        print(f"\nPROBLEM {page}: {message}")
        counts = common.shape_counts(large[page]["statements"])
        repeated = [(shape, n) for shape, n in counts.most_common() if n > 1]
        if repeated:
            print("  SQL shapes that repeat (large):")
            for shape, n in repeated[:8]:
                print(f"    {n:>4} × {shape[:200]}")
        else:
            print("  No SQL shape repeats (no N+1); every query of the page, and where from:")
        grown = counts - common.shape_counts(small[page]["statements"])
        if grown:
            print("  shapes that repeat more at the large size:")
            for shape, extra in grown.most_common(5):
                print(f"    +{extra} × {shape[:200]}")
        print_origins(large[page])
    if not problems:
        print(f"OK: every page at or below {QUERY_BUDGET} queries, flat between the sizes.")


def print_origins(figures, indent="    "):
    for number, (statement, origin) in enumerate(figures.get("origins", ()), start=1):
        print(f"{indent}{number:>2}. {common.sql_shape(statement)[:110]}")
        print(f"{indent}    ← {origin}")


def problems_of(results):
    problems = []
    for page, figures in results["large"].items():
        small = results["small"][page]["queries"]
        if figures["queries"] > small:
            problems.append((page, f"queries grow with the data: {small} → {figures['queries']}"))
        elif figures["queries"] > QUERY_BUDGET:
            problems.append((page, f"{figures['queries']} queries, budget {QUERY_BUDGET}"))
    return problems


def print_queries(results, size="large"):
    for page, figures in results[size].items():
        print(f"\n{page} ({size}): {figures['queries']} queries")
        print_origins(figures)


def main():
    with common.bench_database():
        results = run()
        if "-v" in sys.argv[1:]:
            print_queries(results)
    return 1 if problems_of(results) else 0


if __name__ == "__main__":
    sys.exit(main())
