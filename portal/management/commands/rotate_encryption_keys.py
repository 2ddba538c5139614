from django.core.management.base import BaseCommand

from portal.crypto import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and private file with the first key of "
        "FIELD_ENCRYPTION_KEYS. Put the new key first, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        counts = rotate_all()
        for name, count in sorted(counts.items()):
            self.stdout.write(f"{name}: {count} re-encrypted")
        self.stdout.write(f"Done: {sum(counts.values())} values and files re-encrypted.")
