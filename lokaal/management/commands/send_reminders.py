from django.core.management.base import BaseCommand

from lokaal.services import reminders_send


class Command(BaseCommand):
    help = (
        "Mail each desk advisor their cases past the first-response deadline, and the "
        "programme team the overdue and unassigned totals. Sends once a day per person."
    )

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder e-mail(s) queued.")
