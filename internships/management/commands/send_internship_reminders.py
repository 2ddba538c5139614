from django.core.management.base import BaseCommand

from internships.services import reminders_send


class Command(BaseCommand):
    help = (
        "Mail the handlers (or the programme team) of each internship report past its "
        "response deadline without a first response. Sends once a day per report."
    )

    def handle(self, *args, **options):
        reminded = reminders_send()
        self.stdout.write(f"{reminded} overdue report(s) reminded of.")
