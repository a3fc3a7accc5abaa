"""Free text in its own direction inside a page of the other direction (an English
decision in an Arabic report), for the PDF renderer, which ignores `dir="auto"`: the
direction is that of the text's first strong character, as `dir="auto"` would take it."""

import unicodedata

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

RIGHT_TO_LEFT = {"R", "AL"}


def direction_of(text: str) -> str:
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return "ltr"
        if kind in RIGHT_TO_LEFT:
            return "rtl"
    return "ltr"


@register.filter
def isolated(value) -> SafeString:
    """`value` (escaped) in a span with its own direction; nothing for nothing."""
    text = str(value or "")
    if not text:
        return SafeString("")
    return format_html('<span dir="{}">{}</span>', direction_of(text), text)
