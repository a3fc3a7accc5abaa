"""Reports as PDF files: HTML rendered by WeasyPrint from a print template.

Every page carries, at its top and bottom, the highest TLP marking of everything the
file holds, and its page number. WeasyPrint fetches nothing: the stylesheet is read
from the project's static files and handed over as text, and any other URL in the
document (an image, a stylesheet) is refused, so a report never reaches the network.
"""

from collections.abc import Iterable
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML

from entente.core.enums import Marking

PRINT_STYLESHEET = "css/print.css"


def highest_marking(markings: Iterable[str]) -> Marking:
    """The most restrictive of `markings`; TLP:CLEAR when there are none."""
    return max((Marking(m) for m in markings), key=lambda m: m.rank, default=Marking.CLEAR)


def markings_in(*querysets: QuerySet) -> set[str]:
    """The distinct markings of the records of `querysets`, one small query each."""
    found: set[str] = set()
    for queryset in querysets:
        found.update(queryset.order_by().values_list("marking", flat=True).distinct())
    return found


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"a report fetches no URL ({url})")


def _page_css(marking: Marking) -> CSS:
    # The marking is one of Marking's fixed values, so it is safe inside the CSS string.
    mark = f"content: '{marking.value}';"
    return CSS(
        string=f"@page {{ @top-center {{ {mark} }} @bottom-center {{ {mark} }}"
        " @bottom-right { content: counter(page) ' / ' counter(pages); } }"
    )


def _stylesheet() -> CSS:
    return CSS(string=Path(str(finders.find(PRINT_STYLESHEET))).read_text(encoding="utf-8"))


def render_pdf(template: str, context: dict, *, marking: Marking, language: str) -> bytes:
    """The PDF of `template` rendered with `context` in `language`."""
    with translation.override(language):
        html = render_to_string(template, {**context, "marking": marking})
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank")
    return document.write_pdf(stylesheets=[_stylesheet(), _page_css(marking)])


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """The PDF as a download that no cache keeps and no browser sniffs into another
    type (the headers of attachments' downloads)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
