"""Template helpers for the tables every page shows."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def table_head(*labels, num: str = "") -> str:
    """A table's header row, one column per label:
    `{% table_head _("Party") _("Officers") num="2" %}`; `num` lists (from 1) the
    columns of numbers, aligned like them."""
    numeric = {int(position) for position in num.split()}
    cells = format_html_join(
        "",
        '<th scope="col"{}>{}</th>',
        ((' class="num"' if i in numeric else "", label) for i, label in enumerate(labels, 1)),
    )
    return format_html("<thead><tr>{}</tr></thead>", cells)
