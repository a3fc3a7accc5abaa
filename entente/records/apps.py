from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "entente.records"
    label = "records"

    def ready(self) -> None:
        # The audit layer, below this one, tells the search index of every write.
        from entente.core.registry import on_record_written
        from entente.records.services import search_index_records

        on_record_written(search_index_records)
