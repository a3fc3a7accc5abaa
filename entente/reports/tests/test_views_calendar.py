"""The calendar: month grid and agenda of what each user may see, in their time zone."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entente.core.enums import Scope
from entente.liaison.services import request_send
from entente.reports.tests import world as W
from entente.reports.tests.pages import has_id, items, rows, text
from entente.reports.views import DAY_ENTRIES
from entente.testing import UserFactory

JULY = {"month": "2031-07"}


@pytest.fixture
def w(cast):
    w = W.build(cast)
    ao = cast.a_officer
    w.due_shared = W.commitment(cast, ao, "Report on July", cast.a, dt.date(2031, 7, 15))
    w.due_internal = W.commitment(
        cast, ao, "A internal July", cast.a, dt.date(2031, 7, 15), scope=Scope.INTERNAL
    )
    w.july_request = request_send(
        actor=cast.b_officer, agreement=cast.agreement, from_unit=cast.b_cell,
        to_unit=cast.a_cell, subject="Vehicle check", body="?", priority="normal",
        reference="NL-JULY", now=dt.datetime(2031, 7, 1, 8, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    return w


def calendar(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:calendar"), params)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["reports/calendar.html", "base.html"]
    return response.content.decode()


A_JULY_AGENDA = [
    "Monday 14 Jul 2031 Meeting 09:00–11:00 Casablanca A preparation Rabat",
    "Tuesday 15 Jul 2031 Meeting 10:00–12:00 Casablanca Joint committee Rabat "
    "Due Report on July Planned MA-DGSN Due A internal July Planned MA-DGSN",
    "Thursday 17 Jul 2031 Meeting 13:00–15:00 Casablanca / 14:00–16:00 Amsterdam Expert call Rabat",
    "Sunday 20 Jul 2031 Training Cyber study visit Planned NL-POL ← MA-DGSN",
    "Thursday 24 Jul 2031 Training · ends Cyber study visit Planned NL-POL ← MA-DGSN",
    "Monday 28 Jul 2031 Training A internal workshop Planned MA-DGSN ← NL-POL",
    "Thursday 31 Jul 2031 Reply due 09:00 Casablanca NL-JULY: Vehicle check NL-POL → MA-DGSN",
]

B_JULY_AGENDA = [
    "Tuesday 15 Jul 2031 Meeting 11:00–13:00 Amsterdam / 10:00–12:00 Casablanca "
    "Joint committee Rabat Due Report on July Planned MA-DGSN",
    "Thursday 17 Jul 2031 Meeting 14:00–16:00 Amsterdam Expert call Rabat",
    "Sunday 20 Jul 2031 Training Cyber study visit Planned NL-POL ← MA-DGSN",
    "Thursday 24 Jul 2031 Training · ends Cyber study visit Planned NL-POL ← MA-DGSN",
    "Thursday 31 Jul 2031 Reply due 10:00 Amsterdam NL-JULY: Vehicle check NL-POL → MA-DGSN",
]


def test_calendar_agenda_for_a_officer(client, cast, w):
    html = calendar(client, cast.a_officer, view="agenda", **JULY)

    assert items(html, "agenda") == A_JULY_AGENDA


def test_calendar_agenda_for_b_officer_hides_a_internal_items(client, cast, w):
    html = calendar(client, cast.b_officer, view="agenda", **JULY)

    assert items(html, "agenda") == B_JULY_AGENDA
    assert "A internal" not in html
    assert "A preparation" not in html


def test_calendar_month_grid_has_table_semantics(client, cast, w):
    html = calendar(client, cast.a_officer, **JULY)

    assert text(html, "calendar-grid").startswith("July 2031 Mon Tue Wed Thu Fri Sat Sun")
    assert "<caption>July 2031</caption>" in html
    assert html.count('<th scope="col"><abbr title="Monday">Mon</abbr></th>') == 1
    grid = rows(html, "calendar-grid")
    # Weeks from Monday 30 June to Sunday 3 August; days outside July show only a number.
    assert [row[0] for row in grid] == ["30", "Monday 7 July", "Monday 14 July Meeting "
                                        "09:00–11:00 Casablanca A preparation Rabat",
                                        "Monday 21 July", "Monday 28 July Training A internal "
                                        "workshop Planned MA-DGSN ← NL-POL"]  # fmt: skip
    assert [len(row) for row in grid] == [7, 7, 7, 7, 7]
    assert text(html, "day-2031-07-17") == (
        "Thursday 17 July Meeting 13:00–15:00 Casablanca / 14:00–16:00 Amsterdam Expert call Rabat"
    )
    assert text(html, "day-2031-07-16") == "Wednesday 16 July"  # the cancelled meeting
    assert not has_id(html, "day-2031-08-01")


def test_calendar_month_grid_days_match_the_agenda(client, cast, w):
    grid = calendar(client, cast.b_officer, **JULY)

    assert text(grid, "day-2031-07-15") == (
        "Tuesday 15 July Meeting 11:00–13:00 Amsterdam / 10:00–12:00 Casablanca "
        "Joint committee Rabat Due Report on July Planned MA-DGSN"
    )
    assert text(grid, "day-2031-07-14") == "Monday 14 July"
    assert text(grid, "day-2031-07-31") == (
        "Thursday 31 July Reply due 10:00 Amsterdam NL-JULY: Vehicle check NL-POL → MA-DGSN"
    )


def test_calendar_span_continues_into_the_next_month(client, cast, w):
    a_html = calendar(client, cast.a_officer, view="agenda", month="2031-08")
    b_html = calendar(client, cast.b_officer, view="agenda", month="2031-08")

    assert items(a_html, "agenda") == [
        "Friday 1 Aug 2031 Training · continues A internal workshop Planned MA-DGSN ← NL-POL",
        "Sunday 3 Aug 2031 Training · ends A internal workshop Planned MA-DGSN ← NL-POL",
    ]
    assert not has_id(b_html, "agenda")
    assert "Nothing this month." in b_html


def test_calendar_for_the_outsider_is_empty(client, cast, w):
    html = calendar(client, cast.c_officer, view="agenda", **JULY)

    assert not has_id(html, "agenda")


def test_calendar_for_a_user_without_membership_explains(client, db):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)

    html = calendar(client, operator)

    assert text(html, "no-party") == (
        "Your account does not belong to a party, so there is nothing to show in the calendar."
    )


def test_calendar_links_each_entry_to_its_page(client, cast, w):
    html = calendar(client, cast.a_officer, view="agenda", **JULY)

    assert f'href="/trainings/{w.planned.public_id}/"' in html
    assert f'href="/meetings/{w.meeting.public_id}/"' in html
    assert f'href="/commitments/{w.due_shared.public_id}/"' in html
    assert f'href="/requests/{w.july_request.public_id}/"' in html


@pytest.mark.parametrize("month", ["2031-13", "July", "0001-01", "2031-7", "2031-07-01"])
def test_calendar_bad_month_shows_this_month(client, cast, month):
    html = calendar(client, cast.a_officer, month=month)

    today = timezone.localtime(timezone.now(), W.CASABLANCA).date()
    assert f"<caption>{today.strftime('%B %Y')}</caption>" in html


def test_calendar_navigation_keeps_the_view(client, cast):
    html = calendar(client, cast.a_officer, view="agenda", month="2031-01")

    assert '<a href="?view=agenda&amp;month=2030-12" rel="prev">' in html
    assert '<a href="?view=agenda&amp;month=2031-02" rel="next">' in html


def test_calendar_refuses_post(client, cast):
    client.force_login(cast.a_officer)

    assert client.post(reverse("reports:calendar")).status_code == 405


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:calendar"), params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("view", ["month", "agenda"])
def test_calendar_query_count_does_not_grow_with_entries(client, cast, w, view):
    client.force_login(cast.a_officer)
    params = {"view": view, **JULY}
    before = _count(client, params)

    for n in range(8):
        W.meeting(cast, cast.a_officer, f"More {n}", dt.date(2031, 7, 1 + n))
        W.training(cast, cast.a_officer, f"More {n}", dt.date(2031, 7, 1 + n))
        W.commitment(cast, cast.b_officer, f"More {n}", cast.b, dt.date(2031, 7, 1 + n))

    assert _count(client, params) == before


def test_my_pages_have_no_inline_code(client, cast, w):
    """The strict CSP refuses inline scripts, styles and handlers on every page."""
    client.force_login(cast.a_officer)
    urls = [
        reverse("reports:dashboard"),
        reverse("reports:calendar") + "?month=2031-07",
        reverse("reports:calendar") + "?view=agenda&month=2031-07",
        reverse("training:training-list"),
        reverse("training:training-detail", args=[w.held.public_id]),
        reverse("training:training-edit", args=[w.held.public_id]),
        reverse("training:training-create", args=[cast.agreement.public_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert (
            re.findall(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", html)
            == []
        ), url


def test_a_busy_day_shows_its_first_entries_and_links_to_its_own_agenda(client, cast, w):
    titles = [f"Busy task {n}" for n in range(DAY_ENTRIES + 2)]
    for title in titles:
        W.commitment(cast, cast.a_officer, title, cast.a, dt.date(2031, 7, 3))

    for view in ({}, {"view": "agenda"}):
        html = calendar(client, cast.a_officer, **JULY, **view)
        assert sum(title in html for title in titles) == DAY_ENTRIES
        assert '<a href="?day=2031-07-03">2 more on this day</a>' in html

    day = calendar(client, cast.a_officer, day="2031-07-03")
    assert items(day, "agenda") == [
        "Thursday 3 Jul 2031 "
        + " ".join(f"Due {title} Planned MA-DGSN" for title in sorted(titles))
    ]
    assert "more on this day" not in day
    empty = calendar(client, cast.a_officer, day="2031-07-04")
    assert "Nothing on this day." in empty
