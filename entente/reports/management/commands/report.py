"""`entente report AGREEMENT --period YEAR --pdf FILE [--lang ar] --user USERNAME`: an
agreement's implementation report as a PDF, holding only what USERNAME may see."""

from functools import reduce
from operator import or_
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone, translation

from entente.accounts.preferences import preferred_zone
from entente.agreements.selectors import agreement_visible_to, get_agreement_for_user
from entente.core.enums import Language
from entente.core.errors import NotFound
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
        reader = _user(user)
        record = _agreement(reader, agreement)
        # Names and labels in the report's language, times on the reader's clock.
        with translation.override(lang), timezone.override(preferred_zone(reader)):
            report = implementation_report(reader, record, year=period)
            content = report_pdf(report, language=lang)
        try:
            Path(pdf).write_bytes(content)
        except OSError as error:
            raise CommandError(f"--pdf: cannot write {pdf}: {error.strerror}") from None
        self.stdout.write(f"{pdf}: {report.marking}, {len(content)} bytes.")


def _user(username: str):
    users = get_user_model().objects
    try:
        return users.get_by_natural_key(username)
    except users.model.DoesNotExist:
        raise CommandError(f"--user: no such user: {username}") from None


def _agreement(reader, name: str):
    """The agreement the reader may see, named by its public id or its exact title (in
    any language); an agreement they may not see is no such agreement."""
    try:
        return get_agreement_for_user(reader, name)
    except NotFound:
        pass
    same_title = reduce(or_, (Q(**{f"title_{code}__iexact": name}) for code in Language.values))
    found = list(agreement_visible_to(reader).filter(same_title)[:2])
    if not found:
        raise CommandError(f"no such agreement: {name}")
    if len(found) > 1:
        raise CommandError(f"more than one agreement is titled {name}: give its public id")
    return found[0]
