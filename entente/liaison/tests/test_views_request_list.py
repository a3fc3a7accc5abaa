"""The request list: inbox, outbox and all, filters, sort, search, pages, clocks."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from entente.agreements.models import CooperationArea
from entente.core.enums import Marking
from entente.liaison import services
from entente.liaison.enums import Priority
from entente.liaison.views import clock_text, format_duration
from entente.reports.tests.pages import page_links
from entente.testing import agreement_between, with_handling

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
URL = reverse("liaison:request-list")


@pytest.fixture(autouse=True)
def _winter(time_machine):
    """A winter day, when both parties' clocks read alike (UTC+1): times show on the
    reader's clock alone (tests/test_clocks.py shows the other clock)."""
    time_machine.move_to(dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC))


def send(cast, sender="a", *, ago=DAY, **kwargs):
    """A request sent `ago` before now from party `sender`'s cell to the other's."""
    defaults = {
        "actor": cast.a_officer if sender == "a" else cast.b_officer,
        "agreement": cast.agreement,
        "from_unit": cast.a_cell if sender == "a" else cast.b_cell,
        "to_unit": cast.b_cell if sender == "a" else cast.a_cell,
        "subject": "Identity check",
        "body": "Please confirm the identity.",
        "priority": Priority.NORMAL,
        "now": timezone.now() - ago,
    }
    return services.request_send(**with_handling(defaults | kwargs))


def references(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<a class="mono" href="/requests/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode()
    )


def row(response, request) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="request-{request.public_id}"[^>]*>.*?</tr>', html, re.DOTALL)
    assert match, f"no row for {request.reference}"
    return match.group(0)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def boxes(cast):
    """Two requests from A to B and one from B to A, nearest deadline first per box."""
    a1 = send(cast, subject="Vehicle registration", ago=2 * DAY)
    a2 = send(cast, subject="Firearm trace", priority=Priority.URGENT, ago=HOUR)
    b1 = send(cast, "b", subject="Witness interview", ago=3 * DAY)
    return {"a1": a1, "a2": a2, "b1": b1}


def test_each_box_lists_exactly_the_users_requests(client, cast, boxes):
    a1, a2, b1 = boxes["a1"].reference, boxes["a2"].reference, boxes["b1"].reference
    expected = {
        cast.a_officer: {"inbox": [b1], "outbox": [a2, a1], "all": [a2, b1, a1]},
        cast.a_reader: {"inbox": [b1], "outbox": [a2, a1], "all": [a2, b1, a1]},
        cast.b_officer: {"inbox": [a2, a1], "outbox": [b1], "all": [a2, b1, a1]},
        cast.c_officer: {"inbox": [], "outbox": [], "all": []},
    }
    for user, tabs in expected.items():
        client.force_login(user)
        for tab, refs in tabs.items():
            assert references(client.get(URL, {"tab": tab})) == refs, (user.username, tab)


def test_inbox_is_the_default_tab_and_is_marked_current(client, cast, boxes):
    client.force_login(cast.b_officer)

    response = client.get(URL)

    assert references(response) == [boxes["a2"].reference, boxes["a1"].reference]
    html = response.content.decode()
    assert re.findall(r'<li><a href="\?tab=(\w+)"( aria-current="page")?>', html) == [
        ("inbox", ' aria-current="page"'),
        ("outbox", ""),
        ("all", ""),
    ]
    assert '<caption id="requests-caption">Requests to our contact cells</caption>' in html


def test_list_anonymous_is_redirected_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_list_shows_requests_between_other_parties_only_when_the_agreement_is_shared(client, cast):
    # Party C joins a second agreement with A: B sees nothing of it.
    other = agreement_between(cast.a, cast.c)
    ac = services.request_send(
        actor=cast.a_officer,
        agreement=other,
        from_unit=cast.a_cell,
        to_unit=cast.c_cell,
        subject="Outsider matter",
        body="…",
        priority=Priority.NORMAL,
    )

    client.force_login(cast.b_officer)
    assert references(client.get(URL, {"tab": "all"})) == []
    client.force_login(cast.c_officer)
    assert references(client.get(URL, {"tab": "inbox"})) == [ac.reference]


