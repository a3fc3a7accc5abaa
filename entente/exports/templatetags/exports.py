"""`{% export_links "exports:commitment-export" %}` (or `... party=party.code`): the list's "Export: CSV · XLSX"
links, carrying the page's filters (not its page number: an export holds every page)."""

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("exports/_export_links.html", takes_context=True)
def export_links(context, url_name: str, **fixed: str) -> dict:
    """`fixed`: filters the page implies without a query string (a party's directory)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    for name, value in fixed.items():
        query[name] = value
    links = []
    for fmt in ("csv", "xlsx"):
        query["format"] = fmt
        links.append((fmt.upper(), f"{reverse(url_name)}?{query.urlencode()}"))
    return {"links": links}
