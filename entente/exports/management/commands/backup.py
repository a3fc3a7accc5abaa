"""`entente backup PATH`: a consistent copy of the running instance."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from entente.core.instance_key import KEY_FILE
from entente.exports.archive import KEYS, MEDIA, ArchiveError, backup


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files and the instance key into PATH (a new "
        "directory), with a manifest of checksums; safe while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The directory to create.")

    def handle(self, *args, path, **options):
        try:
            manifest = backup(Path(path))
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from None
        uploaded = sum(name.startswith(f"{MEDIA}/") for name in manifest["files"])
        keys = " and the instance key" if f"{KEYS}/{KEY_FILE}" in manifest["files"] else ""
        self.stdout.write(
            f"Backed up the {manifest['database']} database, "
            f"{uploaded} uploaded files{keys} into {path}"
        )
