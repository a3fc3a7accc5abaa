import json

from django.core.management.base import BaseCommand, CommandError

from entente.core import instance_key
from entente.core.instance_key import InstanceKeyError


class Command(BaseCommand):
    help = "Create, show or rotate this instance's Ed25519 key (it signs the audit tree head)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("init", help="Create the instance key; refused when there is one.")
        sub.add_parser("show", help="Print the public key, its fingerprint and retired keys.")
        sub.add_parser(
            "rotate",
            help="Replace the key; print the rotation statement (signed by the old key) "
            "to hand to the other party.",
        )

    def handle(self, *args, verb, **options):
        try:
            if verb == "init":
                instance_key.generate()
                self.stdout.write(f"instance key created: {instance_key.key_path()}")
                self._show_current()
                self.stdout.write(
                    "Give the public key to the other party and read the fingerprint aloud "
                    "to them; they read it back from what they received."
                )
            elif verb == "show":
                self._show_current()
                for statement in instance_key.retired_keys():
                    old = instance_key.public_key_from_text(statement.old_key)
                    self.stdout.write(
                        f"retired {statement.rotated_at}: {statement.old_key} "
                        f"(fingerprint {instance_key.fingerprint(old)})"
                    )
            else:
                statement = instance_key.rotate()
                self.stdout.write("instance key rotated; the new key:")
                self._show_current()
                self.stdout.write(
                    "Rotation statement (the new key signed by the old one), for the other party:"
                )
                self.stdout.write(json.dumps(statement.as_dict(), indent=2))
        except InstanceKeyError as error:
            raise CommandError(str(error)) from None

    def _show_current(self) -> None:
        key = instance_key.public_key()
        self.stdout.write(f"public key: {instance_key.public_key_text(key)}")
        self.stdout.write(f"fingerprint: {instance_key.fingerprint(key)}")
