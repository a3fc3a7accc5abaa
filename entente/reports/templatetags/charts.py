"""Bar charts drawn on the server as inline SVG: no script, so the page and its PDF show
the same chart, and no style attribute, so the strict CSP holds (SVG presentation
attributes such as `fill` are no styles).

Each bar is one small `<svg role="img">` whose label says in words what it draws; the
templates put it in a table row beside the figures, which are the chart's text
alternative. In a right-to-left language the bars grow from the right.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from entente.agreements.enums import CommitmentStatus

register = template.Library()

WIDTH = 240
HEIGHT = 14
# Colours with at least 3:1 contrast against white (WCAG non-text contrast).
STATUS_COLOURS = {
    CommitmentStatus.DONE: "#1e6b34",
    CommitmentStatus.IN_PROGRESS: "#134e8c",
    CommitmentStatus.PLANNED: "#6b7280",
    CommitmentStatus.DEFERRED: "#7a4b00",
    CommitmentStatus.CANCELLED: "#a4161a",
}
BAR_COLOUR = "#13315c"
TARGET_COLOUR = "#1e6b34"


def _rects(parts: list[tuple[float, str]], maximum: float) -> list[tuple[float, float, str]]:
    """(x, width, fill) of each part laid end to end, scaled so `maximum` fills the bar;
    mirrored for a right-to-left reader."""
    rects, x = [], 0.0
    scale = WIDTH / maximum if maximum > 0 else 0
    for value, fill in parts:
        width = max(float(value), 0) * scale
        if width:
            rects.append((x, width, fill))
        x += width
    if get_language_bidi():
        rects = [(WIDTH - x - width, width, fill) for x, width, fill in rects]
    return rects


def bar_svg(parts: list[tuple[float, str]], maximum: float, label: str) -> SafeString:
    rects = format_html_join(
        "",
        '<rect x="{}" y="1" width="{}" height="{}" fill="{}"/>',
        ((f"{x:.1f}", f"{w:.1f}", HEIGHT - 2, fill) for x, w, fill in _rects(parts, maximum)),
    )
    return format_html(
        '<svg class="bar" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<rect x="0" y="0" width="{}" height="{}" fill="#f3f5f8"/>{}</svg>',
        label, WIDTH, HEIGHT, WIDTH, HEIGHT, label, WIDTH, HEIGHT, rects,
    )  # fmt: skip


@register.simple_tag
def status_bar(row, maximum, label) -> SafeString:
    """A row's commitments as one bar, a segment per status, scaled to `maximum`."""
    parts = [(row.counts[status.value], colour) for status, colour in STATUS_COLOURS.items()]
    return bar_svg(parts, maximum, label)


@register.simple_tag
def bar(value, maximum, label, colour: str = BAR_COLOUR) -> SafeString:
    return bar_svg([(float(value or 0), colour)], float(maximum or 0), label)


@register.simple_tag
def status_legend() -> SafeString:
    """What each colour of a status bar stands for."""
    items = format_html_join(
        "",
        '<li><svg width="12" height="12" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
        '<rect width="12" height="12" fill="{}"/></svg> {}</li>',
        ((colour, status.label) for status, colour in STATUS_COLOURS.items()),
    )
    return format_html(
        '<ul class="chart-legend" aria-label="{}">{}</ul>', _("Colours of the bars"), items
    )


@register.filter
def largest(rows, attributes: str) -> float:
    """The largest value of any of `attributes` (space-separated) among `rows` (dicts or
    objects): the full scale of their bars; 0 for none."""
    values = [
        row[name] if isinstance(row, dict) else getattr(row, name)
        for row in rows
        for name in attributes.split()
    ]
    return float(max((v for v in values if v is not None), default=0))


@register.filter
def duration(value) -> str:
    """A time span as days, hours and minutes ("2 d 3 h", "45 min"); nothing for None."""
    if value is None:
        return ""
    minutes = round(value.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
