"""`entente report AGREEMENT --period YEAR --pdf FILE [--lang ar] --user USERNAME`: an
agreement's implementation report as a PDF, holding only what USERNAME may see."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from entente.accounts.preferences import preferred_zone
from entente.agreements.commands import reader_and_agreement
from entente.core.enums import Language
from entente.reports.forms import FIRST_YEAR, LAST_YEAR
from entente.reports.implementation import implementation_report
from entente.reports.report_views import report_pdf


class Command(BaseCommand):
    help = "Write an agreement's implementation report for a year as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("agreement", help="The agreement: its public id, or its title.")
        parser.add_argument("--period", type=int, required=True, help="The calendar year.")
        parser.add_argument("--pdf", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--lang", default=Language.EN, choices=Language.values, help="The report's language."
        )
        parser.add_argument(
            "--user", required=True, help="The reader: the report holds what they may see."
        )

    def handle(self, *args, agreement, period, pdf, lang, user, **options):
        if not FIRST_YEAR <= period <= LAST_YEAR:
            raise CommandError(f"--period: give a year from {FIRST_YEAR} to {LAST_YEAR}")
        reader, record = reader_and_agreement(user, agreement)
        # Names and labels in the report's language, times on the reader's clock.
        with translation.override(lang), timezone.override(preferred_zone(reader)):
            report = implementation_report(reader, record, year=period)
            content = report_pdf(report, language=lang)
        try:
            Path(pdf).write_bytes(content)
        except OSError as error:
            raise CommandError(f"--pdf: cannot write {pdf}: {error.strerror}") from None
        self.stdout.write(f"{pdf}: {report.marking}, {len(content)} bytes.")
