"""Load run: pages under gunicorn on loopback at 20 concurrent clients, against a bare view.

Loads the demo data (`load_demo`) into the bench database, starts gunicorn on a free
loopback port with 2 workers and DEBUG=0 (benchmarks/bench_settings.py: the portal's URLs
plus a bare view that returns a small HttpResponse through the same middleware), and runs
locust headless (benchmarks/locustfile.py) against, one after the other:

- the bare view (first and last; the baseline is the mean of both runs);
- the home page and the public page of the agreement with the most signatories (anonymous);
- the organisation list, logged in as a programme-team user with TOTP;
- the desk's intake POST (anonymous): each client GETs the form once for its CSRF cookie and
  token, then POSTs valid intakes with distinct e-mail addresses (one received intake each;
  its task makes the case and the confirmation e-mail after the commit: with
  BENCH_BROKER_URL that is left to a worker, without it it runs in-process in the request);
  a 302 to the success page is the good answer. The rate limit is off in bench_settings.py.
- the internship report POST (anonymous, no attachment): as the intake, each client GETs the
  form once, then POSTs valid reports about a student of De Haagse Hogeschool; each one is
  saved (free text encrypted) with its first status row, and its handlers (here the programme
  team: the bench loads no handler login) get the new-report e-mail through the outbox.
  A 302 to the page with the receipt code is the good answer. Its rate limit is switched off
  in gunicorn's environment (INTERNSHIPS_REPORT_RATE=0).

Prints requests per second, p50 and p95 and the throughput ratio against the bare view.
Public pages must reach RATIO_BUDGET of the bare view's throughput with a p95 under
P95_BUDGET_MS; a page that answers anything but 200 fails too. gunicorn and locust are
stopped when the run ends, also after an error, a timeout or Ctrl-C.

Run: .venv/bin/python benchmarks/load.py (also part of benchmarks/run_all.py); with
--no-cache the portal runs with Django's dummy cache, so that public pages are rendered on
every request (the figures before the public-page cache).
Environment: BENCH_LOAD_SECONDS (per page, default 15), BENCH_LOAD_USERS (default 20),
BENCH_CACHE_URL (a Redis URL for the portal's cache, as in production; default the
per-process memory cache of each worker), BENCH_BROKER_URL (a Redis URL for Celery, as in
production: the intake's case work is then only published, not done during the request;
nothing consumes the queue during the run; default: tasks run in-process).
"""

import csv
import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

USERS = int(os.environ.get("BENCH_LOAD_USERS", "20"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "15"))
WORKERS = 2
RATIO_BUDGET = 0.40
P95_BUDGET_MS = 100
WARMUP = 20  # sequential requests per page before its run: both workers render it once
VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port, path, cookie=""):
    """(status, body) of one GET, without following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def prepare():
    """Demo data and a programme-team session; returns (pages, session cookie)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import reverse

    from benchmarks import bench_organisations
    from partners.models import Agreement, Municipality, Organisation, Signature

    bench_organisations.clear()
    started = time.perf_counter()
    call_command("load_demo", no_users=True, stdout=io.StringIO())
    agreement = (
        Agreement.objects.filter(is_public=True)
        .annotate(
            signatories=Count(
                "signatures", filter=~Q(signatures__status=Signature.Status.WITHDRAWN)
            )
        )
        .order_by("-signatories")
        .first()
    )
    print(
        f"Demo data loaded in {time.perf_counter() - started:.1f} s; agreement page: "
        f"{agreement.slug} ({agreement.signatories} signatories)",
        flush=True,
    )
    # A programme-team user with TOTP: its session passes RequireSecondFactorMiddleware.
    client = Client()
    client.force_login(common.programme_team_user())
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    pages = [
        ("bare view", "/bench/bare/", ""),
        ("home", reverse("home"), ""),
        ("public agreement", reverse("partners-public-agreement", args=[agreement.slug]), ""),
        ("organisation list (programme team)", reverse("partners-organisation-list"), cookie),
        ("bare durable write POST (reference)", "/bench/write/", "", {"LOAD_SCENARIO": "write"}),
        (
            "desk intake POST",
            reverse("lokaal-intake"),
            "",
            {
                "LOAD_SCENARIO": "intake",
                "LOAD_MUNICIPALITY": str(Municipality.objects.order_by("name").first().pk),
            },
        ),
        (
            "internship report POST",
            reverse("internships-report"),
            "",
            {
                "LOAD_SCENARIO": "report",
                "LOAD_INSTITUTION": str(Organisation.objects.get(name="De Haagse Hogeschool").pk),
            },
        ),
        ("bare view (again)", "/bench/bare/", ""),
    ]
    return pages


def gunicorn_environment(no_cache=False):
    environment = dict(os.environ)
    environment.update(
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", ""),
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", ""),
        BENCH_NO_CACHE="1" if no_cache else "0",
        # Every locust client posts reports from 127.0.0.1 without pause: the per-client
        # limit would answer most of them with 429 and measure nothing.
        INTERNSHIPS_REPORT_RATE="0",
        PYTHONWARNINGS="ignore::UserWarning",
    )
    return environment


