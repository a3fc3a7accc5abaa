"""Turning the cells of a hand-kept spreadsheet into values: dates written as text in
French, Dutch or English, numbers with a decimal comma, real Excel dates and numbers.

Each function raises ValueError with the reason a person reads next to the cell.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from entente.imports.reading import plain

# Month names and their usual abbreviations, accents and dots dropped (see `plain`).
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "janvier janv januari jan january",
            "fevrier fevr fev februari feb february",
            "mars maart mrt mar march",
            "avril avr april apr",
            "mai mei may",
            "juin juni jun june",
            "juillet juil juli jul july",
            "aout augustus aug august",
            "septembre sept september sep",
            "octobre oct oktober okt october",
            "novembre nov november",
            "decembre dec december",
        ],
        start=1,
    )
    for name in names.split()
}

_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_WORDS = re.compile(r"^(\d{1,2})(?:er|e)?\s+([a-z]+)\.?\s+(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:hHu.](\d{2})$")

DATE_EXAMPLES = "03/03/2026, 3 mars 2026, 3 maart 2026, 2026-03-03"


def as_date(value) -> dt.date:
    """A date: an Excel date, "2026-03-03", "03/03/2026" (day first, also with - or .),
    "3 mars 2026", "1er mars 2026", "3 maart 2026", "3 March 2026"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = plain(str(value))
    try:
        if match := _NUMERIC.match(text):
            first, month, last = (int(part) for part in match.groups())
            if len(match.group(1)) == 4:  # 2026-03-03
                return dt.date(first, month, last)
            return dt.date(last, month, first)  # day first, as in France and the Netherlands
        if (match := _WORDS.match(text)) and match.group(2) in MONTHS:
            return dt.date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a day of the calendar.") % {"value": str(value).strip()}
        ) from None
    raise ValueError(
        _("“%(value)s” is not a date (write it as %(examples)s).")
        % {"value": str(value).strip(), "examples": DATE_EXAMPLES}
    )


def as_datetime(value) -> dt.datetime:
    """A date with a time ("03/03/2026 10:00", "3 mars 2026 10h00"), naive: the service
    reads it in the record's own time zone; a date alone is taken at midnight."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip()
    day, _space, clock = text.rpartition(" ")
    if day and (match := _TIME.match(clock)):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(_("“%(value)s” is not a time of day.") % {"value": clock})
        return dt.datetime.combine(as_date(day), dt.time(hour, minute))
    return dt.datetime.combine(as_date(text), dt.time())


def as_decimal(value) -> Decimal:
    """A number, with a decimal comma or point and spaces between thousands."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".").rstrip("%")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(
            _("“%(value)s” is not a number.") % {"value": str(value).strip()}
        ) from None


def as_percentage(value) -> int:
    """A whole percentage: 40, "40 %", or 0.4 as Excel stores a percentage cell."""
    number = as_decimal(value)
    if isinstance(value, float) and 0 < number <= 1:
        number *= 100
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValueError(
            _("“%(value)s” is not a whole percentage from 0 to 100.") % {"value": value}
        )
    return int(number)


def as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
