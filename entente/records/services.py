"""Keeping the search index in step with the records.

A record type is searchable when its model names its texts in `search_fields` (a
translated field stands for its text in every language) and it is in the record-type
registry. `search_index_record` runs inside the transaction of every audited write (the
audit layer calls it through `core.registry.on_record_written`, set in this app's
`ready()`), so the index changes with the record or not at all. `search_reindex`
rebuilds the whole index (the `entente reindex` command): after an upgrade, or a write
that went around the services.
"""

from django.db import models, transaction

from entente.core.enums import Language
from entente.records.models import SearchEntry, search_words
from entente.records.selectors import searchable_types


def _columns(model: type[models.Model]) -> list[str]:
    """The columns holding the model's searchable texts: `title_ar`, `title_en`... for a
    translated field, the field itself otherwise."""
    names = {field.attname for field in model._meta.concrete_fields}
    columns = []
    for name in model.search_fields:  # type: ignore[attr-defined]
        per_language = [f"{name}_{code}" for code in Language.values if f"{name}_{code}" in names]
        columns += per_language or [name]
    return columns


def search_document(record: models.Model) -> str:
    """The words of `record`'s searchable texts, each once."""
    words: dict[str, None] = {}
    for column in _columns(type(record)):
        words.update(dict.fromkeys(search_words(str(getattr(record, column) or ""))))
    return " ".join(words)


def search_index_record(record: models.Model, deleted: bool = False) -> None:
    """Bring the index row of `record` up to date (the write hook; see the module)."""
    if not getattr(type(record), "search_fields", None):
        return
    target = {"target_type": record._meta.label_lower, "target_id": record.pk}
    if deleted:
        SearchEntry.objects.filter(**target).delete()
    else:
        SearchEntry.objects.update_or_create(
            **target, defaults={"document": search_document(record)}
        )


def search_reindex() -> int:
    """Rebuild the index from every searchable record; the number of rows written."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        count = 0
        for entry in searchable_types():
            rows = [
                SearchEntry(
                    target_type=entry.name, target_id=record.pk, document=search_document(record)
                )
                for record in entry.model._base_manager.only(*_columns(entry.model)).iterator()
            ]
            SearchEntry.objects.bulk_create(rows, batch_size=500)
            count += len(rows)
    return count
