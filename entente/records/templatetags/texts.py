"""A record's texts in the reader's language, saying so when they are not.

`{% text record "title" %}` shows the text in the reader's language when the record has
it, else in the record's reference language with a visible "shown in French (the
reference)" note (`quiet=True`, for lists, leaves the note out); `check=True` (detail pages) also flags a translation written before
the reference's latest change. The text carries its own `lang` and `dir="auto"`, so an
Arabic title keeps its direction inside a French page and the reverse.
`{% two_languages record "text" %}` puts the reference and the reader's language side
by side (clauses).
"""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from entente.audit.selectors import stale_translations
from entente.core.enums import Language

register = template.Library()


def _language_name(code: str) -> str:
    return translation.get_language_info(code)["name_translated"]


def _shown(record, field: str, language: str) -> tuple[str, str]:
    """(language, text) to show: the reader's, else the reference, else any there is."""
    order = [language, record.reference_language, *Language.values]
    for code in order:
        value = getattr(record, f"{field}_{code}", "") or ""
        if value.strip():
            return code, value
    return language, ""


def _wrapped(code: str, value: str, block: bool) -> str:
    if block:
        return format_html('<div lang="{}" dir="auto">{}</div>', code, linebreaksbr(value))
    return format_html('<span lang="{}" dir="auto">{}</span>', code, value)


def _note(text: str, css: str = "") -> str:
    return format_html(' <span class="lang-note{}">({})</span>', css, text)


@register.simple_tag
def text(record, field: str, block: bool = False, check: bool = False, quiet: bool = False) -> str:
    language = translation.get_language() or Language.EN
    code, value = _shown(record, field, language)
    if not value:
        return ""
    shown = _wrapped(code, value, block)
    if quiet:  # lists: the language is marked up, the note is left to the record's page
        return shown
    if code != language:
        names = {"language": _language_name(code)}
        if code == record.reference_language:
            return shown + _note(_("shown in %(language)s, the reference") % names)
        return shown + _note(_("shown in %(language)s") % names)
    if check and code != record.reference_language and code in stale_translations(record, field):
        names = {"language": _language_name(record.reference_language)}
        return shown + _note(
            _("translation older than the latest change to the %(language)s reference") % names,
            " lang-note-stale",
        )
    return shown


@register.inclusion_tag("records/_two_languages.html")
def two_languages(record, field: str) -> dict:
    """The reference text and the reader's language's, side by side, when both exist
    and differ in language; the reader's alone otherwise."""
    language = translation.get_language() or Language.EN
    reference = record.reference_language
    columns = []
    for code in dict.fromkeys([reference, language]):
        value = getattr(record, f"{field}_{code}", "") or ""
        if value.strip():
            columns.append({"code": code, "name": _language_name(code), "text": value})
    stale = language in stale_translations(record, field) if len(columns) == 2 else False
    return {"columns": columns, "reference": reference, "stale": stale}
