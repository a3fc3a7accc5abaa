from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from entente.accounts.lockout import lockout_unlock_address, lockout_unlock_user


class Command(BaseCommand):
    help = "Lift a sign-in lockout, of a user or of a client address; audited."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="The locked-out user.")
        parser.add_argument("--address", help="A locked-out client IP address, instead.")
        parser.add_argument("--operator", required=True, help="The operator doing the unlock.")

    def handle(self, *args, username, address, operator, **options):
        if bool(username) == bool(address):
            raise CommandError("give either USER or --address IP")
        users = get_user_model().objects
        try:
            actor = users.get_by_natural_key(operator)
            if username:
                cleared = lockout_unlock_user(actor=actor, user=users.get_by_natural_key(username))
            else:
                cleared = lockout_unlock_address(actor=actor, address=address)
        except users.model.DoesNotExist as error:
            raise CommandError(f"no such user: {error}") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{username or address}: {cleared} failed sign-in(s) cleared.")