def test_overdue_row_is_highlighted_and_says_so(client, cast):
    late = send(cast, subject="Late", ago=40 * DAY)
    on_time = send(cast, subject="On time", ago=DAY)
    paused = send(cast, subject="Paused", ago=2 * DAY)
    services.clarification_ask(
        actor=cast.b_officer, request=paused, body="Which person?", expected_version=1
    )
    client.force_login(cast.b_officer)

    response = client.get(URL)

    assert references(response) == [late.reference, paused.reference, on_time.reference]
    late_row, paused_row, on_time_row = (row(response, r) for r in (late, paused, on_time))
    assert 'class="overdue"' in late_row
    assert '<span class="clock"><strong>10 days overdue</strong></span>' in late_row
    assert 'class="overdue"' not in paused_row
    assert '<span class="clock">paused – clarification pending</span>' in paused_row
    assert 'class="overdue"' not in on_time_row
    assert '<span class="clock">28 days 23 h left</span>' in on_time_row


def test_row_shows_parties_priority_status_due_time_left_and_marking(client, cast):
    request = send(
        cast, subject="Firearm trace", priority=Priority.URGENT, marking=Marking.GREEN, ago=HOUR
    )
    client.force_login(cast.a_officer)

    response = client.get(URL, {"tab": "outbox"})

    due = dateformat.format(request.due_at.astimezone(ZoneInfo("Africa/Casablanca")), "j M Y, H:i")
    assert text(row(response, request)) == (
        f"{request.reference} Marking: TLP:GREEN Firearm trace MA-DGSN NL-POL "
        f"Urgent Sent {due} Casablanca 1 day 22 h left"
    )
    assert "1 request · times in Africa/Casablanca" in text(response.content.decode())


def test_list_filters_by_status_priority_marking_and_area(client, cast):
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    plain = send(cast, subject="Plain")
    urgent = send(cast, subject="Urgent one", priority=Priority.URGENT)
    red = send(
        cast,
        subject="Red one",
        actor=cast.a_coordinator,
        marking=Marking.RED,
        red_recipients=[cast.a_officer, cast.b_officer],
    )
    in_area = send(cast, subject="Cyber one", area=area)
    services.request_acknowledge(actor=cast.b_officer, request=plain, expected_version=1)
    client.force_login(cast.a_officer)

    def refs(**params):
        return references(client.get(URL, {"tab": "outbox", **params}))

    assert refs(status="acknowledged") == [plain.reference]
    assert refs(priority="urgent") == [urgent.reference]
    assert refs(marking="TLP:RED") == [red.reference]
    assert refs(area=area.public_id) == [in_area.reference]
    assert refs(agreement=cast.agreement.public_id, status="sent", priority="normal") == [
        red.reference,
        in_area.reference,
    ]


def test_list_filters_by_due_range_and_overdue(client, cast):
    late = send(cast, subject="Late", ago=40 * DAY)
    soon = send(cast, subject="Soon", priority=Priority.URGENT, ago=HOUR)
    later = send(cast, subject="Later", ago=HOUR)
    client.force_login(cast.a_officer)

    def refs(**params):
        return references(client.get(URL, {"tab": "outbox", **params}))

    assert refs(overdue="on") == [late.reference]
    assert refs(due_from=soon.due_at.date().isoformat(), due_to=soon.due_at.date().isoformat()) == [
        soon.reference
    ]
    assert refs(due_from=(soon.due_at + DAY).date().isoformat()) == [later.reference]
    assert refs(due_to=late.due_at.date().isoformat()) == [late.reference]


def test_list_searches_reference_and_subject(client, cast, boxes):
    client.force_login(cast.a_officer)

    assert references(client.get(URL, {"tab": "all", "q": "firearm"})) == [boxes["a2"].reference]
    assert references(client.get(URL, {"tab": "all", "q": boxes["b1"].reference.lower()})) == [
        boxes["b1"].reference
    ]
    response = client.get(URL, {"tab": "all", "q": "nothing like it"})
    assert references(response) == []
    assert '<p class="empty">No requests match.</p>' in response.content.decode()


def test_list_sorts_by_whitelisted_keys(client, cast, boxes):
    a1, a2, b1 = boxes["a1"].reference, boxes["a2"].reference, boxes["b1"].reference
    client.force_login(cast.a_officer)

    def refs(sort):
        return references(client.get(URL, {"tab": "all", "sort": sort}))

    assert refs("due") == [a2, b1, a1]
    assert refs("-due") == [a1, b1, a2]
    assert refs("-sent") == [a2, a1, b1]
    assert refs("sent") == [b1, a1, a2]
    assert refs("reference") == sorted([a1, a2, b1])
    assert refs("-reference") == sorted([a1, a2, b1], reverse=True)
    assert refs("-priority") == [a2, b1, a1]


