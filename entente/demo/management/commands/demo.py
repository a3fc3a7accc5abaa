import os

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.accounts.enums import Role
from entente.core.passwords import validate_demo_password
from entente.demo import data
from entente.demo.loader import load_demo

# Where `entente serve` answers by default; `make run` passes the address it serves on.
DEFAULT_URL = "http://127.0.0.1:8000/"

# What a user of each role may do, for someone trying the demo (DESIGN.md, access model).
ROLE_HELP = {
    Role.READER: gettext_lazy("reads what their party may see; changes nothing"),
    Role.OFFICER: gettext_lazy("also writes their own party's records"),
    Role.COORDINATOR: gettext_lazy("also publishes to the other party, sets markings, decides"),
    Role.PARTY_ADMIN: gettext_lazy("manages their party's people and directory"),
    Role.AUDITOR: gettext_lazy("reads the audit chain"),
}


class Command(BaseCommand):
    help = "Load the demo agreement and users (idempotent) and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=DEFAULT_URL,
            help="where the server answers, printed as the place to sign in (default: %(default)s)",
        )

    def handle(self, *args, **options):
        password = os.environ.get("ENTENTE_DEMO_PASSWORD") or None
        if password:
            validate_demo_password(password, [*data.USERS, data.OPERATOR])
        result = load_demo(password=password)
        if result.created:
            self.stdout.write(self.style.SUCCESS(_("Demo agreement loaded.")))
        else:
            self.stdout.write(_("Demo agreement already loaded."))
        self.stdout.write(_("Sign in at %(url)s as one of these users:") % {"url": options["url"]})
        for line in _user_lines():
            self.stdout.write(line)
        if result.password:
            self.stdout.write(_("Password: %(password)s") % {"password": result.password})
        else:
            self.stdout.write(
                _(
                    "Passwords are unchanged; set ENTENTE_DEMO_PASSWORD and run "
                    "'entente demo' again to reset them."
                )
            )


def _user_lines() -> list[str]:
    """The demo users by role, each role with what it may do, the operator last."""
    rows = [
        (
            ", ".join(sorted(name for name, (_party, r) in data.USERS.items() if r == role)),
            f"{role.label}: {ROLE_HELP[role]}",
        )
        for role in Role
    ]
    rows.append(
        (
            data.OPERATOR,
            _("Technical operator: structure only (parties, units, people), at /admin/"),
        )
    )
    width = max(len(names) for names, _what in rows)
    return [f"  {names.ljust(width)}  {what}" for names, what in rows if names]
