"""The lists that can be exported, each with its columns.

A list is exported exactly as its page shows it: the same filter set over the same
visibility-filtered queryset (each app's `<entity>_filter(data, request)`), every page
of it. Every row ends with its record's owner, scope and marking.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_filters import FilterSet

from entente.agreements.filters import commitment_filter


@dataclass(frozen=True)
class Column:
    """A column: its header (translatable) and how a record gives its value."""

    header: str | Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ExportList:
    """A list page that can be exported: `filtered(data, request)` builds its filter set."""

    name: str
    title: str | Promise
    page: str  # the URL name of the list's page
    filtered: Callable[[Any, Any], FilterSet]
    columns: tuple[Column, ...]


def _yes(value: bool) -> str | Promise:
    return _("yes") if value else ""


def _name(record: Model | None, attribute: str = "name") -> str:
    return getattr(record, attribute) if record is not None else ""


# The columns every row ends with: whose record it is, and how it may be handled.
HANDLING = (
    Column(_("Owner"), lambda r: r.owning_party.code),
    Column(_("Scope"), lambda r: r.get_scope_display()),
    Column(_("Marking"), lambda r: r.marking),
)

COMMITMENTS = ExportList(
    name="commitments",
    title=_("Commitments"),
    page="agreements:commitment-list",
    filtered=commitment_filter,
    columns=(
        Column(_("Id"), lambda c: str(c.public_id)),
        Column(_("Commitment"), lambda c: c.title),
        Column(_("Agreement"), lambda c: c.agreement.title),
        Column(_("Area"), lambda c: _name(c.area)),
        Column(_("Responsible party"), lambda c: c.responsible_party.code),
        Column(_("Responsible unit"), lambda c: _name(c.responsible_unit)),
        Column(_("Due"), lambda c: c.due_date),
        Column(_("Status"), lambda c: c.get_status_display()),
        Column(_("Overdue"), lambda c: _yes(c.is_overdue)),
        Column(_("Progress (%)"), lambda c: c.progress),
        *HANDLING,
    ),
)

LISTS = {export.name: export for export in (COMMITMENTS,)}
