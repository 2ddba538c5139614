from django.core.management.base import BaseCommand

from portal.tasks import flush_outbox


class Command(BaseCommand):
    help = "Publish the outbox's pending e-mails whose next attempt is due (also a beat task)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_outbox()} e-mails published")
