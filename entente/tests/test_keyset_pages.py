"""Keyset pages (core.pagination.page_of): every list order walked page by page to the end and
back, on whichever database the run uses (run it on SQLite and on PostgreSQL), over rows
with equal keys and NULLs; and a cursor that is not one shows the first page, never an
error.

The expected order is computed here in Python from each row's values, not read back
from the database, so that a page that repeats, skips or misplaces a row shows.
"""

import datetime as dt
import json
from base64 import urlsafe_b64encode

import pytest
from django.db.models import Case, F, IntegerField, Value, When
from django.template.loader import render_to_string
from django.urls import reverse

from entente.accounts.models import Unit
from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create
from entente.core.http import decode_cursor
from entente.core.models import Handling
from entente.core.pagination import page_of
from entente.reports.tests.pages import page_links
from entente.testing import UnitFactory, agreement_between

SIZE = 4
DAY = dt.date(2030, 1, 1)
# (title, days after DAY or None, responsible unit or None, agreement): equal titles,
# equal due dates and missing ones, under two agreements, so that every key ties.
ROWS = [
    ("delta", 3, "cell", "one"),
    ("alpha", None, None, "one"),
    ("delta", 1, "office", "two"),
    ("bravo", 3, None, "one"),
    ("alpha", 3, "cell", "two"),
    ("echo", None, "office", "one"),
    ("bravo", 0, "cell", "one"),
    ("charlie", 1, None, "two"),
    ("alpha", 1, "office", "one"),
    ("delta", None, "cell", "two"),
    ("charlie", 3, "office", "one"),
    ("echo", 0, None, "two"),
    ("bravo", None, "office", "two"),
    ("alpha", 0, None, "one"),
    ("charlie", None, "cell", "one"),
    ("delta", 3, None, "two"),
    ("echo", 1, "cell", "one"),
    ("bravo", 1, "office", "two"),
    ("alpha", 3, None, "two"),
    ("echo", 3, "office", "one"),
    ("charlie", 0, "cell", "two"),
    ("delta", 0, "office", "one"),
    ("bravo", 3, "cell", "one"),
]


@pytest.fixture
def commitments(cast):
    office = UnitFactory(party=cast.a, name="Training office")
    units = {"cell": cast.a_cell, "office": office, None: None}
    agreements = {"one": cast.agreement, "two": agreement_between(cast.a, cast.b, title_en="Zeta")}
    for title, days, unit, agreement in ROWS:
        commitment_create(
            actor=cast.a_officer,
            agreement=agreements[agreement],
            title={"en": title},
            responsible_party=cast.a,
            responsible_unit=units[unit],
            due_date=None if days is None else DAY + dt.timedelta(days=days),
            handling=Handling(),
        )
    return Commitment.objects.select_related("agreement", "responsible_unit")


def _none_last(value):
    return (value is None, value)


class Desc:
    """A value that sorts the other way, for Python's sort keys."""

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


def _due(c):
    return c.due_date


