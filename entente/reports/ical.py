"""iCalendar (RFC 5545) files of what one user may see: meetings, trainings, commitment
due dates, open requests' deadlines and agreements' notice and expiry dates.

Timed events carry the TZID of their own zone, with a VTIMEZONE for every zone used;
whole-day items are VALUE=DATE. A record marked TLP:AMBER or above shows only its kind
and a reference, with a link to its page, where the reader's rights decide the rest.
UIDs come from public ids, so a client that reads the file again updates its events
instead of adding them twice.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from entente.accounts.preferences import preferred_zone
from entente.agreements.selectors import last_notice_day
from entente.core.enums import Marking
from entente.reports.selectors import CalendarRecords, calendar_records

PRODID = "-//Entente//Calendar//EN"
UID_DOMAIN = "entente"
# Markings whose titles, places and texts stay out of calendar files: calendar clients
# sync to phones and third-party services that TLP:AMBER and above may not reach.
REDUCED = frozenset({Marking.AMBER, Marking.AMBER_STRICT, Marking.RED})
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "Zulu", "UCT"})
ONE_DAY = dt.timedelta(days=1)

When = dt.date | dt.datetime


@dataclass
class Item:
    """One VEVENT: `start` and `end` are dates (whole days, end exclusive) or aware
    datetimes in the zone they are to be written in."""

    uid: str
    summary: str
    start: When
    end: When
    url: str
    stamp: dt.datetime
    location: str = ""


def zone_named(name: str) -> dt.tzinfo:
    """The zone of an IANA name; UTC (written as such, with no VTIMEZONE) for UTC and
    for a name zoneinfo does not know."""
    if name in UTC_NAMES:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _reference(record) -> str:
    """A short reference that names the record without saying what it is about."""
    return str(record.public_id).split("-", 1)[0]


def _reduced(record) -> bool:
    return record.marking in REDUCED


def _title(record, kind: str, full: str, reference: str | None = None) -> str:
    if _reduced(record):
        return f"{kind} {reference or _reference(record)}"
    return full


def _place(record) -> str:
    return "" if _reduced(record) else record.place


def _item(kind: str, record, summary: str, start: When, end: When, base_url: str, **extra) -> Item:
    return Item(
        uid=f"{kind}-{record.public_id}@{UID_DOMAIN}",
        summary=summary,
        start=start,
        end=end,
        url=base_url + record.get_absolute_url(),
        stamp=record.updated_at,
        **extra,
    )


def _meeting_items(meetings, base_url: str) -> Iterable[Item]:
    for meeting in meetings:
        zone = zone_named(meeting.time_zone)
        yield _item(
            "meeting",
            meeting,
            _title(meeting, _("Meeting"), meeting.title),
            meeting.starts_at.astimezone(zone),
            meeting.ends_at.astimezone(zone),
            base_url,
            location=_place(meeting),
        )


def _training_items(trainings, base_url: str) -> Iterable[Item]:
    for training in trainings:
        yield _item(
            "training",
            training,
            _title(training, _("Training"), training.title),
            training.starts_on,
            training.ends_on + ONE_DAY,
            base_url,
            location=_place(training),
        )


def _commitment_items(commitments, base_url: str) -> Iterable[Item]:
    for commitment in commitments:
        title = _title(commitment, _("Commitment"), commitment.title)
        due = commitment.due_date
        yield _item(
            "commitment",
            commitment,
            _("Due: %(title)s") % {"title": title},
            due,
            due + ONE_DAY,
            base_url,
        )


def _request_items(requests, base_url: str, zone: dt.tzinfo) -> Iterable[Item]:
    for request in requests:
        full = f"{request.reference}: {request.subject}"
        title = _title(request, _("Request"), full, request.reference)
        due = request.due_at.astimezone(zone)
        yield _item(
            "request", request, _("Reply due: %(title)s") % {"title": title}, due, due, base_url
        )


def _agreement_items(agreements, base_url: str) -> Iterable[Item]:
    for agreement in agreements:
        title = _title(agreement, _("Agreement"), agreement.title)
        notice = last_notice_day(agreement)
        if notice is not None:
            summary = _("Notice due: %(title)s") % {"title": title}
            yield _item("notice", agreement, summary, notice, notice + ONE_DAY, base_url)
        expires = agreement.expires_on
        summary = _("Expires: %(title)s") % {"title": title}
        yield _item("expiry", agreement, summary, expires, expires + ONE_DAY, base_url)


def calendar_items(records: CalendarRecords, *, base_url: str, zone: dt.tzinfo) -> list[Item]:
    """The events of `records`; request deadlines in `zone` (the reader's)."""
    base_url = base_url.rstrip("/")
    return [
        *_meeting_items(records.meetings, base_url),
        *_training_items(records.trainings, base_url),
        *_commitment_items(records.commitments, base_url),
        *_request_items(records.requests, base_url, zone),
        *_agreement_items(records.agreements, base_url),
    ]


# --- time zones -------------------------------------------------------------------------


def _utcoffset(moment: dt.datetime) -> dt.timedelta:
    return moment.utcoffset() or dt.timedelta(0)


def _offset(zone: ZoneInfo, seconds: int) -> dt.timedelta:
    return _utcoffset(dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(zone))


def offset_changes(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The UTC instants in [start, end) at which `zone` changes its offset from UTC.

    zoneinfo keeps its transitions to itself: look day by day, then narrow each change
    down to the second (a zone changes at most once a day)."""
    changes = []
    day = int(ONE_DAY.total_seconds())
    low = int(start.timestamp())
    while low < end.timestamp():
        high = low + day
        if _offset(zone, low) != _offset(zone, high):
            before, after = low, high
            while after - before > 1:
                middle = (before + after) // 2
                if _offset(zone, middle) == _offset(zone, before):
                    before = middle
                else:
                    after = middle
            changes.append(dt.datetime.fromtimestamp(after, dt.UTC))
        low = high
    return changes


def vtimezone(zone: ZoneInfo, first: dt.date, last: dt.date) -> Timezone:
    """A VTIMEZONE for `zone` with every change of offset from the year before `first`
    to the year after `last`.

    Written here rather than by icalendar's Timezone.from_tzinfo, which (7.x) leaves out
    some of Africa/Casablanca's Ramadan changes (2024, 2027) and writes its RDATEs as
    comma lists, with which both ical.js and vobject read a July time in Casablanca an
    hour off: here each RDATE is its own line."""
    start = dt.datetime(first.year - 1, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(last.year + 2, 1, 1, tzinfo=dt.UTC)
    component = Timezone()
    component.add("tzid", zone.key)
    observances: dict[tuple, TimezoneStandard | TimezoneDaylight] = {}
    offset_before = _utcoffset(start.astimezone(zone))
    for instant in [start, *offset_changes(zone, start, end)]:
        local = instant.astimezone(zone)
        offset = _utcoffset(local)
        key = (bool(local.dst()), offset_before, offset, local.tzname())
        onset = (instant + offset_before).replace(tzinfo=None)  # in the time before
        if key in observances:
            observances[key].add("rdate", onset)
        else:
            observance = TimezoneDaylight() if local.dst() else TimezoneStandard()
            observance.add("dtstart", onset)
            observance.add("tzoffsetfrom", offset_before)
            observance.add("tzoffsetto", offset)
            observance.add("tzname", local.tzname())
            observances[key] = observance
            component.add_component(observance)
        offset_before = offset
    return component


def _zones_used(items: list[Item]) -> dict[ZoneInfo, list[dt.date]]:
    dates: dict[ZoneInfo, list[dt.date]] = {}
    for item in items:
        for when in (item.start, item.end):
            if isinstance(when, dt.datetime) and isinstance(when.tzinfo, ZoneInfo):
                dates.setdefault(when.tzinfo, []).append(when.date())
    return dates


# --- the file ---------------------------------------------------------------------------


def _event(item: Item) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.stamp.astimezone(dt.UTC))
    event.add("last-modified", item.stamp.astimezone(dt.UTC))
    event.add("dtstart", item.start)
    event.add("dtend", item.end)
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    event.add("url", item.url)
    if not isinstance(item.start, dt.datetime):
        event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
    return event


def calendar_ics(items: list[Item], *, name: str) -> bytes:
    """The iCalendar file of `items`, named `name` in clients that show a name."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    for zone, dates in sorted(_zones_used(items).items(), key=lambda pair: pair[0].key):
        calendar.add_component(vtimezone(zone, min(dates), max(dates)))
    for item in items:
        calendar.add_component(_event(item))
    return calendar.to_ical()


def calendar_file_for(user, *, base_url: str, agreement=None) -> bytes:
    """The iCalendar file of everything dated `user` may see now (under `agreement`,
    loaded through its door, when given); links start with `base_url`."""
    records = calendar_records(user, agreement=agreement)
    zone = zone_named(preferred_zone(user).key)
    items = calendar_items(records, base_url=base_url, zone=zone)
    if agreement is None:
        return calendar_ics(items, name=_("Entente"))
    title = _title(agreement, _("Agreement"), agreement.title)
    return calendar_ics(items, name=_("Entente: %(title)s") % {"title": title})
