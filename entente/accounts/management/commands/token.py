import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from entente.accounts.selectors import get_token_for_user
from entente.accounts.services import token_create, token_revoke
from entente.core.errors import NotFound


class Command(BaseCommand):
    help = "Create or revoke a user's personal API token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="Create a token and print it (only this once).")
        create.add_argument("--user", required=True, help="Username of the token's owner.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument(
            "--expires-days",
            type=int,
            help="Days until it stops working (default: ENTENTE_TOKEN_DEFAULT_DAYS).",
        )
        create.add_argument(
            "--read-only", action="store_true", help="A token that may read, not change."
        )
        revoke = sub.add_parser("revoke", help="Revoke one of a user's tokens.")
        revoke.add_argument("--user", required=True, help="Username of the token's owner.")
        revoke.add_argument("id", type=int, help="The token's id, as listed by the API.")

    def handle(self, *args, verb, user, **options):
        owner = _user(user)
        try:
            if verb == "create":
                self._create(owner, options["name"], options["expires_days"], options["read_only"])
            else:
                token = get_token_for_user(owner, options["id"])
                token_revoke(actor=owner, token=token)
                self.stdout.write(f"Revoked token {token.pk} ({token.name}) of {user}.")
        except NotFound:
            raise CommandError(f"{user} has no token {options['id']}.") from None
        except ValidationError as e:
            raise CommandError("; ".join(_messages(e))) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None

    def _create(self, owner, name: str, expires_days: int | None, read_only: bool) -> None:
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
        token, raw = token_create(
            actor=owner, name=name, expires_at=expires_at, read_only=read_only
        )
        self.stderr.write(
            f"Token {token.pk} ({token.name}) for {owner.get_username()}"
            + (", read-only" if read_only else "")
            + f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC"
            + ". It is shown only now; keep it somewhere safe:"
        )
        self.stdout.write(raw)


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user {username!r}.") from None


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
    return error.messages
