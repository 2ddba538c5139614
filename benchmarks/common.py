"""What the benchmarks share: a throw-away PostgreSQL database, Django set-up, statistics.

Every benchmark runs against its own database (`portal_bench` unless BENCH_DB_NAME says
otherwise) on the server DATABASE_URL points at; the database in DATABASE_URL itself is
never touched. The database is created fresh, migrated, and dropped again at the end, also
when the run fails or is interrupted.

Import this module before anything from Django: it puts the repository root on sys.path and
sets the environment the portal's settings read.
"""

import json
import os
import re
import signal
import statistics
import sys
import time
import warnings
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
# The region's real municipalities, from the demo data, in alphabetical order.
MUNICIPALITIES = sorted(
    row["name"]
    for row in json.loads(
        (REPO_ROOT / "fixtures" / "demo" / "municipalities.json").read_text(encoding="utf-8")
    )["municipalities"]
)
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/portal"
BENCH_DB_NAME = os.environ.get("BENCH_DB_NAME", "portal_bench")
# The whole run is aborted (and the database dropped) after this many seconds.
TIMEOUT_SECONDS = int(os.environ.get("BENCH_TIMEOUT", "600"))
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}


def server_url():
    """The PostgreSQL server from DATABASE_URL (or the local default), as a URL."""
    url = os.environ.get("BENCH_SERVER_URL") or os.environ.get("DATABASE_URL") or ""
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        url = DEFAULT_SERVER_URL
    return url


def bench_database_url():
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(scheme="postgres", path="/" + BENCH_DB_NAME))


def _maintenance_url():
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres", query=""))


def configure_environment():
    """Environment for the portal's settings: the bench database, production-like options."""
    # Remember the server before DATABASE_URL is pointed at the bench database.
    os.environ.setdefault("BENCH_SERVER_URL", server_url())
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["CELERY_BROKER_URL"] = ""  # tasks run in-process
    os.environ["CACHE_URL"] = ""  # local memory cache: no shared Redis state
    # Measure as production runs: DEBUG off (cached templates, no debug cursor outside the
    # query counts), but without HTTPS redirects and the static manifest.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)
    # With DEBUG=0 the settings refuse to start without an encryption key (portal/crypto.py).
    os.environ.setdefault(
        "FIELD_ENCRYPTION_KEYS",
        "YmVuY2htYXJrLW9ubHktZW5jcnlwdGlvbi1rZXktMzI=",  # bench only
    )
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # STATICFILES_DIRS/STATIC_ROOT need not exist to measure pages.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def _admin(statement):
    import psycopg
    from psycopg import sql

    with psycopg.connect(_maintenance_url(), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(name=sql.Identifier(BENCH_DB_NAME)))


