"""The dashboard: each party sees its own work first, and never the other's internal items."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entente.agreements.models import Commitment
from entente.core.enums import Scope
from entente.liaison.services import request_send
from entente.reports.selectors import area_progress
from entente.reports.tests import world as W
from entente.reports.tests.pages import has_id, items, links, rows, text
from entente.testing import UserFactory
from entente.training.services import participation_set

AGREEMENT = "Letter of intent on police cooperation"


@pytest.fixture(autouse=True)
def _winter(time_machine):
    """A winter day, when both parties' clocks read alike (UTC+1): times show on the
    reader's clock alone (tests/test_clocks.py shows the other clock)."""
    time_machine.move_to(dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def w(cast):
    return W.build(cast)


def day(offset: int) -> str:
    d = W.today_in_casablanca() + dt.timedelta(days=offset)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def due_at(request, zone) -> str:
    request.refresh_from_db()
    local = timezone.localtime(request.due_at, zone)
    city = str(zone).rsplit("/", 1)[-1]
    return f"{local.day} {local.strftime('%b')} {local.year}, {local.strftime('%H:%M')} {city}"


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["reports/dashboard.html", "base.html"]
    return response.content.decode()


def test_dashboard_commitments_for_a_officer_own_side_first(client, cast, w):
    html = dashboard(client, cast.a_officer)

    assert rows(html, "overdue-commitments") == [
        [f"A shared overdue {AGREEMENT}", "MA-DGSN us", day(-5), "Overdue Planned", "0%"],
        [f"A internal overdue {AGREEMENT}", "MA-DGSN us", day(-2), "Overdue Planned", "0%"],
        [f"B shared overdue {AGREEMENT}", "NL-POL", day(-3), "Overdue Planned", "0%"],
    ]
    assert rows(html, "due-soon-commitments") == [
        [f"B asks A {AGREEMENT}", "MA-DGSN us", day(10), "Planned", "0%"],
        [f"A internal soon {AGREEMENT}", "MA-DGSN us", day(20), "Planned", "0%"],
        [f"A asks B {AGREEMENT}", "NL-POL", day(5), "Planned", "0%"],
    ]


def test_dashboard_commitments_for_b_officer_hide_a_internal(client, cast, w):
    html = dashboard(client, cast.b_officer)

    assert rows(html, "overdue-commitments") == [
        [f"B shared overdue {AGREEMENT}", "NL-POL us", day(-3), "Overdue Planned", "0%"],
        [f"A shared overdue {AGREEMENT}", "MA-DGSN", day(-5), "Overdue Planned", "0%"],
    ]
    assert rows(html, "due-soon-commitments") == [
        [f"A asks B {AGREEMENT}", "NL-POL us", day(5), "Planned", "0%"],
        [f"B asks A {AGREEMENT}", "MA-DGSN", day(10), "Planned", "0%"],
    ]
    assert "A internal" not in html
    assert "A preparation" not in html


def test_dashboard_requests_waiting_on_a_with_their_clock(client, cast, w):
    html = dashboard(client, cast.a_officer)

    assert rows(html, "waiting-requests") == [
        [
            "NL-2 Late urgent",
            "NL-POL",
            "Urgent",
            due_at(w.late, W.CASABLANCA),
            "Overdue Overdue by 1 day",
        ],
        [
            "NL-1 Waiting normal",
            "NL-POL",
            "Normal",
            due_at(w.waiting, W.CASABLANCA),
            "27 days 23 hours left",
        ],
        [
            "NL-3 Paused normal",
            "NL-POL",
            "Normal",
            due_at(w.paused, W.CASABLANCA),
            "Paused awaiting clarification · 29 days 23 hours left",
        ],
    ]


def test_dashboard_requests_waiting_on_b_are_only_those_sent_to_b(client, cast, w):
    html = dashboard(client, cast.b_officer)

    assert rows(html, "waiting-requests") == [
        [
            "MA-1 To B",
            "MA-DGSN",
            "Normal",
            due_at(w.to_b, W.AMSTERDAM),
            "29 days 22 hours left",
        ],
    ]


def test_dashboard_upcoming_meetings_in_both_time_zones(client, cast, w):
    a_html = dashboard(client, cast.a_officer)
    b_html = dashboard(client, cast.b_officer)

    place = f"Expert meeting · Rabat · {AGREEMENT}"
    assert items(a_html, "upcoming-meetings") == [
        f"A preparation Mon 14 Jul 2031, 09:00–11:00 Casablanca {place}",
        f"Joint committee Tue 15 Jul 2031, 10:00–12:00 Casablanca {place}",
        f"Expert call Thu 17 Jul 2031, 13:00–15:00 Casablanca / 14:00–16:00 Amsterdam {place}",
    ]
    assert items(b_html, "upcoming-meetings") == [
        f"Joint committee Tue 15 Jul 2031, 11:00–13:00 Amsterdam / 10:00–12:00 Casablanca {place}",
        f"Expert call Thu 17 Jul 2031, 14:00–16:00 Amsterdam {place}",
    ]


def test_dashboard_upcoming_trainings(client, cast, w):
    a_html = dashboard(client, cast.a_officer)
    b_html = dashboard(client, cast.b_officer)

    visit = (
        "Cyber study visit Planned 20 Jul 2031 – 24 Jul 2031 Course · hosted by NL-POL for MA-DGSN"
    )
    assert items(a_html, "upcoming-trainings") == [
        visit,
        "A internal workshop Planned 28 Jul 2031 – 3 Aug 2031 Course · hosted by MA-DGSN for NL-POL",
    ]
    assert items(b_html, "upcoming-trainings") == [visit]


def test_dashboard_progress_per_area_counts_only_visible_commitments(client, cast, w):
    a_html = dashboard(client, cast.a_officer)
    b_html = dashboard(client, cast.b_officer)

    assert rows(a_html, "area-progress") == [
        [AGREEMENT],
        ["Cybercrime", "4", "1", "38%"],
        ["Drug-related crime", "2", "0", "0%"],
        ["No area", "2", "0", "0%"],
    ]
    assert rows(b_html, "area-progress") == [
        [AGREEMENT],
        ["Cybercrime", "3", "1", "50%"],
        ["Drug-related crime", "2", "0", "0%"],
        ["No area", "1", "0", "0%"],
    ]


def test_dashboard_area_names_follow_the_language(client, cast, w):
    client.force_login(cast.a_officer)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    html = client.get(reverse("reports:dashboard")).content.decode()

    # French where the area has a French name, English otherwise.
    assert [r[0] for r in rows(html, "area-progress")][1:3] == [
        "Cybercriminalité",
        "Drug-related crime",
    ]


def test_dashboard_reciprocity_balance_per_side_and_year(client, cast, w):
    a_html = dashboard(client, cast.a_officer)
    b_html = dashboard(client, cast.b_officer)

    assert rows(a_html, "reciprocity-balance") == [
        ["2023", "MA-DGSN", "9", "0", "0", "0"],
        ["2023", "NL-POL", "0", "9", "0", "0"],
        ["2031", "MA-DGSN", "0", "0", "0", "4"],
        ["2031", "NL-POL", "0", "0", "4", "0"],
    ]
    # B does not see A's internal course, so its three officers are not in B's balance.
    assert rows(b_html, "reciprocity-balance") == [
        ["2023", "MA-DGSN", "6", "0", "0", "0"],
        ["2023", "NL-POL", "0", "6", "0", "0"],
        ["2031", "MA-DGSN", "0", "0", "0", "4"],
        ["2031", "NL-POL", "0", "0", "4", "0"],
    ]


def test_dashboard_for_the_outsider_is_empty(client, cast, w):
    html = dashboard(client, cast.c_officer)

    for element_id in [
        "overdue-commitments",
        "due-soon-commitments",
        "waiting-requests",
        "upcoming-meetings",
        "upcoming-trainings",
        "area-progress",
        "reciprocity-balance",
    ]:
        assert not has_id(html, element_id)
    assert "No overdue commitments." in html
    assert "No request is waiting on us." in html


def test_dashboard_for_the_reader_shows_the_same_rows(client, cast, w):
    officer = rows(dashboard(client, cast.a_officer), "overdue-commitments")

    assert rows(dashboard(client, cast.a_reader), "overdue-commitments") == officer


def test_dashboard_for_a_user_without_membership_explains(client, db):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)

    html = dashboard(client, operator)

    assert text(html, "no-party") == (
        "Your account does not belong to a party, so there is nothing to show here. "
        "Agreements, commitments, meetings, trainings and requests are seen through a party "
        "membership. As the technical operator you manage users and memberships in the "
        "administration site. Administration"
    )


