"""Run every benchmark in one throw-away database and print a compact summary.

Run from the repository root: .venv/bin/python benchmarks/run_all.py (or `make bench`).
DATABASE_URL names the PostgreSQL server; the benchmarks use their own database on it
(portal_bench), which is dropped at the end. Exits 1 when a budget is exceeded.
The load run (benchmarks/load.py) starts gunicorn and locust on loopback for about two minutes.
Options: -v prints every query of the organisation pages; --profile profiles one import.
"""

import datetime
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (  # noqa: E402
    bench_import,
    bench_internships,
    bench_internships_figures,
    bench_lokaal,
    bench_organisations,
    common,
    load,
)


def machine():
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average at start {load}"
    )


def summary(organisations, imports, setting):
    small, large = organisations["small"], organisations["large"]
    rows = []
    for page in large:
        s, g = small[page], large[page]
        rows.append(
            [
                page,
                f"{s['queries']} → {g['queries']}",
                f"{common.ratio(g['queries'], s['queries']):.2f}",
                f"{common.ms(s['median'])} → {common.ms(g['median'])}",
                f"{common.ratio(g['median'], s['median']):.2f}",
                common.ms(g["p95"]),
                "ok"
                if g["queries"] <= min(s["queries"], bench_organisations.QUERY_BUDGET)
                else "OVER",
            ]
        )
    import_ok = imports["ratio"] <= bench_import.BUDGET and (
        imports["total"] <= bench_import.IMPORT_SECONDS
    )
    rows.append(
        [
            f"web import {bench_import.ROWS} rows vs bulk_create",
            "",
            "",
            f"{imports['baseline'] * 1000:.0f} → {imports['total'] * 1000:.0f}",
            f"{imports['ratio']:.2f}",
            "",
            "ok" if import_ok else "OVER",
        ]
    )
    for file_format, seconds in imports["exports"].items():
        rows.append(
            [
                f"export {bench_import.ROWS} rows, {file_format}",
                imports["export_queries"][file_format],
                "",
                f"{seconds * 1000:.0f}",
                "",
                "",
                "ok" if seconds <= bench_import.EXPORT_SECONDS else "OVER",
            ]
        )
    print()
    print(f"Summary ({datetime.date.today().isoformat()}; {setting})")
    print(
        f"Pages: small {bench_organisations.SIZES[0][1]}/{bench_organisations.SIZES[0][2]} → "
        f"large {bench_organisations.SIZES[1][1]}/{bench_organisations.SIZES[1][2]} "
        "organisations/signatures; import: baseline → upload + preview + confirm."
    )
    common.print_table(
        ["measure", "queries", "q ratio", "median ms", "time ratio", "p95 large ms", "budget"],
        rows,
    )


def main():
    setting = machine()
    print(setting, flush=True)
    started = time.perf_counter()
    with common.bench_database():
        from django.db import connection

        connection.ensure_connection()
        postgres = f"PostgreSQL {connection.pg_version // 10000}"
        organisations = bench_organisations.run()
        if "-v" in sys.argv[1:]:
            bench_organisations.print_queries(organisations)
        print(flush=True)
        imports = bench_import.run()
        if "--profile" in sys.argv[1:]:
            bench_import.profile()
        print(flush=True)
        desk_pages = bench_lokaal.run_pages()
        bench_lokaal.report_pages(desk_pages)
        print(flush=True)
        report_posts = bench_internships.run()
        bench_internships.report(report_posts)
        print(flush=True)
        figures = bench_internships_figures.run()
        bench_internships_figures.report(figures)
        print(flush=True)
        loads = load.run()
    summary(organisations, imports, f"{setting}; {postgres}")
    print()
    load.print_summary(loads)
    print(f"Total {time.perf_counter() - started:.0f} s.")
    failed = bench_organisations.problems_of(organisations) + bench_import.problems_of(imports)
    failed += load.problems_of(loads)
    failed += bench_lokaal.problems_of_pages(desk_pages)
    failed += bench_internships_figures.problems_of(figures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
