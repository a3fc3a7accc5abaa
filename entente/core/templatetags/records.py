"""Template helpers for pages that link to any record by its registered type."""

from django import template

from entente.core.registry import record_type_of

register = template.Library()


@register.filter
def record_type(record) -> str:
    """The record's type name, "<app_label>.<model>", as the trail and publish URLs take it."""
    return record_type_of(record).name
