"""`entente backup PATH`: a consistent copy of the running instance."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from entente.exports.archive import ArchiveError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into PATH (a new directory), with a "
        "manifest of checksums; safe while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The directory to create.")

    def handle(self, *args, path, **options):
        try:
            manifest = backup(Path(path))
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up the {manifest['database']} database and "
            f"{len(manifest['files']) - 1} uploaded files into {path}"
        )