def create_database():
    _admin("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin("CREATE DATABASE {name}")


def drop_database():
    from django.db import connections

    connections.close_all()
    _admin("DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class BenchTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise BenchTimeout(f"The benchmark took longer than {TIMEOUT_SECONDS} s and was stopped.")


def _on_term(signum, frame):
    raise SystemExit(128 + signum)  # unwind, so that the database is dropped


@contextmanager
def bench_database():
    """Create and migrate the bench database, set up Django; drop the database afterwards."""
    configure_environment()
    print(f"Bench database: {BENCH_DB_NAME} on {_redacted(bench_database_url())}", flush=True)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    previous_term = signal.signal(signal.SIGTERM, _on_term)
    signal.alarm(TIMEOUT_SECONDS)
    created = False
    try:
        create_database()
        created = True
        import django
        from django.core.management import call_command

        django.setup()
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"Migrated in {time.perf_counter() - started:.1f} s", flush=True)
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        signal.signal(signal.SIGTERM, previous_term)
        if created:
            drop_database()
            print(f"Dropped {BENCH_DB_NAME}.", flush=True)


def _redacted(url):
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


# Data helpers


def truncate(*models):
    """Empty the tables of `models` (and what refers to them), restarting their ids."""
    from django.db import connection

    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def programme_team_user(email="bench-programme@example.org"):
    """A programme-team user with a TOTP authenticator, as the portal requires of staff."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from portal.models import StaffRole, User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, "Bench-Password-42", staff_role=StaffRole.PROGRAMME_TEAM
        )
        TOTP.activate(user, generate_totp_secret())
    return user


# Statistics


def median(samples):
    return statistics.median(samples)


def p95(samples):
    """The 95th percentile, nearest-rank."""
    ordered = sorted(samples)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil(0.95 n)
    return ordered[rank - 1]


def ratio(large, small):
    return large / small if small else float("inf")


# Queries


class QueryCounter:
    """Counts (and keeps) every SQL statement run on the default connection.

    Unlike CaptureQueriesContext it has no 9,000-query cap, so it also counts imports.
    With origins=True it also notes, per statement, the innermost line of the portal's own
    code and of a library (outside django.db) on the stack: where the query comes from.
    """

    def __init__(self, origins=False):
        self.statements = []
        self.origins = [] if origins else None

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        if self.origins is not None:
            self.origins.append(where_from())
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)

    def __len__(self):
        return len(self.statements)


_APP_EXCLUDE = (str(REPO_ROOT / ".venv"), str(Path(__file__).resolve().parent))
_LIBRARY_EXCLUDE = (
    str(Path(__file__).resolve().parent),
    f"{os.sep}django{os.sep}db{os.sep}",
    f"{os.sep}django{os.sep}utils{os.sep}",
    f"{os.sep}django{os.sep}template{os.sep}",
    f"{os.sep}django{os.sep}core{os.sep}handlers{os.sep}",
    f"{os.sep}contextlib.py",
)


def where_from():
    """'app/file.py:line (library/file.py:line)' for the current stack."""
    import traceback

    app = library = None
    for frame in reversed(traceback.extract_stack()[:-2]):
        name = frame.filename
        if library is None and not any(part in name for part in _LIBRARY_EXCLUDE):
            library = frame
        if name.startswith(str(REPO_ROOT)) and not name.startswith(_APP_EXCLUDE):
            app = frame
            break
    return _frame(app) + (f" via {_frame(library)}" if library and library is not app else "")


def _frame(frame):
    if frame is None:
        return "?"
    name = frame.filename
    for marker in (f"site-packages{os.sep}", str(REPO_ROOT) + os.sep):
        if marker in name:
            name = name.split(marker, 1)[1]
    return f"{name}:{frame.lineno}"


_CURSOR_NAME = re.compile(r'"_django_curs_\w+"')
_SAVEPOINT_NAME = re.compile(r'"s\d+_x\d+"')
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_PLACEHOLDER_LIST = re.compile(r"\((?:\s*(?:%s|\?)\s*,)+\s*(?:%s|\?)\s*\)")
_VALUES_ROWS = re.compile(r"(VALUES\s*\([^()]*\))(?:\s*,\s*\([^()]*\))+")
_SPACE = re.compile(r"\s+")


def sql_shape(statement):
    """The statement with its literals and parameter lists folded, to group repeats."""
    shape = _CURSOR_NAME.sub('"_django_curs_?"', statement)
    shape = _SAVEPOINT_NAME.sub('"s?"', shape)
    shape = _STRING.sub("?", shape)
    shape = _NUMBER.sub("?", shape)
    shape = _PLACEHOLDER_LIST.sub("(…)", shape)
    shape = _VALUES_ROWS.sub(r"\1, …", shape)
    return _SPACE.sub(" ", shape).strip()


def shape_counts(statements):
    return Counter(sql_shape(statement) for statement in statements)


def print_top_shapes(statements, limit=8, width=220, indent="    "):
    for shape, count in shape_counts(statements).most_common(limit):
        text = shape if len(shape) <= width else shape[: width - 1] + "…"
        print(f"{indent}{count:>5} × {text}")


def print_table(headers, rows):
    widths = [
        max(len(str(header)), *(len(str(row[i])) for row in rows))
        for i, header in enumerate(headers)
    ]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(
            "  ".join(
                str(cell).rjust(w) if i else str(cell).ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def ms(seconds):
    return f"{seconds * 1000:.1f}"
