"""The desk works on the embedded default of `make run`: SQLite, no broker."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from lokaal.services import intake_submit
data = {"name": "Test Persoon", "email": "T@example.org", "consent": True,
        "target_sectors": ["po"], "hours_per_week": 20}
first, created = intake_submit(data=data, language="nl")
again, created_again = intake_submit(data=data, language="nl")
other, _ = intake_submit(data={**data, "email": "ander@example.org"}, language="nl")
# The public form's path: one row kept, the case made by the task, in-process at the commit.
from lokaal.services import intake_accept
received = intake_accept(data={**data, "email": "derde@example.org"}, language="nl")
received.refresh_from_db()
print(first.reference, created, again.pk == first.pk, created_again, other.reference,
      received.reference, received.case.reference)
"""


def test_intake_runs_on_sqlite_without_a_broker(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        VAR_DIR=str(tmp_path),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    first, created, same, created_again, other, received, third = result.stdout.split()[-7:]
    assert first.startswith("LOK-") and first.endswith("-00001")
    assert (created, same, created_again) == ("True", "True", "False")
    assert other.endswith("-00002")
    # The id reserved on SQLite is the next one, and the case made later has it.
    assert received == third and third.endswith("-00003")
