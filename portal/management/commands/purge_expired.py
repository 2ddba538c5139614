from django.core.management.base import BaseCommand, CommandError

from portal.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Delete or anonymise personal data whose retention period has passed "
        "(also a daily beat task). Exits non-zero when a policy failed, after running the others."
    )

    def handle(self, *args, **options):
        report = purge_expired()
        for name, rows in report.items():
            self.stdout.write(f"{name}: {rows} rows, {report.history[name]} history rows")
        for name, error in report.failures.items():
            self.stderr.write(f"{name}: failed\n{error}")
        if report.failures:
            raise CommandError(f"Retention policies failed: {', '.join(sorted(report.failures))}")
