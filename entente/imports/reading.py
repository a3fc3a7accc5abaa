"""Reading a spreadsheet kept by hand (XLSX or CSV) into a header and numbered rows.

Agencies keep these files for people, not programs: a title above the table, group
names in merged cells over the column names, blank rows, a total row at the foot. The
reader finds the column names, numbers every row as the spreadsheet shows it, and says
which rows it skipped and why, so that every problem can name the row a person sees.
"""

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# The first cell of a total row, in the languages our users keep their files in.
TOTAL_WORDS = frozenset(
    {"total", "totals", "totaux", "totale", "totaal", "subtotal", "sous-total", "subtotaal"}
)
# How far down a sheet the header row is looked for when no mapping names it.
HEADER_SEARCH_ROWS = 20


@dataclass
class Table:
    """A sheet's column names and its data rows, each with its row number in the file."""

    columns: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    header_row: int = 1


def read_table(path: Path, *, sheet: str = "", header_row: int | None = None) -> Table:
    """The table in the file at `path`: an .xlsx workbook's `sheet` (the first when not
    named) or a CSV file; `header_row` is the (lowest) row of column names, found when
    not given as the first row with the most filled cells."""
    raw = _xlsx_rows(path, sheet) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    if not raw:
        raise ValidationError({"file": _("The file has no rows.")})
    if header_row is None:
        header_row = _guess_header_row(raw)
    if not 1 <= header_row <= len(raw):
        raise ValidationError(
            {"header_row": _("The file has no row %(row)s.") % {"row": header_row}}
        )
    table = Table(columns=_column_names(raw, header_row), header_row=header_row)
    for number, cells in enumerate(raw[header_row:], start=header_row + 1):
        reason = _skip_reason(cells)
        if reason:
            table.skipped.append((number, reason))
        else:
            table.rows.append((number, cells))
    return table


def _xlsx_rows(path: Path, sheet: str) -> list[list]:
    try:
        # read_only streams the sheet (10,000 rows in a fraction of the memory);
        # data_only gives a formula's last computed value, as the person saw it.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise ValidationError({"file": _("The file is not a readable XLSX workbook.")}) from None
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise ValidationError(
                {"sheet": _("The workbook has no sheet “%(sheet)s”.") % {"sheet": sheet}}
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[list]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # with or without a byte-order mark
    except UnicodeDecodeError:
        raise ValidationError({"file": _("The CSV file is not in UTF-8.")}) from None
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell: commas
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _guess_header_row(raw: list[list]) -> int:
    """The first row of names only (no numbers, no dates) filling at least half as many
    cells as the widest row; or the row below it, when that one is names only too and
    fills cells it leaves empty (column names under merged group names)."""
    top = raw[:HEADER_SEARCH_ROWS]
    widest = max(sum(map(_filled, row)) for row in top)
    for index, row in enumerate(top):
        if 2 * sum(map(_filled, row)) >= widest and _names_only(row):
            below = top[index + 1] if index + 1 < len(top) else []
            under_groups = any(
                _filled(value) and not (index_ < len(row) and _filled(row[index_]))
                for index_, value in enumerate(below)
            )
            return index + 2 if below and _names_only(below) and under_groups else index + 1
    return 1


def _names_only(row: list) -> bool:
    return any(map(_filled, row)) and all(
        isinstance(value, str) and not value.strip().replace(",", "").replace(".", "").isdigit()
        for value in row
        if _filled(value)
    )


def _column_names(raw: list[list], header_row: int) -> list[str]:
    """Each column's name in the header row, or, where that cell is empty (a name merged
    down from the row above), the row above's; a name found twice (the same name under
    two groups) is given its group, the row above's merged cell to its left."""
    names_row = raw[header_row - 1]
    above = raw[header_row - 2] if header_row > 1 else []
    width = max(len(names_row), len(above))
    names, groups, group = [], [], ""
    for index in range(width):
        own = names_row[index] if index < len(names_row) else None
        upper = above[index] if index < len(above) else None
        if _filled(upper):
            group = str(upper).strip()
        groups.append(group)
        names.append(
            str(own).strip() if _filled(own) else (str(upper).strip() if _filled(upper) else "")
        )
    for index, name in enumerate(names):
        if not name:
            names[index] = get_column_letter(index + 1)
        elif names.count(name) > 1 and groups[index] and groups[index] != name:
            names[index] = f"{groups[index]} / {name}"
    return names


def _skip_reason(cells: list) -> str:
    filled = [value for value in cells if _filled(value)]
    if not filled:
        return _("blank row")
    if _is_total_word(filled[0]):
        return _("total row")
    return ""


def _is_total_word(value) -> bool:
    if isinstance(value, int | float | dt.date):
        return False
    words = plain(str(value)).replace(":", " ").split()
    return bool(words) and words[0] in TOTAL_WORDS


def plain(text: str) -> str:
    """`text` lower-cased without accents or surrounding space: how names are matched."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
