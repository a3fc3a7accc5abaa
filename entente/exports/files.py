"""Building export files: a filtered list as CSV or XLSX, a whole agreement as JSON.

A list's rows are read a chunk at a time while the file is written (and sent), so a
list of a million rows takes no more memory than one of a hundred.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entente.core.errors import ValidationError
from entente.exports import writers
from entente.exports.agreement_json import agreement_document, as_json, records_in
from entente.exports.lists import ExportList
from entente.exports.services import export_record


@dataclass(frozen=True)
class ExportFile:
    """The file's bytes, produced as they are read (once)."""

    chunks: Iterable[bytes]
    content_type: str
    filename: str


def check_format(fmt: str) -> str:
    if fmt not in writers.FORMATS:
        raise ValidationError(
            {
                "format": _("Unknown export format “%(format)s”: choose csv or xlsx.")
                % {"format": fmt}
            }
        )
    return fmt


def filter_errors(filterset) -> None:
    """A filter the page would show as wrong refuses the export, naming the filter."""
    if filterset.is_bound and not filterset.form.is_valid():
        field, errors = next(iter(filterset.form.errors.items()))
        label = filterset.form.fields[field].label if field in filterset.form.fields else field
        raise ValidationError({field: f"{label}: {errors[0]}"})


# Rows read from the database at a time while a list is written.
CHUNK_SIZE = 2000


def rows_of(export: ExportList, queryset: QuerySet) -> QuerySet:
    """`queryset` with the related rows the export's columns read, loaded with it."""
    if export.related:  # select_related() with no names would follow every key
        queryset = queryset.select_related(*export.related)
    return queryset.prefetch_related(*export.prefetched)


def markings_and_count(queryset: QuerySet) -> tuple[str, int]:
    """The highest marking among the rows and how many there are, counted by the
    database: the file's first line names the marking before any row is read."""
    by_marking = queryset.order_by().values("marking").annotate(rows=Count("pk"))
    counts = dict(by_marking.values_list("marking", "rows"))
    return writers.highest_marking(counts), sum(counts.values())


def _in_language(rows: Iterator, language: str | None) -> Iterator:
    """`rows` read in the request's language, though sent after its view returned."""
    with translation.override(language):
        yield from rows


def export_list(export: ExportList, *, data, request, fmt: str) -> ExportFile:
    """Every row of the list `export` as the user's page shows it with filter `data`,
    written as `fmt` while it is read; audited as the user's export."""
    check_format(fmt)
    filterset = export.filtered(data, request)
    filter_errors(filterset)
    queryset = rows_of(export, filterset.qs)
    marking, count = markings_and_count(queryset)
    filters = {key: data.getlist(key) for key in sorted(data) if key not in ("format", "page")}
    export_record(
        actor=request.user,
        what=export.name,
        details={"format": fmt, "filters": filters, "rows": count},
    )
    headers = [str(column.header) for column in export.columns]
    rows = (
        [column.value(record) for column in export.columns]
        for record in queryset.iterator(chunk_size=CHUNK_SIZE)
    )
    content = writers.chunks(
        fmt, headers, _in_language(rows, translation.get_language()), marking, str(export.title)
    )
    stamp = timezone.localdate().isoformat()
    return ExportFile(content, writers.CONTENT_TYPES[fmt], f"{export.name}-{stamp}.{fmt}")


def export_agreement(*, user, agreement) -> ExportFile:
    """The agreement (loaded through its door for `user`) and all under it the user may
    see, as JSON; audited as the user's export."""
    document = agreement_document(user, agreement)
    export_record(
        actor=user,
        what="agreement",
        details={
            "format": "json",
            "agreement": str(agreement.public_id),
            "records": records_in(document),
        },
    )
    stamp = timezone.localdate().isoformat()
    return ExportFile(
        [as_json(document)], "application/json", f"agreement-{agreement.public_id}-{stamp}.json"
    )
