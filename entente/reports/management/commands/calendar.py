from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from entente.accounts.preferences import preferred_language
from entente.agreements.commands import acting_user, named_agreement
from entente.reports.ical import calendar_file_for


class Command(BaseCommand):
    help = (
        "Write an agreement's calendar (meetings, trainings, due dates, request deadlines, "
        "notice and expiry dates) as an iCalendar file, with only what one user may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("agreement", help="The agreement's public id or its exact title.")
        parser.add_argument("--user", required=True, help="Whose view of the agreement.")
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE.ics", help="The file to write."
        )

    def handle(self, *args, agreement, user, output, **options):
        reader = acting_user(user)
        record = named_agreement(reader, agreement)
        with translation.override(preferred_language(reader) or settings.LANGUAGE_CODE):
            body = calendar_file_for(reader, base_url=settings.SITE_URL, agreement=record)
        try:
            Path(output).write_bytes(body)
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}.") from None
        self.stderr.write(f"Wrote {output}.")
