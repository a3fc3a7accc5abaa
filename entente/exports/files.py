"""Building export files: a filtered list as CSV or XLSX."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.errors import ValidationError
from entente.exports import writers
from entente.exports.agreement_json import agreement_document, as_json, records_in
from entente.exports.lists import ExportList
from entente.exports.services import export_record


@dataclass(frozen=True)
class ExportFile:
    content: bytes
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


def export_list(export: ExportList, *, data, request, fmt: str) -> ExportFile:
    """Every row of the list `export` as the user's page shows it with filter `data`,
    written as `fmt`; audited as the user's export."""
    check_format(fmt)
    filterset = export.filtered(data, request)
    filter_errors(filterset)
    queryset = filterset.qs
    if export.related:  # select_related() with no names would follow every key
        queryset = queryset.select_related(*export.related)
    records = list(queryset)
    headers = [str(column.header) for column in export.columns]
    rows = [[column.value(record) for column in export.columns] for record in records]
    marking = writers.highest_marking(record.marking for record in records)
    content = writers.write(fmt, headers, rows, marking, str(export.title))
    filters = {key: data.getlist(key) for key in sorted(data) if key not in ("format", "page")}
    export_record(
        actor=request.user,
        what=export.name,
        details={"format": fmt, "filters": filters, "rows": len(records)},
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
        as_json(document), "application/json", f"agreement-{agreement.public_id}-{stamp}.json"
    )