def test_list_closed_requests_come_after_open_ones(client, cast):
    done = send(cast, subject="Done", ago=3 * DAY)
    services.request_answer(actor=cast.b_officer, request=done, body="Here.", expected_version=1)
    services.request_close(actor=cast.a_officer, request=done, expected_version=2)
    open_ = send(cast, subject="Open", ago=DAY)
    client.force_login(cast.a_officer)

    response = client.get(URL, {"tab": "outbox"})

    assert references(response) == [open_.reference, done.reference]
    assert '<span class="clock">responded in time</span>' in row(response, done)


def test_list_survives_forged_query_strings(client, cast, boxes):
    client.force_login(cast.a_officer)

    for params in [
        {"tab": "evil"},
        {"status": "bogus", "priority": "x", "marking": "TLP:BLACK"},
        {"sort": "password"},
        {"agreement": "abc", "area": "999999"},
        {"due_from": "yesterday", "due_to": "2025-13-45"},
        {"page": "abc"},
        {"page": "9999"},
        {"q": "\x00%'"},
    ]:
        response = client.get(URL, params)
        assert response.status_code == 200, params


def test_list_paginates_by_25(client, cast):
    sent = [
        send(cast, subject=f"Request {n}", ago=DAY - n * dt.timedelta(minutes=1)) for n in range(26)
    ]
    client.force_login(cast.a_officer)

    first = client.get(URL, {"tab": "outbox"})
    second = client.get(URL + page_links(first.content.decode())["Next page"])
    back = page_links(second.content.decode())

    assert references(first) == [r.reference for r in sent[:25]]
    assert references(second) == [sent[25].reference]
    assert list(back) == ["First page", "Previous page"]
    assert back["Previous page"].startswith("?tab=outbox&page=")
    assert f'href="{back["Previous page"].replace("&", "&amp;")}" rel="prev"' in (
        second.content.decode()
    )
    assert references(client.get(URL + back["Previous page"])) == references(first)


def test_new_request_is_offered_to_writers_only(client, cast):
    create = reverse("liaison:request-create", args=[cast.agreement.public_id])

    client.force_login(cast.a_officer)
    assert f'<a class="button" href="{create}">New request</a>' in client.get(URL).content.decode()
    for user in (cast.a_reader, cast.c_officer):
        client.force_login(user)
        assert "New request" not in client.get(URL).content.decode()


def test_list_query_count_does_not_grow_with_rows(client, cast):
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    client.force_login(cast.a_officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"tab": "all"}).status_code == 200
        return len(queries)

    for n in range(2):
        send(cast, subject=f"Request {n}", area=area)
    two = count()
    for n in range(4):
        send(cast, subject=f"More {n}")
        send(cast, "b", subject=f"Back {n}", area=area)

    assert count() == two


# --- the clock in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (3 * DAY + 4 * HOUR + dt.timedelta(minutes=59), "3 days 4 h"),
        (DAY, "1 day"),
        (5 * HOUR + dt.timedelta(minutes=20), "5 h 20 min"),
        (2 * HOUR, "2 h"),
        (dt.timedelta(minutes=12, seconds=40), "12 min"),
        (dt.timedelta(seconds=20), "0 min"),
    ],
)
def test_format_duration_floors_to_what_matters(delta, words):
    assert format_duration(delta) == words


def test_clock_text_by_status(cast):
    t = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    request = send(cast, now=t)  # due 30 days later

    assert clock_text(request, t + 26 * DAY + 20 * HOUR) == "3 days 4 h left"
    assert clock_text(request, t + 32 * DAY) == "2 days overdue"
    services.clarification_ask(
        actor=cast.b_officer, request=request, body="?", expected_version=1, now=t + DAY
    )
    request.refresh_from_db()
    assert clock_text(request, t + 40 * DAY) == "paused – clarification pending"


def test_clock_text_after_the_response(cast):
    t = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    late, prompt = send(cast, now=t), send(cast, now=t)  # both due 30 days later
    services.request_answer(
        actor=cast.b_officer,
        request=late,
        body="Here.",
        delay_reason="Holidays.",
        expected_version=1,
        now=t + 32 * DAY + 5 * HOUR,
    )
    services.request_refuse(
        actor=cast.b_officer, request=prompt, refusal_reason="No.", expected_version=1, now=t
    )
    late.refresh_from_db()
    prompt.refresh_from_db()

    assert clock_text(late, t + 40 * DAY) == "responded 2 days 5 h late"
    assert clock_text(prompt, t + 40 * DAY) == "responded in time"
