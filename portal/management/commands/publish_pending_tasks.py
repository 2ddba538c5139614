from django.core.management.base import BaseCommand

from portal.tasks import publish_pending_tasks


class Command(BaseCommand):
    help = (
        "Publish the tasks kept because the broker was down when they were started "
        "(also a beat task)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{publish_pending_tasks()} kept tasks published")
