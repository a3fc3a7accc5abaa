"""Writing a list as CSV or XLSX: one header line naming the highest marking in the
file, then the column headers, then a row per record, its marking in its own column.

Cells that a spreadsheet would read as a formula are neutralised, since the text in
them was typed by users of either party (CSV injection, OWASP).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from entente.core.enums import Marking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def neutralised(value: Any) -> Any:
    """`value`, with a text that starts like a formula prefixed by a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def highest_marking(markings: Iterable[str]) -> str:
    """The most restrictive of `markings`; TLP:CLEAR for none."""
    return max((Marking(m) for m in markings), key=lambda m: m.rank, default=Marking.CLEAR)


def marking_line(marking: str) -> list[str]:
    return [_("Highest marking in this file: %(marking)s") % {"marking": marking}]


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], marking: str) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads Arabic and accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(marking_line(marking))
    writer.writerow(headers)
    writer.writerows([neutralised("" if v is None else v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], marking: str, title: str
) -> bytes:
    # write_only streams rows to the file instead of holding a cell object for each.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])  # Excel's limit on a sheet's name
    sheet.append(marking_line(marking))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([neutralised(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(
    fmt: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], marking: str, title: str
) -> bytes:
    if fmt == "csv":
        return write_csv(headers, rows, marking)
    return write_xlsx(headers, rows, marking, title)
