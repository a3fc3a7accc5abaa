"""Calendar files: the personal feed by secret URL, the per-agreement download and the
`entente calendar` command; each holds exactly what its reader may see, and reads the
same in two independent parsers (vobject, ical.js)."""

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import vobject
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from entente import cli
from entente.agreements.services.agreements import agreement_update
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.liaison.services import request_send
from entente.meetings.services.meetings import meeting_change_status, meeting_create
from entente.reports.ical import Item, calendar_ics, offset_changes
from entente.reports.models import CalendarFeed
from entente.reports.selectors import FEED_PAST, calendar_records
from entente.reports.services import calendar_feed_create, calendar_feed_revoke
from entente.reports.tests import world as W
from entente.testing import agreement_between

HERE = Path(__file__).parent
ICAL_JS = Path(settings.BASE_DIR).parent / "node_modules" / "ical.js" / "dist" / "ical.js"


def _meeting(cast, actor, agreement, title, start, hours=2, **fields):
    return meeting_create(
        actor=actor,
        agreement=agreement,
        kind="expert_meeting",
        title={"en": title},
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        handling=Handling.pop_from(fields, scope=Scope.SHARED),
        **fields,
    )


@pytest.fixture
def w(cast):
    ao, bo = cast.a_officer, cast.b_officer
    w = SimpleNamespace()
    w.agreement = agreement_update(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        expected_version=cast.agreement.version,
        expires_on=dt.date(2032, 5, 10),
        notice_period_days=90,
    )  # TLP:AMBER, as every record is unless marked otherwise
    # 14:00 in Amsterdam in summer (CEST, UTC+2); 10:00 in Casablanca during Ramadan (UTC+0).
    w.amsterdam = W.meeting(
        cast, bo, "Expert call", dt.date(2031, 7, 17), hour=14, zone="Europe/Amsterdam"
    )
    w.ramadan = W.meeting(cast, ao, "Ramadan review", dt.date(2026, 3, 1), hour=10)
    w.internal = W.meeting(cast, ao, "A preparation", dt.date(2031, 7, 14), scope=Scope.INTERNAL)
    w.amber = _meeting(
        cast, ao, w.agreement, "Sensitive talks", dt.datetime(2031, 7, 21, 9), place="Salé",
        marking=Marking.AMBER,
    )  # fmt: skip
    cancelled = W.meeting(cast, ao, "Cancelled", dt.date(2031, 7, 16))
    meeting_change_status(actor=ao, meeting=cancelled, status="cancelled", expected_version=1)
    w.training = W.training(
        cast, bo, "Cyber study visit", dt.date(2031, 7, 20), host=cast.b, sender=cast.a
    )
    w.due = W.commitment(cast, ao, "Report on July", cast.a, dt.date(2031, 7, 15))
    w.b_internal = W.commitment(
        cast, bo, "B internal", cast.b, dt.date(2031, 7, 16), scope=Scope.INTERNAL
    )
    w.request = request_send(
        actor=bo, agreement=w.agreement, from_unit=cast.b_cell, to_unit=cast.a_cell,
        subject="Vehicle check", body="?", priority="normal", reference="NL-JULY",
        now=dt.datetime(2031, 7, 1, 8, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    w.other = agreement_between(
        cast.a, cast.b, title_en="Second letter", marking=Marking.GREEN,
        expires_on=dt.date(2033, 1, 31),
    )  # fmt: skip
    w.other_meeting = _meeting(
        cast, ao, w.other, "Second kick-off", dt.datetime(2031, 9, 1, 10), marking=Marking.GREEN
    )
    return w


def uid(kind: str, record) -> str:
    return f"{kind}-{record.public_id}@entente"


def a_sees(w) -> list[str]:
    return sorted(
        [
            uid("meeting", w.ramadan),
            uid("meeting", w.internal),
            uid("meeting", w.amsterdam),
            uid("meeting", w.amber),
            uid("meeting", w.other_meeting),
            uid("training", w.training),
            uid("commitment", w.due),
            uid("request", w.request),
            uid("notice", w.agreement),
            uid("expiry", w.agreement),
            uid("expiry", w.other),
        ]
    )


def b_sees(w) -> list[str]:
    mine = {uid("commitment", w.b_internal)}
    not_mine = {uid("meeting", w.internal)}
    return sorted((set(a_sees(w)) - not_mine) | mine)


def events(body: bytes) -> dict[str, dict]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def feed_url(user) -> str:
    _feed, secret = calendar_feed_create(actor=user)
    return reverse("reports:feed-read", args=[secret])


def read_feed(url: str):
    """The feed as a calendar client reads it: no session, no cookie."""
    return Client().get(url)


def download(client, user, agreement):
    client.force_login(user)
    return client.get(reverse("reports:agreement-calendar", args=[agreement.public_id]))


# --- the personal feed -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [("a_officer", a_sees), ("a_reader", a_sees), ("b_officer", b_sees), ("c_officer", None)],
)
def test_feed_holds_exactly_what_its_owner_sees(cast, w, username, expected):
    response = read_feed(feed_url(getattr(cast, username)))

    assert response.status_code == 200
    assert sorted(events(response.content)) == (expected(w) if expected else [])


def test_feed_answers_as_a_private_calendar(cast, w):
    response = read_feed(feed_url(cast.a_officer))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response


def test_feed_reduces_amber_titles_to_a_reference(cast, w):
    feed = events(read_feed(feed_url(cast.b_officer)).content)

    amber = feed[uid("meeting", w.amber)]
    assert str(amber["SUMMARY"]) == f"Meeting {str(w.amber.public_id)[:8]}"
    assert str(amber["URL"]) == f"http://testserver/meetings/{w.amber.public_id}/"
    assert {"LOCATION", "DESCRIPTION"} & set(amber) == set()
    request = feed[uid("request", w.request)]
    assert str(request["SUMMARY"]) == "Reply due: Request NL-JULY"
    ref = str(w.agreement.public_id)[:8]
    assert str(feed[uid("notice", w.agreement)]["SUMMARY"]) == f"Notice due: Agreement {ref}"
    assert str(feed[uid("expiry", w.agreement)]["SUMMARY"]) == f"Expires: Agreement {ref}"
    assert "Letter of intent" not in read_feed(feed_url(cast.b_officer)).content.decode()


def test_feed_shows_green_titles_with_their_zone_and_days(cast, w):
    feed = events(read_feed(feed_url(cast.b_officer)).content)

    green = feed[uid("meeting", w.amsterdam)]
    assert str(green["SUMMARY"]) == "Expert call"
    assert str(green["LOCATION"]) == "Rabat"
    assert green["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert green["DTSTART"].dt == dt.datetime(2031, 7, 17, 14, tzinfo=W.AMSTERDAM)
    training = feed[uid("training", w.training)]
    assert str(training["SUMMARY"]) == "Cyber study visit"
    assert (training["DTSTART"].dt, training["DTEND"].dt) == (
        dt.date(2031, 7, 20),
        dt.date(2031, 7, 25),  # the day after the last, as RFC 5545 counts
    )
    assert training["DTSTART"].params["VALUE"] == "DATE"
    due = feed[uid("commitment", w.due)]
    assert (str(due["SUMMARY"]), due["DTSTART"].dt) == ("Due: Report on July", dt.date(2031, 7, 15))
    # The deadline on the reader's clock: B reads Amsterdam time.
    deadline = feed[uid("request", w.request)]["DTSTART"]
    assert (deadline.params["TZID"], deadline.dt.hour) == ("Europe/Amsterdam", 10)
    assert str(feed[uid("expiry", w.other)]["SUMMARY"]) == "Expires: Second letter"


def test_feed_revoked_or_replaced_or_unknown_answers_404(cast, w):
    old = feed_url(cast.a_officer)
    new = feed_url(cast.a_officer)  # a new address replaces the old one

    assert read_feed(old).status_code == 404
    assert read_feed(new).status_code == 200
    calendar_feed_revoke(actor=cast.a_officer)
    assert read_feed(new).status_code == 404
    assert read_feed(reverse("reports:feed-read", args=["not-a-feed"])).status_code == 404


def test_feed_of_a_deactivated_user_answers_404(cast, w):
    url = feed_url(cast.a_officer)
    cast.a_officer.is_active = False
    cast.a_officer.save(update_fields=["is_active"])

    assert read_feed(url).status_code == 404


def test_feed_is_made_and_revoked_with_audit_events_without_the_secret(cast):
    feed, secret = calendar_feed_create(actor=cast.a_officer)
    calendar_feed_revoke(actor=cast.a_officer)

    trail = AuditEvent.objects.filter(target_type="reports.calendarfeed").order_by("seq")
    assert [(e.action, e.actor_id) for e in trail] == [
        ("create", cast.a_officer.pk),
        ("revoke", cast.a_officer.pk),
    ]
    text = json.dumps([[e.before, e.after] for e in trail], default=str)
    assert secret not in text
    assert feed.key_hash not in text
    assert CalendarFeed.objects.get().revoked_at is not None


def test_revoking_without_a_feed_changes_nothing(cast):
    assert calendar_feed_revoke(actor=cast.a_officer) is None
    assert AuditEvent.objects.filter(target_type="reports.calendarfeed").count() == 0


# --- the feed's page --------------------------------------------------------------------


def test_feed_page_makes_shows_once_and_revokes(client, cast, w):
    client.force_login(cast.a_officer)
    page = reverse("reports:feed-detail")
    assert "You have no calendar feed." in client.get(page).content.decode()

    made = client.post(reverse("reports:feed-create")).content.decode()
    url = re.search(r'id="new-feed-value">([^<]+)</code>', made)[1]
    assert url.startswith("http://testserver/calendar/feed/")
    assert read_feed(url).status_code == 200
    again = client.get(page).content.decode()
    assert url not in again
    assert "You have a calendar feed" in again

    revoked = client.post(reverse("reports:feed-revoke"), follow=True)
    assert "Calendar feed revoked: its address no longer works." in revoked.content.decode()
    assert read_feed(url).status_code == 404


def test_feed_page_refuses_get_on_its_forms(client, cast):
    client.force_login(cast.a_officer)

    assert client.get(reverse("reports:feed-create")).status_code == 405
    assert client.get(reverse("reports:feed-revoke")).status_code == 405
    assert CalendarFeed.objects.count() == 0


# --- the per-agreement download --------------------------------------------------------


def test_agreement_download_holds_only_that_agreement(client, cast, w):
    a = download(client, cast.a_officer, w.agreement)
    b = download(client, cast.b_officer, w.agreement)

    under_other = {uid("meeting", w.other_meeting), uid("expiry", w.other)}
    assert sorted(events(a.content)) == sorted(set(a_sees(w)) - under_other)
    assert sorted(events(b.content)) == sorted(set(b_sees(w)) - under_other)
    assert a["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        a["Content-Disposition"] == f'attachment; filename="agreement-{w.agreement.public_id}.ics"'
    )


def test_agreement_download_of_a_hidden_agreement_answers_404(client, cast, w):
    assert download(client, cast.c_officer, w.agreement).status_code == 404


def test_agreement_page_links_its_calendar(client, cast, w):
    client.force_login(cast.b_officer)
    html = client.get(w.agreement.get_absolute_url()).content.decode()

    assert f'href="/agreements/{w.agreement.public_id}/calendar.ics"' in html


# --- two independent parsers -----------------------------------------------------------


def _instant(value) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value.isoformat()


def read_with_vobject(path: Path) -> dict[str, list[str]]:
    # vobject keeps every VTIMEZONE it has read in one table for the process, by TZID: a
    # client reads each file afresh, so the table is emptied before each file.
    getattr(vobject.icalendar, "__tzidMap").clear()
    calendar = vobject.readOne(path.read_text())
    return {
        e.uid.value: [_instant(e.dtstart.value), _instant(e.dtend.value)]
        for e in calendar.vevent_list
    }


def read_with_ical_js(path: Path) -> dict[str, list[str]]:
    script = HERE / "ical_read.mjs"
    done = subprocess.run(
        ["node", str(script), str(ICAL_JS), str(path)], capture_output=True, check=True, text=True
    )
    return json.loads(done.stdout)


def test_two_parsers_read_the_same_instants_as_zoneinfo(cast, w, tmp_path):
    body = read_feed(feed_url(cast.a_officer)).content
    path = tmp_path / "feed.ics"
    path.write_bytes(body)

    by_vobject, by_ical_js = read_with_vobject(path), read_with_ical_js(path)

    assert by_vobject == by_ical_js
    meetings = [w.ramadan, w.internal, w.amsterdam, w.amber, w.other_meeting]
    for meeting in meetings:  # the instants stored, as zoneinfo made them
        assert by_vobject[uid("meeting", meeting)] == [
            _instant(meeting.starts_at),
            _instant(meeting.ends_at),
        ]
    assert by_vobject[uid("meeting", w.amsterdam)] == [
        "2031-07-17T12:00:00.000Z",
        "2031-07-17T14:00:00.000Z",
    ]
    assert by_vobject[uid("meeting", w.ramadan)] == [
        "2026-03-01T10:00:00.000Z",
        "2026-03-01T12:00:00.000Z",
    ]
    assert by_vobject[uid("request", w.request)] == [_instant(w.request.due_at)] * 2
    assert by_vobject[uid("training", w.training)] == ["2031-07-20", "2031-07-25"]
    assert by_vobject[uid("notice", w.agreement)] == ["2032-02-10", "2032-02-11"]
    # One RDATE a line, and a VTIMEZONE for each zone used.
    text = body.decode()
    assert re.findall(r"^RDATE:.*,", text, re.MULTILINE) == []
    assert re.findall(r"^TZID:(.*)\r$", text, re.MULTILINE) == [
        "Africa/Casablanca",
        "Europe/Amsterdam",
    ]


# --- the command ------------------------------------------------------------------------


def test_calendar_command_writes_what_the_user_sees(cast, w, tmp_path, settings):
    settings.SITE_URL = "https://entente.example"
    by_id, by_title = tmp_path / "by-id.ics", tmp_path / "by-title.ics"

    call_command("calendar", str(w.other.public_id), user="b_officer", output=str(by_id))
    call_command("calendar", "second LETTER", user="a_officer", output=str(by_title))

    expected = [uid("expiry", w.other), uid("meeting", w.other_meeting)]
    assert sorted(events(by_id.read_bytes())) == expected
    assert sorted(events(by_title.read_bytes())) == expected
    meeting = events(by_id.read_bytes())[uid("meeting", w.other_meeting)]
    assert str(meeting["URL"]) == f"https://entente.example/meetings/{w.other_meeting.public_id}/"


@pytest.mark.parametrize(
    ("agreement", "username", "message"),
    [
        ("Nothing like it", "a_officer", "no agreement 'Nothing like it' that a_officer may see"),
        ("Second letter", "c_officer", "no agreement 'Second letter' that c_officer may see"),
        ("Second letter", "nobody", "--user: no active user 'nobody'"),
    ],
)
def test_calendar_command_refuses_in_one_line(cast, w, tmp_path, agreement, username, message):
    output = tmp_path / "out.ics"
    with pytest.raises(CommandError) as refused:
        call_command("calendar", agreement, user=username, output=str(output))

    assert str(refused.value) == message
    assert not output.exists()


def test_entente_calendar_error_is_one_line(cast, w, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["calendar", "Nothing like it", "--user", "a_officer", "-o", "x.ics"])

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.endswith(": no agreement 'Nothing like it' that a_officer may see\n")


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert read_feed(url).status_code == 200
    return len(queries)


def test_feed_query_count_does_not_grow_with_records(cast, w):
    url = feed_url(cast.a_officer)
    before = _queries(url)

    for n in range(5):
        W.meeting(cast, cast.a_officer, f"More {n}", dt.date(2031, 8, 1 + n))
        W.training(cast, cast.a_officer, f"More {n}", dt.date(2031, 8, 1 + n))
        W.commitment(cast, cast.b_officer, f"More {n}", cast.b, dt.date(2031, 8, 1 + n))

    assert _queries(url) == before


def test_feed_page_has_no_inline_code(client, cast):
    """The strict CSP refuses inline scripts, styles and handlers."""
    client.force_login(cast.a_officer)
    html = client.post(reverse("reports:feed-create")).content.decode()

    assert (
        re.findall(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", html)
        == []
    )


def test_casablanca_changes_in_every_ramadan_are_written():
    """icalendar's own VTIMEZONE (7.x) leaves out the 2024 and 2027 changes; ours has
    every one that zoneinfo knows."""
    changes = offset_changes(
        W.CASABLANCA,
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2028, 1, 1, tzinfo=dt.UTC),
    )

    assert [c.strftime("%Y-%m-%d %H:%M") for c in changes] == [
        "2024-03-10 02:00", "2024-04-14 02:00", "2025-02-23 02:00", "2025-04-06 02:00",
        "2026-02-15 02:00", "2026-03-22 02:00", "2027-02-07 02:00", "2027-03-14 02:00",
    ]  # fmt: skip


def test_two_parsers_read_casablanca_in_and_out_of_ramadan_as_zoneinfo(tmp_path):
    """With icalendar's own VTIMEZONE both parsers read July 2026 in Casablanca an hour
    off; with ours they agree with zoneinfo, in Ramadan (UTC+0) and out of it (UTC+1)."""
    starts = {
        "ramadan@entente": dt.datetime(2024, 3, 15, 10, tzinfo=W.CASABLANCA),
        "summer@entente": dt.datetime(2026, 7, 15, 10, tzinfo=W.CASABLANCA),
    }
    items = [
        Item(
            uid=name,
            summary=name,
            start=start,
            end=start + dt.timedelta(hours=2),
            url="http://testserver/",
            stamp=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        for name, start in starts.items()
    ]
    path = tmp_path / "casablanca.ics"
    path.write_bytes(calendar_ics(items, name="Test"))

    expected = {
        "ramadan@entente": ["2024-03-15T10:00:00.000Z", "2024-03-15T12:00:00.000Z"],
        "summer@entente": ["2026-07-15T09:00:00.000Z", "2026-07-15T11:00:00.000Z"],
    }
    assert read_with_vobject(path) == expected
    assert read_with_ical_js(path) == expected


def test_a_calendar_holds_what_ends_from_a_year_ago_on(cast):
    W.commitment(cast, cast.a_officer, "Due long ago", cast.a, -(FEED_PAST.days + 2))
    W.commitment(cast, cast.a_officer, "Due last month", cast.a, -30)
    W.commitment(cast, cast.a_officer, "Due in ten years", cast.a, 3650)

    records = calendar_records(cast.a_officer)

    titles = [c.title for c in records.commitments]
    assert titles == ["Due last month", "Due in ten years"]
