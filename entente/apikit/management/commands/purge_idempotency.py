from django.conf import settings
from django.core.management.base import BaseCommand

from entente.apikit.idempotency import purge_expired_keys


class Command(BaseCommand):
    help = (
        "Delete the API's Idempotency-Keys older than ENTENTE_IDEMPOTENCY_HOURS "
        "(expired keys are also deleted as new ones are written)."
    )

    def handle(self, *args, **options):
        deleted = purge_expired_keys()
        self.stdout.write(
            f"Deleted {deleted} idempotency key(s) older than {settings.IDEMPOTENCY_HOURS} hours."
        )
