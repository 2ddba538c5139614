"""Make the biennial monitor of a period in this process and write the PDF to a file.

    python manage.py generate_monitor --period 2025-2026 --output monitor.pdf

The monitor is rendered by the same module as the Celery task's (monitoring.report) and is
recorded as a Monitor, like every generated report, with its parameters and checksum, so it
shows on the programme team's page and can be published there. `--no-record` only writes
the file (a trial run: nothing is kept).
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring import report
from monitoring.forms.monitors import PERIOD
from monitoring.models import Monitor
from monitoring.services.monitors import monitor_generate_now


class Command(BaseCommand):
    help = "Make the biennial monitor of a two-year period and write it to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Two years in a row: 2025-2026.")
        parser.add_argument("--output", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
        )
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="Do not keep the monitor in the portal; only write the file.",
        )

    def handle(self, *, period, output, language, no_record, **options):
        match = PERIOD.match(period)
        if not match or int(match[2]) != int(match[1]) + 1:
            raise CommandError("The period is two years in a row, for example 2025-2026.")
        start_year, end_year = int(match[1]), int(match[2])
        output = Path(output)
        if not output.parent.is_dir():
            raise CommandError(f"No such directory: {output.parent}")

        if no_record:
            rendered = report.render(start_year, end_year, language)
            pdf, pages, kept = rendered.pdf, rendered.pages, ""
        else:
            monitor = monitor_generate_now(
                start_year=start_year, end_year=end_year, language=language
            )
            if monitor.status != Monitor.Status.DONE:
                raise CommandError(f"Monitor {monitor.pk} failed: {monitor.error}")
            with monitor.file.open("rb") as file:
                pdf = file.read()
            pages, kept = monitor.pages, f" (kept as monitor {monitor.pk})"
        output.write_bytes(pdf)
        checksum = hashlib.sha256(pdf).hexdigest()
        self.stdout.write(
            f"Wrote {output}: {len(pdf)} bytes, {pages} pages, SHA-256 {checksum}{kept}"
        )
