"""The dashboard and the calendar of the signed-in user's party."""

import calendar as pycalendar
import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.accounts.preferences import preferred_zone
from entente.core.access import membership_of
from entente.core.pages import signed_in
from entente.reports.selectors import calendar_entries, dashboard_for

MONTH_PARAM = re.compile(r"^(\d{4})-(\d{2})$")
# A day of the month grid or of the month's agenda shows this many entries, then a link to
# that day's own agenda, which shows them all: a busy portfolio has hundreds a month.
DAY_ENTRIES = 5


def zone_label(name: str) -> str:
    """'Africa/Casablanca' -> 'Casablanca': the city people say when they give a time."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def zoned_times(start: dt.datetime, end: dt.datetime | None, zones: list[str]) -> list[dict]:
    """The same moment (and its end, when on the same day) in each of `zones`, in order,
    without repeating a zone: [{"start": "10:00", "end": "12:00", "zone": "Casablanca"}]."""
    times = []
    for name in dict.fromkeys(zones):
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        local_start = timezone.localtime(start, zone)
        local_end = timezone.localtime(end, zone) if end else None
        shown_end = ""
        if local_end is not None and local_end.date() == local_start.date():
            shown_end = formats.time_format(local_end, "TIME_FORMAT")
        times.append(
            {
                "start": formats.time_format(local_start, "TIME_FORMAT"),
                "end": shown_end,
                "zone": zone_label(name),
            }
        )
    return times


def duration_text(delta: dt.timedelta) -> str:
    """A coarse, readable length of time: '2 days 3 hours', '5 hours 10 minutes'."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%d day", "%d days", days) % days)
    if hours:
        parts.append(ngettext("%d hour", "%d hours", hours) % hours)
    if minutes and not days:
        parts.append(ngettext("%d minute", "%d minutes", minutes) % minutes)
    return " ".join(parts) or _("less than a minute")


def remaining_text(remaining: dt.timedelta) -> str:
    if remaining < dt.timedelta(0):
        return _("Overdue by %s") % duration_text(remaining)
    return _("%s left") % duration_text(remaining)


@signed_in("GET", "HEAD")
def dashboard(request):
    membership = membership_of(request.user)
    if membership is None:
        return render(request, "reports/dashboard.html")
    zone = preferred_zone(request.user)
    data = dashboard_for(request.user)
    waiting = [
        {"item": w, "remaining": remaining_text(w.remaining), "request": w.request}
        for w in data.waiting
    ]
    meetings = [
        {"meeting": m, "times": zoned_times(m.starts_at, m.ends_at, [zone.key, m.time_zone])}
        for m in data.meetings
    ]
    context = {
        "data": data,
        "waiting": waiting,
        "meetings": meetings,
        "zone_name": zone_label(zone.key),
        "own_party_id": membership.party_id,
    }
    with timezone.override(zone):
        return render(request, "reports/dashboard.html", context)


# --- calendar -------------------------------------------------------------------------


def _month_from(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month named by ?month=YYYY-MM; this month when absent or wrong."""
    match = MONTH_PARAM.match(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return today.replace(day=1)


def _day_from(value: str | None) -> dt.date | None:
    """The day named by ?day=YYYY-MM-DD, for that day's whole agenda; None otherwise."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 and len(value or "") == 10 else None


def _bounded(entries: list[dict], *, whole: bool) -> dict:
    """A day's entries as shown: the first DAY_ENTRIES (all of them for a day's own
    agenda), and how many more the day's agenda shows."""
    shown = entries if whole else entries[:DAY_ENTRIES]
    return {"entries": shown, "more": len(entries) - len(shown)}


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _entry_view(entry, zone: ZoneInfo) -> dict:
    times = []
    if entry.kind == "meeting" and entry.part == "start":
        times = zoned_times(entry.at, entry.ends_at, [zone.key, entry.own_zone])
    elif entry.kind == "meeting" and entry.part == "end":
        times = [
            {**t, "start": "", "end": t["start"]}
            for t in zoned_times(entry.ends_at, None, [zone.key, entry.own_zone])
        ]
    elif entry.kind == "request":
        times = zoned_times(entry.at, None, [zone.key])
    return {"entry": entry, "record": entry.record, "kind": entry.kind, "times": times}


@signed_in("GET", "HEAD")
def calendar(request):
    zone = preferred_zone(request.user)
    today = timezone.localtime(timezone.now(), zone).date()
    one_day = _day_from(request.GET.get("day"))
    month = one_day.replace(day=1) if one_day else _month_from(request.GET.get("month"), today)
    view = "agenda" if one_day or request.GET.get("view") == "agenda" else "month"
    first, last = (one_day, one_day) if one_day else (month, _shift(month, 1) - dt.timedelta(1))
    by_day = {
        day: _bounded([_entry_view(e, zone) for e in entries], whole=bool(one_day))
        for day, entries in calendar_entries(
            request.user, first=first, last=last, zone=zone
        ).items()
    }
    weeks = [
        [
            {
                "date": day,
                "in_month": day.month == month.month,
                "today": day == today,
                **(by_day.get(day, {}) if day.month == month.month else {}),
            }
            for day in week
        ]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    context = {
        "view": view,
        "month": month,
        "month_param": month.strftime("%Y-%m"),
        "previous_month": _shift(month, -1).strftime("%Y-%m"),
        "next_month": _shift(month, 1).strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"),
        "weeks": weeks,
        "weekdays": [(WEEKDAYS[i], WEEKDAYS_ABBR[i]) for i in range(7)],
        "agenda": sorted(by_day.items()),
        "one_day": one_day,
        "today": today,
        "zone_name": zone_label(zone.key),
    }
    with timezone.override(zone):
        return render(request, "reports/calendar.html", context)
