import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from entente.accounts.preferences import preferred_language
from entente.agreements.selectors import agreement_visible_to
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
        reader = _active_user(user)
        record = _agreement(reader, agreement)
        with translation.override(preferred_language(reader) or settings.LANGUAGE_CODE):
            body = calendar_file_for(reader, base_url=settings.SITE_URL, agreement=record)
        try:
            Path(output).write_bytes(body)
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}.") from None
        self.stderr.write(f"Wrote {output}.")


def _active_user(username: str):
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No active user {username!r}.") from None


def _agreement(user, name: str):
    """The agreement `name` (a public id, else a title) among those `user` may see; an
    agreement they may not see is answered as one that does not exist."""
    visible = agreement_visible_to(user)
    try:
        found = list(visible.filter(public_id=uuid.UUID(name)))
    except ValueError:
        found = list(visible.filter(title__iexact=name)[:2])
    if not found:
        raise CommandError(f"No agreement {name!r} that {user.get_username()} may see.")
    if len(found) > 1:
        raise CommandError(f"Several agreements are titled {name!r}: give the public id.")
    return found[0]
