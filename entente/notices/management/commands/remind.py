from django.core.management.base import BaseCommand, CommandError

from entente.notices.services import remind


class Command(BaseCommand):
    help = (
        "Create the notices due now and e-mail the pending ones (safe to run anywhere, any time)."
    )

    def handle(self, *args, **options):
        result = remind(report=lambda line: self.stderr.write(line))
        self.stdout.write(
            f"Notices: {result.created} new, {result.sent} e-mailed, {result.failed} failed."
        )
        if result.failed:
            raise CommandError(
                f"{result.failed} e-mail(s) could not be sent; they stay pending for the next run"
            )