def start_gunicorn(port, log, no_cache=False):
    """gunicorn with the deployment's gunicorn.conf.py, on loopback, 2 workers, no access log.

    No worker recycling during the run (max_requests 0), so that every run measures the
    pages and not a worker's start.
    """
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={WORKERS}",
            "--max-requests=0",
            "--access-logfile=/dev/null",
            "--error-logfile=-",
            "--log-level=warning",
        ],
        cwd=common.REPO_ROOT,
        env=gunicorn_environment(no_cache),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(process, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            if fetch(port, "/bench/bare/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s")


def stop(process, timeout=10):
    """Stop a process we started, with its children (gunicorn's workers), by its group id."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def run_locust(port, path, cookie, directory, scenario=None):
    """Run locust headless against one page; returns its aggregated figures.

    `scenario` holds extra environment for the locustfile (LOAD_SCENARIO and its settings).
    """
    prefix = Path(directory) / "locust"
    environment = dict(os.environ, LOAD_PATH=path, LOAD_COOKIE=cookie, **(scenario or {}))
    process = subprocess.Popen(
        [
            str(VENV_BIN / "locust"),
            "--locustfile",
            str(Path(__file__).resolve().parent / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{SECONDS}s",
            "--stop-timeout",
            "5",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=directory,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, errors = process.communicate(timeout=SECONDS + 60)
    finally:
        stop(process)
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as file:
        total = next(row for row in csv.DictReader(file) if row["Name"] == "Aggregated")
    if not int(total["Request Count"]):
        raise RuntimeError(f"locust made no requests: {errors.strip()[-2000:]}")
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
    }


def run(no_cache=False):
    """The load run against the bench database set up by common.bench_database()."""
    pages = prepare()
    results = {}
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="portal-load-") as directory:
        log_path = Path(directory) / "gunicorn.log"
        gunicorn = None
        try:
            with open(log_path, "w") as log:
                gunicorn = start_gunicorn(port, log, no_cache)
                wait_until_up(gunicorn, port)
                print(
                    f"gunicorn on 127.0.0.1:{port}, {WORKERS} workers, DEBUG=0, "
                    f"{describe_cache(no_cache)}, {describe_broker()}; "
                    f"locust {USERS} clients, {SECONDS} s per page, "
                    "no think time",
                    flush=True,
                )
                for name, path, cookie, *scenario in pages:
                    for _ in range(WARMUP):
                        status, _body = fetch(port, path, cookie)
                        if status != 200:
                            raise RuntimeError(f"{name} ({path}) answered {status}, not 200")
                    results[name] = figures = run_locust(port, path, cookie, directory, *scenario)
                    print(
                        f"  {name:<36} {figures['rps']:>7.0f} req/s  p50 {figures['p50']:>4.0f} "
                        f"ms  p95 {figures['p95']:>4.0f} ms  ({figures['requests']} requests, "
                        f"{figures['failures']} failed)",
                        flush=True,
                    )
        except BaseException:
            if log_path.exists():
                print("gunicorn's log:\n" + log_path.read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            stop(gunicorn)
    return summarise(results)


def describe_broker():
    return "Redis broker" if os.environ.get("BENCH_BROKER_URL") else "tasks in-process"


def describe_cache(no_cache):
    if no_cache:
        return "no cache (--no-cache)"
    return "Redis cache" if os.environ.get("BENCH_CACHE_URL") else "per-worker memory cache"


def summarise(results):
    runs = [results.pop("bare view"), results.pop("bare view (again)")]
    bare = {key: sum(run[key] for run in runs) / len(runs) for key in ("rps", "p50", "p95")}
    bare["failures"] = sum(run["failures"] for run in runs)
    bare["runs"] = [run["rps"] for run in runs]
    rows = {"bare view": {**bare, "ratio": 1.0, "public": False}}
    for name, figures in results.items():
        rows[name] = {
            **figures,
            "ratio": common.ratio(figures["rps"], bare["rps"]),
            # The logged-in page and the write reference have no budget of their own.
            "public": "programme team" not in name and "(reference)" not in name,
        }
    return rows


def problems_of(rows):
    problems = []
    for name, row in rows.items():
        if row["failures"]:
            problems.append((name, f"{row['failures']} requests failed"))
        if not row["public"] or name == "bare view":
            continue
        if row["ratio"] < RATIO_BUDGET:
            problems.append(
                (name, f"{row['ratio']:.0%} of the bare view, budget {RATIO_BUDGET:.0%}")
            )
        if row["p95"] >= P95_BUDGET_MS:
            problems.append((name, f"p95 {row['p95']:.0f} ms, budget < {P95_BUDGET_MS} ms"))
    return problems


def print_summary(rows):
    bare_runs = " and ".join(f"{rps:.0f}" for rps in rows["bare view"]["runs"])
    print(f"Load run: {USERS} clients, {SECONDS} s per page; bare view {bare_runs} req/s.")
    common.print_table(
        ["page", "req/s", "p50 ms", "p95 ms", "of bare", "budget"],
        [
            [
                name,
                f"{row['rps']:.0f}",
                f"{row['p50']:.0f}",
                f"{row['p95']:.0f}",
                f"{row['ratio']:.0%}",
                _verdict(name, row),
            ]
            for name, row in rows.items()
        ],
    )


def _verdict(name, row):
    if row["failures"]:
        return "FAILED"
    if name == "bare view":
        return "baseline"
    if not row["public"]:
        return "(logged in: no budget)"
    ok = row["ratio"] >= RATIO_BUDGET and row["p95"] < P95_BUDGET_MS
    return "ok" if ok else "OVER"


def main():
    with common.bench_database():
        rows = run(no_cache="--no-cache" in sys.argv[1:])
    print()
    print_summary(rows)
    problems = problems_of(rows)
    for name, problem in problems:
        print(f"{name}: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
