from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from entente.accounts.services import mfa_reset


class Command(BaseCommand):
    help = "Reset a user's second factor (a lost authenticator); audited."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        reset = sub.add_parser("reset", help="Remove USER's authenticators.")
        reset.add_argument("username")
        reset.add_argument("--operator", required=True, help="The operator doing the reset.")

    def handle(self, *args, verb, username, operator, **options):
        users = get_user_model().objects
        try:
            user = users.get_by_natural_key(username)
            actor = users.get_by_natural_key(operator)
        except users.model.DoesNotExist as error:
            raise CommandError(f"no such user: {error}") from None
        removed = mfa_reset(actor=actor, user=user)
        self.stdout.write(
            f"{username}: {removed} authenticator(s) removed; enrol again at sign-in."
        )
