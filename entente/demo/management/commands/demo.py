import os

from django.core.management.base import BaseCommand

from entente.core.passwords import validate_demo_password
from entente.demo import data
from entente.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo agreement and users (idempotent) and print how to log in."

    def handle(self, *args, **options):
        password = os.environ.get("ENTENTE_DEMO_PASSWORD") or None
        if password:
            validate_demo_password(password, [*data.USERS, "operator"])
        result = load_demo(password=password)
        if result.created:
            self.stdout.write(self.style.SUCCESS("Demo agreement loaded."))
        else:
            self.stdout.write("Demo agreement already loaded.")
        self.stdout.write("Log in at http://127.0.0.1:8000/ as one of:")
        self.stdout.write("  " + ", ".join(result.usernames))
        self.stdout.write("  operator (technical operator, for /admin/)")
        if result.password:
            self.stdout.write(f"Password: {result.password}")
        else:
            self.stdout.write(
                "Passwords are unchanged; set ENTENTE_DEMO_PASSWORD and run "
                "'entente demo' again to reset them."
            )
