"""Keeping the search index in step with the records.

A record type is searchable when its model names its texts in `search_fields` (a
translated field stands for its text in every language) and it is in the record-type
registry. `search_index_records` runs inside the transaction of every audited write (the
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


def search_index_records(writes: list[tuple[models.Model, bool]]) -> None:
    """Bring the index rows of the written records up to date (the write hook; see the
    module): one write's, or a whole batch's in a few queries, each record as its last
    write left it."""
    last: dict[tuple[str, int], tuple[models.Model, bool]] = {
        (record._meta.label_lower, record.pk): (record, deleted)
        for record, deleted in writes
        if getattr(type(record), "search_fields", None)
    }
    gone: dict[str, list[int]] = {}
    for (target_type, target_id), (_record, deleted) in last.items():
        if deleted:
            gone.setdefault(target_type, []).append(target_id)
    for target_type, ids in gone.items():
        SearchEntry.objects.filter(target_type=target_type, target_id__in=ids).delete()
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                target_type=target_type, target_id=target_id, document=search_document(record)
            )
            for (target_type, target_id), (record, deleted) in last.items()
            if not deleted
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["target_type", "target_id"],
        update_fields=["document"],
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
