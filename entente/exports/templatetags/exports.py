"""`{% export_links "exports:commitment-export" %}`: the list's "Export: CSV · XLSX"
links, carrying the page's filters (not its page number: an export holds every page)."""

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("exports/_export_links.html", takes_context=True)
def export_links(context, url_name: str) -> dict:
    query = context["request"].GET.copy()
    query.pop("page", None)
    links = []
    for fmt in ("csv", "xlsx"):
        query["format"] = fmt
        links.append((fmt.upper(), f"{reverse(url_name)}?{query.urlencode()}"))
    return {"links": links}
