"""Writing a list as CSV or XLSX: one header line naming the highest marking in the
file, then the column headers, then a row per record, its marking in its own column.

Both are written while the rows are read, a chunk at a time, so that memory stays flat
however long the list: CSV straight into the response, XLSX through openpyxl's
write-only workbook into a temporary file on disk, then sent from there.

Cells that a spreadsheet would read as a formula are neutralised, since the text in
them was typed by users of either party (CSV injection, OWASP).
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
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
# Rows per CSV chunk, bytes per XLSX chunk: large enough to keep the calls few.
CSV_ROWS_PER_CHUNK = 500
FILE_BLOCK = 64 * 1024


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


class _Line:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], marking: str
) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel reads Arabic and accents right."""
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow(marking_line(marking)) + writer.writerow(headers)).encode()
    rows = iter(rows)
    while chunk := list(islice(rows, CSV_ROWS_PER_CHUNK)):
        lines = (
            writer.writerow([neutralised("" if v is None else v) for v in row]) for row in chunk
        )
        yield "".join(lines).encode("utf-8")


def xlsx_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], marking: str, title: str
) -> Iterator[bytes]:
    # write_only streams rows to a file instead of holding a cell object for each.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])  # Excel's limit on a sheet's name
    sheet.append(marking_line(marking))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([neutralised(value) for value in row])
    with tempfile.TemporaryFile() as file:  # deleted once sent, or when the download stops
        book.save(file)
        file.seek(0)
        while block := file.read(FILE_BLOCK):
            yield block


def chunks(
    fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], marking: str, title: str
) -> Iterator[bytes]:
    if fmt == "csv":
        return csv_chunks(headers, rows, marking)
    return xlsx_chunks(headers, rows, marking, title)
