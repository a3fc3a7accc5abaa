"""Template helpers for the fields of a form."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def field_groups(form, names: str) -> str:
    """Each named field of `form` (names apart by spaces) with its label, help and
    errors, in a `<div class="field">`: `{% field_groups form "starts_at ends_at" %}`."""
    return format_html_join(
        "",
        '<div class="field">{}</div>',
        ((form[name].as_field_group(),) for name in names.split()),
    )


@register.simple_tag
def fieldset(form, legend: str, names: str) -> str:
    """The named fields of `form` in a `<fieldset>` under `legend`:
    `{% fieldset form _("When") "starts_at ends_at" %}`."""
    return format_html(
        "<fieldset><legend>{}</legend>{}</fieldset>", legend, field_groups(form, names)
    )
