from django.core.management.base import BaseCommand

from entente.records.services import search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index from every searchable record."

    def handle(self, *args, **options):
        count = search_reindex()
        self.stdout.write(f"Search index rebuilt: {count} record(s).")
