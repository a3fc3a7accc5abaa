"""The lists that can be exported, each with its columns.

A list is exported exactly as its page shows it: the same filter set over the same
visibility-filtered queryset (each app's `<entity>_filter(data, request)`), every page
of it. Every row ends with its record's owner, scope and marking.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_filters import FilterSet

from entente.accounts.filters import contact_filter
from entente.agreements.filters import commitment_filter, portfolio_filter
from entente.agreements.selectors import last_notice_day
from entente.liaison.filters import request_filter
from entente.liaison.selectors import open_request_count
from entente.meetings.filters import meeting_filter
from entente.training.filters import training_filter


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
    # Read with the rows (the columns show them), without changing which rows there are.
    related: tuple[str, ...] = ()
    # The same for rows of which a record has several (prefetch_related).
    prefetched: tuple[str, ...] = ()


def _yes(value: bool) -> str | Promise:
    return _("yes") if value else ""


def _name(record: Model | None, attribute: str = "name") -> str:
    return getattr(record, attribute) if record is not None else ""


# Columns several lists show alike.
ID = Column(_("Id"), lambda r: str(r.public_id))
STATUS = Column(_("Status"), lambda r: r.get_status_display())
KIND = Column(_("Kind"), lambda r: r.get_kind_display())
AREA = Column(_("Area"), lambda r: _name(r.area))
HOST = Column(_("Host"), lambda r: r.host_party.code)
PLACE = Column(_("Place"), lambda r: r.place)
TIME_ZONE = Column(_("Time zone"), lambda r: r.time_zone)


def _leading(*naming: Column) -> tuple[Column, ...]:
    """The columns every row begins with: the record's id, the columns that name it
    (`naming`), and its agreement."""
    return (
        ID,
        *naming,
        Column(_("Agreement"), lambda r: r.agreement.title),
    )


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
        *_leading(Column(_("Commitment"), lambda c: c.title)),
        AREA,
        Column(_("Responsible party"), lambda c: c.responsible_party.code),
        Column(_("Responsible unit"), lambda c: _name(c.responsible_unit)),
        Column(_("Due"), lambda c: c.due_date),
        STATUS,
        Column(_("Overdue"), lambda c: _yes(c.is_overdue)),
        Column(_("Progress (%)"), lambda c: c.progress),
        *HANDLING,
    ),
)


def _local(moment, zone: str) -> str:
    """A date and time where it happens, as its page shows it with the zone beside."""
    return timezone.localtime(moment, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _utc(moment) -> str:
    return "" if moment is None else timezone.localtime(moment, dt.UTC).strftime("%Y-%m-%d %H:%M")


MEETINGS = ExportList(
    name="meetings",
    title=_("Meetings"),
    page="meetings:meeting-list",
    filtered=meeting_filter,
    columns=(
        *_leading(Column(_("Meeting"), lambda m: m.title)),
        KIND,
        Column(_("Starts"), lambda m: _local(m.starts_at, m.time_zone)),
        Column(_("Ends"), lambda m: _local(m.ends_at, m.time_zone)),
        TIME_ZONE,
        PLACE,
        HOST,
        STATUS,
        *HANDLING,
    ),
)

REQUESTS = ExportList(
    name="requests",
    title=_("Liaison requests"),
    page="liaison:request-list",
    filtered=request_filter,
    related=("owning_party",),
    columns=(
        *_leading(
            Column(_("Reference"), lambda r: r.reference),
            Column(_("Subject"), lambda r: r.subject),
        ),
        AREA,
        Column(_("From"), lambda r: r.from_unit.party.code),
        Column(_("To"), lambda r: r.to_unit.party.code),
        Column(_("Priority"), lambda r: r.get_priority_display()),
        STATUS,
        Column(_("Sent (UTC)"), lambda r: _utc(r.sent_at)),
        Column(_("Deadline (UTC)"), lambda r: _utc(r.due_at)),
        Column(_("Answered (UTC)"), lambda r: _utc(r.answered_at)),
        *HANDLING,
    ),
)

TRAININGS = ExportList(
    name="trainings",
    title=_("Training activities"),
    page="training:training-list",
    filtered=training_filter,
    related=("agreement", "host_party", "sending_party", "owning_party"),
    columns=(
        *_leading(Column(_("Activity"), lambda t: t.title)),
        KIND,
        HOST,
        Column(_("Sending party"), lambda t: t.sending_party.code),
        Column(_("Starts"), lambda t: t.starts_on),
        Column(_("Ends"), lambda t: t.ends_on),
        PLACE,
        STATUS,
        *HANDLING,
    ),
)


def _portfolio(data, request) -> FilterSet:
    return portfolio_filter(data, request, open_requests=open_request_count(request.user))


PORTFOLIO = ExportList(
    name="portfolio",
    title=_("Portfolio"),
    page="reports:agreement-list",
    filtered=_portfolio,
    # agreement_portfolio() reads its owner and parties with it already
    columns=(
        ID,
        Column(_("Agreement"), lambda a: a.title),
        Column(_("Instrument type"), lambda a: a.get_instrument_type_display()),
        STATUS,
        Column(_("Parties"), lambda a: ", ".join(p.party.code for p in a.agreement_parties.all())),
        Column(_("Signed"), lambda a: a.signed_on),
        Column(_("Next deadline"), lambda a: a.next_deadline),
        Column(_("Expires"), lambda a: a.expires_on),
        Column(_("Notice by"), last_notice_day),
        Column(_("Open commitments"), lambda a: a.open_commitments),
        Column(_("Overdue commitments"), lambda a: a.overdue_commitments),
        Column(_("Open requests"), lambda a: a.open_requests),
        *HANDLING,
    ),
)

CONTACTS = ExportList(
    name="contacts",
    title=_("Directory"),
    page="directory:party-list",
    filtered=contact_filter,
    related=("owning_party", "unit"),
    columns=(
        ID,
        Column(_("Name"), lambda c: c.name),
        Column(_("Title"), lambda c: c.title),
        Column(_("Party"), lambda c: c.owning_party.code),
        Column(_("Unit"), lambda c: c.unit.name),
        Column(_("E-mail"), lambda c: c.email),
        Column(_("Phone"), lambda c: c.phone),
        Column(_("Languages"), lambda c: c.languages),
        TIME_ZONE,
        *HANDLING,
    ),
)

LISTS = {
    export.name: export
    for export in (COMMITMENTS, MEETINGS, TRAININGS, REQUESTS, PORTFOLIO, CONTACTS)
}