def test_dashboard_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_dashboard_refuses_post(client, cast):
    client.force_login(cast.a_officer)

    assert client.post(reverse("reports:dashboard")).status_code == 405


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_rows(client, cast, w):
    client.force_login(cast.a_officer)
    before = _count_queries(client)

    ao, bo = cast.a_officer, cast.b_officer
    for n in range(8):
        W.commitment(cast, ao, f"More overdue {n}", cast.a, -1 - n, area=w.drugs)
        W.commitment(cast, bo, f"More soon {n}", cast.b, 1 + n, scope=Scope.SHARED)
        W.meeting(cast, ao, f"More meeting {n}", dt.date(2031, 8, 1 + n))
        extra = W.held(W.training(cast, ao, f"More held {n}", dt.date(2022, 1, 3 + n)), ao)
        participation_set(actor=ao, training=extra, party=cast.b, count=n + 1)
        W.training(
            cast, bo, f"More planned {n}", dt.date(2031, 9, 1 + n), host=cast.b, sender=cast.a
        )
        request_send(
            actor=bo, agreement=cast.agreement, from_unit=cast.b_cell, to_unit=cast.a_cell,
            subject=f"More {n}", body="?", priority="normal", reference=f"NL-X{n}",
        )  # fmt: skip

    assert _count_queries(client) == before


