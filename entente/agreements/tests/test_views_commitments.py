"""The commitment list: filters, sort, search, pagination, and the bulk status change."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.models import Commitment
from entente.agreements.services.agreements import area_create, record_publish
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_update,
)
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.reports.tests.pages import page_links
from entente.testing import agreement_between

URL = reverse("agreements:commitment-list")
BULK = reverse("agreements:commitment-bulk-status")


def commitment(cast, title, *, actor=None, party=None, due=None, scope=Scope.SHARED, **kw):
    return commitment_create(
        actor=actor or cast.a_officer,
        agreement=kw.pop("agreement", cast.agreement),
        title={"en": title},
        responsible_party=party or cast.a,
        due_date=due,
        handling=Handling.pop_from(kw, scope=scope),
        **kw,
    )


def titles(response) -> list[str]:
    return [c.title for c in response.context["page"].object_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def listed(cast):
    commitment(cast, "A shared", due=dt.date(2030, 3, 1))
    commitment(cast, "A internal", due=dt.date(2030, 1, 1), scope=Scope.INTERNAL)
    commitment(cast, "B shared", actor=cast.b_officer, party=cast.b, due=dt.date(2030, 2, 1))
    commitment(cast, "B internal", actor=cast.b_officer, party=cast.b, scope=Scope.INTERNAL)
    other = agreement_between(cast.b, cast.c, title_en="B and C")
    commitment(cast, "C shared", actor=cast.c_officer, party=cast.c, agreement=other)
    return cast


def test_commitment_list_shows_exactly_the_visible_commitments(client, listed):
    cast = listed
    client.force_login(cast.a_reader)
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == ["A internal", "B shared", "A shared"]
    client.force_login(cast.b_officer)
    assert titles(client.get(URL)) == ["B shared", "A shared", "B internal", "C shared"]
    client.force_login(cast.c_officer)
    assert titles(client.get(URL)) == ["C shared"]


def test_commitment_list_shows_the_other_partys_commitment_once_published(client, cast):
    draft = commitment(cast, "A draft", scope=Scope.INTERNAL)
    client.force_login(cast.b_officer)
    assert titles(client.get(URL)) == []
    record_publish(actor=cast.a_coordinator, record=draft, expected_version=1)
    assert titles(client.get(URL)) == ["A draft"]


def test_commitment_list_filters(client, cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="cyber", name={"en": "Cyber"}
    )
    commitment(cast, "Train officers", due=dt.date(2020, 1, 1), area=area)
    late_b = commitment(
        cast, "Share routes", actor=cast.b_officer, party=cast.b, due=dt.date(2020, 6, 1)
    )
    commitment(cast, "Write report", due=dt.date(2031, 1, 1), marking="TLP:GREEN")
    commitment_change_status(
        actor=cast.b_officer, commitment=late_b, status="done", expected_version=1
    )
    other = agreement_between(cast.a, cast.c, title_en="A and C")
    commitment(cast, "Other agreement", agreement=other, due=dt.date(2031, 6, 1))
    client.force_login(cast.a_officer)

    def listed(**query):
        response = client.get(URL, query)
        assert response.status_code == 200
        return titles(response)

    assert listed(agreement=other.public_id) == ["Other agreement"]
    assert listed(area=area.public_id) == ["Train officers"]
    assert listed(responsible_party=cast.b.pk) == ["Share routes"]
    assert listed(status="done") == ["Share routes"]
    assert listed(status="overdue") == ["Train officers"]
    assert listed(due_from="2020-03-01", due_to="2031-01-01") == ["Share routes", "Write report"]
    assert listed(marking="TLP:GREEN") == ["Write report"]
    assert listed(q="REPORT write") == ["Write report"]
    assert listed(sort="title") == [
        "Other agreement",
        "Share routes",
        "Train officers",
        "Write report",
    ]
    assert listed(sort="-due") == [
        "Other agreement",
        "Write report",
        "Share routes",
        "Train officers",
    ]


def test_commitment_list_search_covers_every_language(client, cast):
    commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"fr": "Former des officiers"},
        reference_language="fr",
        responsible_party=cast.a,
    )
    client.force_login(cast.a_officer)
    assert titles(client.get(URL, {"q": "former"})) == ["Former des officiers"]


def test_commitment_list_filter_choices_come_from_visible_records(client, cast):
    agreement_between(cast.b, cast.c, title_en="B and C")
    client.force_login(cast.a_officer)
    form = client.get(URL).context["filter"].form
    assert [str(a) for a in form.fields["agreement"].queryset] == [
        "Letter of intent on police cooperation"
    ]
    assert [p.code for p in form.fields["responsible_party"].queryset] == ["MA-DGSN", "NL-POL"]


def test_commitment_list_paginates_and_keeps_the_filters(client, cast):
    for n in range(30):
        commitment(cast, f"Task {n:02}", due=dt.date(2030, 1, 1) + dt.timedelta(days=n))
    client.force_login(cast.a_officer)
    first = client.get(URL, {"q": "task"})
    assert len(titles(first)) == 25
    following = page_links(first.content.decode())["Next page"]
    assert following.startswith("?q=task&page=")
    second = client.get(URL + following)
    assert titles(second) == [f"Task {n}" for n in range(25, 30)]
    assert titles(client.get(URL, {"page": "last"})) == [f"Task {n:02}" for n in range(5, 30)]
    # Not a cursor (a page number from before keyset pages): the first page.
    assert titles(client.get(URL, {"page": "999"})) == titles(first)


def test_commitment_list_offers_bulk_selection_only_for_own_writable_rows(client, listed):
    cast = listed
    client.force_login(cast.a_officer)
    page = client.get(URL).context["page"]
    assert [(c.title, c.selectable) for c in page.object_list] == [
        ("A internal", True),
        ("B shared", False),
        ("A shared", True),
    ]
    client.force_login(cast.a_reader)
    response = client.get(URL)
    assert response.context["can_bulk"] is False
    assert BULK not in response.content.decode()


def _rows(count: int, cast) -> None:
    area = area_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        code=f"area-{count}",
        name={"en": f"Area {count}"},
    )
    for n in range(count):
        commitment(cast, f"Row {count}-{n}", due=dt.date(2030, 1, 1), area=area)


def test_commitment_list_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast.a_officer)
    _rows(2, cast)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert len(titles(client.get(URL))) == 2
    _rows(8, cast)
    with CaptureQueriesContext(connection) as many:
        assert len(titles(client.get(URL))) == 10
    assert len(many) == len(few)


# --- bulk status change -------------------------------------------------------------------


SOME_ID = "5f0c4e8e-2d3b-4c36-9b1e-7d1f2a3b4c5d"  # a well-formed public id


def bulk(client, status, *commitments, versions=None):
    data = {"status": status, "selected": [c.public_id for c in commitments], "next": URL + "?q=x"}
    for c in commitments:
        data[f"version-{c.public_id}"] = (versions or {}).get(c.pk, c.version)
    return client.post(BULK, data)


def statuses(*commitments) -> list[tuple[str, str]]:
    return [(c.title, Commitment.objects.get(pk=c.pk).status) for c in commitments]


def test_bulk_status_changes_every_selected_commitment(client, cast):
    one, two = commitment(cast, "One"), commitment(cast, "Two", scope=Scope.INTERNAL)
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = bulk(client, "in_progress", one, two)
    assert response.status_code == 302
    assert response.url == URL + "?q=x"
    assert statuses(one, two) == [("One", "in_progress"), ("Two", "in_progress")]
    assert AuditEvent.objects.count() == before + 2
    assert messages_of(response) == ["2 commitments set to “In progress”."]


def test_bulk_status_is_all_or_nothing(client, cast):
    one, two = commitment(cast, "One"), commitment(cast, "Two")
    commitment_change_status(
        actor=cast.a_officer, commitment=two, status="cancelled", expected_version=1
    )
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = bulk(client, "in_progress", one, Commitment.objects.get(pk=two.pk))
    assert statuses(one, two) == [("One", "planned"), ("Two", "cancelled")]
    assert AuditEvent.objects.count() == before
    assert messages_of(response) == [
        "Nothing was changed. “Two” could not be changed: "
        "A commitment cannot go from Cancelled to In progress."
    ]


def test_bulk_status_with_a_stale_version_changes_nothing(client, cast):
    one, two = commitment(cast, "One"), commitment(cast, "Two")
    commitment_update(actor=cast.a_officer, commitment=two, expected_version=1, progress=10)
    client.force_login(cast.a_officer)
    response = bulk(client, "done", one, two, versions={two.pk: 1})
    assert statuses(one, two) == [("One", "planned"), ("Two", "planned")]
    assert messages_of(response) == [
        "Nothing was changed. “Two” could not be changed: it was changed by someone else "
        "meanwhile; reload the list and try again."
    ]


def test_bulk_status_on_the_other_partys_shared_commitment_changes_nothing(client, cast):
    mine = commitment(cast, "Mine")
    theirs = commitment(cast, "Theirs", actor=cast.b_officer, party=cast.b)
    client.force_login(cast.a_officer)
    response = bulk(client, "done", mine, theirs)
    assert statuses(mine, theirs) == [("Mine", "planned"), ("Theirs", "planned")]
    assert messages_of(response) == [
        "Nothing was changed. “Theirs” could not be changed: "
        "Only the party that owns this record may change it."
    ]


def test_bulk_status_is_refused_to_readers(client, cast):
    one = commitment(cast, "One")
    client.force_login(cast.a_reader)
    assert bulk(client, "done", one).status_code == 403
    assert statuses(one) == [("One", "planned")]


def test_bulk_status_on_a_record_the_user_cannot_see_is_404(client, cast):
    hidden = commitment(cast, "A internal", scope=Scope.INTERNAL)
    mine = commitment(cast, "B own", actor=cast.b_officer, party=cast.b)
    client.force_login(cast.b_officer)
    assert bulk(client, "done", mine, hidden).status_code == 404
    assert statuses(mine, hidden) == [("B own", "planned"), ("A internal", "planned")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "done"}, "Select at least one commitment."),
        ({"status": "done", "selected": ["abc"]}, "The selection is not valid."),
        ({"selected": [SOME_ID]}, "Choose the new status."),
        (
            {"status": "done", "selected": [SOME_ID], f"version-{SOME_ID}": "x"},
            "The form is missing a record's version; reload the page.",
        ),
        (
            {"status": "nope", "selected": [SOME_ID], f"version-{SOME_ID}": "1"},
            "Select a valid choice. nope is not one of the available choices.",
        ),
    ],
)
def test_bulk_status_forged_forms_get_a_message_not_a_500(client, cast, data, message):
    client.force_login(cast.a_officer)
    response = client.post(BULK, {**data, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == URL
    assert messages_of(response) == [message]


HUGE = "99999999999999999999999"


def test_out_of_range_ids_are_refused_not_a_500(client, cast):
    client.force_login(cast.a_officer)
    response = client.get(URL, {"agreement": HUGE, "area": HUGE, "responsible_party": HUGE})
    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"agreement", "area", "responsible_party"}
    assert client.get(f"/commitments/{HUGE}/").status_code == 404
    response = client.post(BULK, {"status": "done", "selected": [HUGE], f"version-{HUGE}": "1"})
    assert messages_of(response) == ["The selection is not valid."]
