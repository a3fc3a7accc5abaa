from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from entente.accounts.preferences import preferred_language
from entente.agreements.commands import (
    add_agreement_file_arguments,
    reader_and_agreement,
    write_output,
)
from entente.reports.ical import calendar_file_for


class Command(BaseCommand):
    help = (
        "Write an agreement's calendar (meetings, trainings, due dates, request deadlines, "
        "notice and expiry dates) as an iCalendar file, with only what one user may see."
    )

    def add_arguments(self, parser):
        add_agreement_file_arguments(
            parser, user_help="Whose view of the agreement.", metavar="FILE.ics"
        )

    def handle(self, *args, agreement, user, output, **options):
        reader, record = reader_and_agreement(user, agreement)
        with translation.override(preferred_language(reader) or settings.LANGUAGE_CODE):
            body = calendar_file_for(reader, base_url=settings.SITE_URL, agreement=record)
        write_output(self, output, body)