def test_dashboard_shows_the_top_of_each_list_and_links_to_the_rest(client, cast, w):
    for n in range(12):
        W.commitment(cast, cast.a_officer, f"Late {n:02d}", cast.a, -30 - n)
        W.commitment(cast, cast.a_officer, f"Soon {n:02d}", cast.a, 1)
    html = dashboard(client, cast.a_officer)

    assert len(rows(html, "overdue-commitments")) == 10
    assert len(rows(html, "due-soon-commitments")) == 10
    soon = W.today_in_casablanca()
    until = soon + dt.timedelta(days=30)
    assert links(html, "overdue-more") == [
        ("/commitments/?status=overdue", "See all 15 overdue commitments")
    ]
    assert links(html, "due-soon-more") == [
        (
            f"/commitments/?status=open&due_from={soon:%Y-%m-%d}&due_to={until:%Y-%m-%d}",
            "See all 15 commitments due",
        )
    ]
    assert not has_id(html, "waiting-more")


def test_the_commitment_list_behind_the_due_soon_link_shows_the_same_commitments(client, cast, w):
    client.force_login(cast.a_officer)
    soon = W.today_in_casablanca()
    until = soon + dt.timedelta(days=30)

    html = client.get(
        f"/commitments/?status=open&due_from={soon:%Y-%m-%d}&due_to={until:%Y-%m-%d}"
    ).content.decode()

    shown = {c.title for c in Commitment.objects.all() if f'id="commitment-{c.public_id}"' in html}
    assert shown == {"A asks B", "A internal soon", "B asks A"}


def test_dashboard_links_to_the_inbox_when_more_requests_wait(client, cast, w):
    for n in range(12):
        request_send(
            actor=cast.b_officer, agreement=cast.agreement, from_unit=cast.b_cell,
            to_unit=cast.a_cell, subject=f"Many {n}", body="?", priority="normal",
            reference=f"NL-M{n}",
        )  # fmt: skip
    html = dashboard(client, cast.a_officer)

    assert len(rows(html, "waiting-requests")) == 10
    [(href, label)] = links(html, "waiting-more")
    assert (label.startswith("See all "), label.endswith(" open requests in the inbox")) == (
        True,
        True,
    )
    assert href == "/requests/?tab=inbox"


def test_area_progress_keeps_the_areas_with_most_open_commitments(cast, w):
    top = area_progress(cast.a_officer, limit=1)

    assert (top.total, top.more) == (3, 2)
    assert [(r["area"], r["total"], r["done"]) for r in top] == [("Cybercrime", 4, 1)]
