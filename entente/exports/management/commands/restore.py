"""`entente restore PATH`: a backup into a new, empty instance."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from entente.exports.archive import ArchiveError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'entente backup' into this instance, which must be "
        "empty; every file's checksum is verified first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup's directory.")

    def handle(self, *args, path, **options):
        try:
            manifest = restore(Path(path))
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} "
            f"(Entente {manifest['entente_version']}); run 'entente audit verify' to check it"
        )
