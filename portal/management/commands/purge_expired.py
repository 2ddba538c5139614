from django.core.management.base import BaseCommand

from portal.retention import purge_expired


class Command(BaseCommand):
    help = "Delete personal data whose retention period has passed (also a daily beat task)."

    def handle(self, *args, **options):
        for name, count in purge_expired().items():
            self.stdout.write(f"{name}: {count} deleted")
