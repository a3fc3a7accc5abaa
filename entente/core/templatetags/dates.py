"""Dates and times as people read them: in the language's one format (entente/formats),
wrapped in `<time datetime="…">` for machines. Templates use these, not `|date:"…"`."""

import datetime as dt
import zoneinfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def day(value) -> str:
    """`<time datetime="2026-12-03">3 Dec 2026</time>`; a date-time gives its day on the
    reader's clock; nothing gives nothing (so `|day|default:"—"` works)."""
    if not isinstance(value, dt.date):
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        formats.date_format(value, "DATE_FORMAT"),
    )


@register.filter
def moment(value, zone=None) -> str:
    """`<time datetime="2026-12-03T13:30:00+00:00">3 Dec 2026, 14:30</time>`: on the clock
    of `zone` (a name such as "Africa/Casablanca", or a tzinfo), else on the reader's."""
    if not isinstance(value, dt.datetime):
        return ""
    if isinstance(zone, str):
        try:
            zone = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
    local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    machine = (
        value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    )
    return format_html(
        '<time datetime="{}">{}</time>', machine, formats.date_format(local, "DATETIME_FORMAT")
    )


def _city(zone: dt.tzinfo) -> str:
    """ "Casablanca" for Africa/Casablanca: the zone as people name it."""
    return str(zone).rsplit("/", 1)[-1].replace("_", " ")


@register.simple_tag(takes_context=True)
def clocks(context, value) -> str:
    """A moment on the reader's clock and, where a counterpart party's clock reads
    otherwise, on theirs too: "2 Mar 2026, 10:00 Casablanca / 11:00 Amsterdam" (with
    the date when it differs there). Offsets come from zoneinfo, so summer time and
    Morocco's change of offset for Ramadan are counted."""
    if not isinstance(value, dt.datetime) or not timezone.is_aware(value):
        return moment(value)
    reader = timezone.get_current_timezone()
    local = timezone.localtime(value, reader)
    shown = format_html("{} {}", moment(value), _city(reader))
    for name in context.get("counterpart_zones") or ():
        try:
            zone = zoneinfo.ZoneInfo(name)
            other = timezone.localtime(value, zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if other.replace(tzinfo=None) == local.replace(tzinfo=None):
            continue
        text = formats.date_format(
            other, "TIME_FORMAT" if other.date() == local.date() else "DATETIME_FORMAT"
        )
        shown += format_html(' <span class="other-clock">/ {} {}</span>', text, _city(zone))
    return shown