# label -> (the list's order, the same order as a Python sort key)
ORDERS = {
    # The commitment list's orders (agreements.filters), default first.
    "due": (
        [F("due_date").asc(nulls_last=True), "pk"],
        lambda c: (_none_last(_due(c)), c.pk),
    ),
    "-due": (
        [F("due_date").desc(nulls_last=True), "-pk"],
        lambda c: (_due(c) is None, Desc(_due(c) or DAY), Desc(c.pk)),
    ),
    "title": (["title", "pk"], lambda c: (c.title, c.pk)),
    "agreement": (
        ["agreement__title", F("due_date").asc(nulls_last=True), "pk"],
        lambda c: (c.agreement.title, _none_last(_due(c)), c.pk),
    ),
    "-updated": (["-updated_at", "-pk"], lambda c: (Desc(c.updated_at), Desc(c.pk))),
    # NULLs first, asked for.
    "due, missing first": (
        [F("due_date").asc(nulls_first=True), "-pk"],
        lambda c: (_due(c) is not None, _due(c) or DAY, Desc(c.pk)),
    ),
    # Through an outer join, with no NULL placement asked (NULLs go last) and no unique
    # key: the primary key is added, descending like the key before it.
    "unit, title descending": (
        ["responsible_unit__name", "-title"],
        lambda c: (
            _none_last(c.responsible_unit and c.responsible_unit.name),
            Desc(c.title),
            Desc(c.pk),
        ),
    ),
    # An expression, like the request list's open-first order, then a nullable key
    # descending with its NULLs placed by default (last).
    "dated first, latest first, title": (
        [
            Case(
                When(due_date__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            "-due_date",
            "title",
        ],
        lambda c: (_due(c) is None, Desc(_due(c) or DAY), c.title, c.pk),
    ),
    # No order at all: the primary key.
    "none": ([], lambda c: c.pk),
}


def _page(rf, queryset, cursor=None):
    request = rf.get("/", {"page": cursor} if cursor else {})
    return page_of(request, queryset, size=SIZE)


def _ids(page) -> list[int]:
    return [row.pk for row in page.object_list]


@pytest.mark.parametrize("label", ORDERS)
def test_every_page_forward_and_back_holds_exactly_the_rows_in_order(rf, commitments, label):
    ordering, key = ORDERS[label]
    queryset = commitments.order_by(*ordering)
    expected = [c.pk for c in sorted(commitments, key=key)]
    chunks = [expected[n : n + SIZE] for n in range(0, len(expected), SIZE)]

    # Forward from the first page, by the Next links.
    forward, page = [], _page(rf, queryset)
    assert not page.has_previous
    while True:
        forward.append(_ids(page))
        if not page.has_next:
            break
        page = _page(rf, queryset, page.next)
    assert forward == chunks, label

    # Back again from the page reached, by the Previous links.
    back = [_ids(page)]
    while page.has_previous:
        page = _page(rf, queryset, page.previous)
        back.append(_ids(page))
    assert back == chunks[::-1], label

    # Back from the last page: the last SIZE rows, then the pages before them; the
    # first page is full, as the First link shows it.
    page = _page(rf, queryset, "last")
    assert not page.has_next
    backward = [_ids(page)]
    while page.has_previous:
        page = _page(rf, queryset, page.previous)
        assert page.has_next
        backward.append(_ids(page))
    tail = [expected[max(n - SIZE, 0) : n] for n in range(len(expected), 0, -SIZE)]
    tail[-1] = expected[:SIZE]
    assert backward == tail, label
    assert (
        page.next is not None and _ids(_page(rf, queryset, page.next)) == expected[SIZE : 2 * SIZE]
    )


def test_count_is_the_whole_list(rf, commitments):
    page = _page(rf, commitments.filter(title="alpha").order_by("title"))

    assert page.total == 5
    assert len(page) == SIZE


def test_a_cursor_names_the_row_by_its_public_id_never_its_key(rf, commitments):
    queryset = commitments.order_by("title", "pk")
    first = _page(rf, queryset)
    second = _page(rf, queryset, first.next)

    last, following = first.object_list[-1], second.object_list[0]
    assert decode_cursor(first.next) == [">", last.title, str(last.public_id)]
    assert decode_cursor(second.previous) == ["<", following.title, str(following.public_id)]


def test_a_model_without_public_id_pages_by_its_key(rf, cast):
    for n in range(9):
        UnitFactory(party=(cast.a, cast.b)[n % 2], name=f"Unit {n}")
    queryset = Unit.objects.order_by("party__code")
    expected = [
        u.pk
        for u in sorted(Unit.objects.select_related("party"), key=lambda u: (u.party.code, u.pk))
    ]

    seen, page = [], _page(rf, queryset)
    while True:
        seen += _ids(page)
        if not page.has_next:
            break
        page = _page(rf, queryset, page.next)

    assert seen == expected


def test_a_list_on_one_page_has_no_links(rf, commitments):
    for cursor in (None, "last"):
        page = _page(rf, commitments.filter(title="echo"), cursor)
        assert len(page) == SIZE
        assert not page.has_previous and not page.has_next


def test_a_cursor_past_the_end_shows_the_last_page(rf, commitments):
    queryset = commitments.order_by("title", "pk")
    beyond = _cursor(">", "zulu", "00000000-0000-4000-8000-000000000000")

    assert _ids(_page(rf, queryset, beyond)) == _ids(_page(rf, queryset, "last"))


def _cursor(*values) -> str:
    raw = json.dumps(list(values)).encode()
    return urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = [
    "2",
    "abc",
    "!!!",
    "é",
    "bGFzdA",  # "last", encoded
    _cursor(),
    _cursor(">"),
    _cursor("?", "2030-01-01", "00000000-0000-4000-8000-000000000000"),
    _cursor(">", "2030-01-01"),
    _cursor(">", "2030-01-01", "not a uuid"),
    _cursor(">", "2030-13-45", "00000000-0000-4000-8000-000000000000"),
    _cursor(">", 3.5, "00000000-0000-4000-8000-000000000000"),
    _cursor(">", 2**70, "00000000-0000-4000-8000-000000000000"),
    _cursor(">", "2030-01-01\x00", "00000000-0000-4000-8000-000000000000"),
    _cursor(">", ["2030-01-01"], "00000000-0000-4000-8000-000000000000"),
    _cursor(">", {"a": 1}, "00000000-0000-4000-8000-000000000000"),
    _cursor(">", "2030-01-01", None),
    urlsafe_b64encode(b'[">", NaN, "x"]').decode(),
    urlsafe_b64encode(b"\xff\xfe").decode(),
    urlsafe_b64encode(b'{">": 1}').decode(),
]
# For the "-updated" order: moments without an offset, or out of range once in UTC.
FORGED_MOMENTS = [
    _cursor(">", "2030-01-01T10:00:00", "00000000-0000-4000-8000-000000000000"),
    _cursor("<", "0001-01-01T00:00:00+14:00", "00000000-0000-4000-8000-000000000000"),
    _cursor(">", "9999-12-31T23:59:59-14:00", "00000000-0000-4000-8000-000000000000"),
    _cursor(">", 17, "00000000-0000-4000-8000-000000000000"),
]


def test_a_forged_cursor_shows_the_first_page(client, cast, commitments):
    client.force_login(cast.a_officer)
    url = reverse("agreements:commitment-list")
    first = client.get(url)
    updated = client.get(url, {"sort": "-updated"})

    for cursor in FORGED:
        response = client.get(url, {"page": cursor})
        assert response.status_code == 200, cursor
        assert response.context["page"].object_list == first.context["page"].object_list, cursor
    for cursor in FORGED_MOMENTS:
        response = client.get(url, {"sort": "-updated", "page": cursor})
        assert response.status_code == 200, cursor
        expected = updated.context["page"].object_list
        assert response.context["page"].object_list == expected, cursor


def test_links_keep_the_filters_and_the_sort(rf, commitments):
    queryset = commitments.order_by("title", "pk")
    second = _page(rf, queryset, _page(rf, queryset).next)
    request = rf.get("/", {"status": "open", "sort": "title", "page": "x"})

    html = render_to_string("_pagination.html", {"page": second}, request=request)
    links = page_links(html)

    kept = "?status=open&sort=title"
    assert links == {
        "First page": kept,
        "Previous page": f"{kept}&page={second.previous}",
        "Next page": f"{kept}&page={second.next}",
        "Last page": f"{kept}&page=last",
    }
    assert f'href="{links["Previous page"].replace("&", "&amp;")}" rel="prev"' in html
    assert f'href="{links["Next page"].replace("&", "&amp;")}" rel="next"' in html
    assert "23 records" in html
