"""Global search: each user finds exactly the records they may see, the index follows
every audited write, any input is answered without a server error, and the number of
queries does not grow with the number of hits."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.models import Commitment
from entente.agreements.services.agreements import clause_create, record_publish
from entente.agreements.services.commitments import commitment_create, commitment_update
from entente.audit.services import audited_delete
from entente.comments.services import comment_add, comment_delete, comment_update
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.liaison.services import request_send
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_create
from entente.records.models import SearchEntry, query_words, search_words
from entente.records.selectors import search_hits, search_results, searchable_types
from entente.records.services import search_reindex
from entente.tests.access_world import OUTSIDERS, USERS, build
from entente.tests.api_helpers import API, api_client

pytestmark = pytest.mark.django_db

SEARCH = reverse("records:record-search")


def found(user, text: str) -> list[tuple[str, int]]:
    """(type, id) of what `user` finds for `text`, in order."""
    hits = search_hits(user, query_words(text))
    return [(result.type, result.record.pk) for result in search_results(user, hits)]


def key(record) -> tuple[str, int]:
    return (record._meta.label_lower, record.pk)


def commitment(cast, actor=None, *, title, description=None, scope=Scope.SHARED, **fields):
    actor = actor or cast.a_officer
    return commitment_create(
        actor=actor,
        agreement=cast.agreement,
        title=title,
        description=description,
        responsible_party=actor.membership.party,
        due_date=dt.date(2031, 6, 30),
        handling=Handling.pop_from(fields, scope=scope),
        **fields,
    )


def api_search(user, q: str, **params):
    return api_client(user).get(f"{API}/search", {"q": q, **params})


# --- who finds what ------------------------------------------------------------------


@pytest.fixture
def world(cast):
    world = build(cast)
    # The index as the services left it; the shared agreement alone was written around
    # them (by the test set-up), so only its row differs from a full rebuild.
    kept = set(SearchEntry.objects.values_list("target_type", "target_id", "document"))
    search_reindex()
    rebuilt = set(SearchEntry.objects.values_list("target_type", "target_id", "document"))
    assert {row[:2] for row in rebuilt ^ kept} == {key(cast.agreement)}
    return world


def searchable(world):
    names = {entry.name for entry in searchable_types()}
    return [entry for entry in world.entries if entry.record._meta.label_lower in names]


def test_search_world_covers_every_searchable_type(world):
    kinds = {entry.record._meta.label_lower for entry in searchable(world)}
    assert kinds == {
        "agreements.agreement",
        "agreements.agreementevent",
        "agreements.clause",
        "agreements.commitment",
        "agreements.cooperationarea",
        "agreements.progressreport",
        "attachments.attachment",
        "comments.comment",
        "liaison.liaisonmessage",
        "liaison.liaisonrequest",
        "meetings.agendaitem",
        "meetings.decision",
        "meetings.meeting",
        "training.trainingactivity",
    }


@pytest.mark.parametrize("username", USERS + OUTSIDERS)
def test_search_finds_exactly_what_each_user_may_see(world, username):
    """Every record's own word, searched by every user: found exactly by those who may
    see it (own internal, the other party's internal, shared, TLP:RED with and without
    the recipient, the shared children of a TLP:RED agreement, a published draft). The
    start of every word ("tk") finds every record: the API lists and the page counts
    exactly those the user may see, and neither shows a hidden record's word."""
    user = world.users[username]
    wrong = []
    for entry in searchable(world):
        expected = [key(entry.record)] if username in entry.viewers else []
        if found(user, entry.token) != expected:
            wrong.append((entry.token, found(user, entry.token), expected))
    assert wrong == []

    visible = {
        (entry.record._meta.label_lower, str(entry.record.public_id))
        for entry in searchable(world)
        if username in entry.viewers
    }
    response = api_search(user, "tk", limit=200)
    assert response.status_code == 200
    body = response.json()
    assert {(item["type"], item["id"]) for item in body["items"]} == visible
    assert (len(body["items"]), body["next_cursor"]) == (len(visible), None)
    text = response.content.decode()
    assert sorted(t for t in world.forbidden_tokens(username) if t in text) == []

    client = Client()
    client.force_login(user)
    response = client.get(SEARCH, {"q": "tk"})
    assert response.status_code == 200
    text = response.content.decode()
    if visible:
        assert response.context["page"].paginator.count == len(visible)
        assert f"{len(visible)} records" in text
    else:
        assert response.context["results"] == []
        assert "Nothing you may see matches “tk”." in text
    assert sorted(t for t in world.forbidden_tokens(username) if t in text) == []


def test_search_draft_words_are_gone_once_edited(world):
    """The published commitment's internal first draft held a word its owner since
    removed: nobody finds the record by it, its own party included."""
    draft_word = "tkDRAFTkt"
    assert [found(world.users[name], draft_word) for name in USERS + OUTSIDERS] == [[]] * 7


# --- the index follows the writes -----------------------------------------------------


def test_search_finds_an_internal_record_for_the_other_party_once_published(cast):
    record = commitment(cast, cast.a_coordinator, title={"en": "Joint patrols"}, scope="internal")
    assert (found(cast.a_reader, "patrols"), found(cast.b_officer, "patrols")) == (
        [key(record)],
        [],
    )
    record_publish(actor=cast.a_coordinator, record=record, expected_version=record.version)
    assert (found(cast.a_reader, "patrols"), found(cast.b_officer, "patrols")) == (
        [key(record)],
        [key(record)],
    )


def test_search_after_an_edit_finds_the_new_words_only(cast):
    record = commitment(cast, title={"en": "Exchange liaison officers"})
    commitment_update(
        actor=cast.a_officer,
        commitment=record,
        expected_version=record.version,
        title_en="Second a detective",
    )
    assert found(cast.b_officer, "liaison officers") == []
    assert found(cast.b_officer, "detective") == [key(record)]


def test_search_covers_meetings_agenda_decisions_and_requests(cast):
    start = dt.datetime(2025, 3, 2, 10, 0)
    meeting = meeting_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="expert_meeting",
        title={"en": "Expert meeting"},
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        place="Marrakech",
        handling=Handling(scope=Scope.SHARED),
    )
    item = agenda_item_add(actor=cast.a_officer, meeting=meeting, title="Firearms tracing")
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Pilot the tracing")
    request = request_send(
        actor=cast.b_officer,
        agreement=cast.agreement,
        from_unit=cast.b_cell,
        to_unit=cast.a_cell,
        subject="Vehicle registration",
        body="Who owns the van seen in Tangier?",
        priority="normal",
    )
    assert found(cast.b_officer, "marrakech") == [key(meeting)]
    assert sorted(found(cast.b_officer, "tracing")) == sorted([key(item), key(decision)])
    assert found(cast.a_reader, "tangier") == [key(request)]
    assert found(cast.a_reader, request.reference) == [key(request)]


def test_search_never_shows_a_row_whose_record_is_gone(cast):
    SearchEntry.objects.create(
        target_type="agreements.commitment", target_id=987654321, document="ghostword"
    )
    assert found(cast.a_coordinator, "ghostword") == []
    assert search_hits(cast.a_coordinator, ["ghostword"]).count() == 0


# --- languages -------------------------------------------------------------------------


def test_search_finds_arabic_and_french_whatever_the_accents(cast):
    record = commitment(
        cast,
        title={"en": "Information exchange", "ar": "تَبادُل المعلومات", "fr": "Échange de données"},
        description={"fr": "Réunions trimestrielles à Rabat"},
    )
    for words in ("المعلومات", "تبادل", "المَعلومات", "echange", "ÉCHANGE", "réun", "donnees"):
        assert (words, found(cast.b_officer, words)) == (words, [key(record)])
    assert found(cast.b_officer, "échange informat") == [key(record)]
    assert found(cast.b_officer, "échange hebdomadaires") == []


def test_search_words_are_folded_the_same_for_index_and_query():
    assert search_words("Réunion d'ÉTÉ: «plan_B» 2031-004 أَمْن") == [
        "reunion",
        "d",
        "ete",
        "plan",
        "b",
        "2031",
        "004",
        "امن",
    ]


# --- the page and the API ---------------------------------------------------------------


def test_search_page_shows_type_title_agreement_marking_and_link(client, cast):
    record = commitment(cast, title={"en": "Trace firearms"}, marking="TLP:GREEN")
    client.force_login(cast.b_officer)
    response = client.get(SEARCH, {"q": "firearms"})
    assert response.status_code == 200
    [result] = response.context["results"]
    assert (result.label, result.title, result.url, str(result.agreement)) == (
        "commitment",
        "Trace firearms",
        record.get_absolute_url(),
        "Letter of intent on police cooperation",
    )
    body = response.content.decode()
    assert f'<a href="{record.get_absolute_url()}">Trace firearms</a>' in body
    assert "TLP:GREEN" in body


def test_search_header_form_is_on_every_signed_in_page(client, cast):
    client.force_login(cast.a_reader)
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert f'action="{SEARCH}" role="search"' in body
    assert '<label class="visually-hidden" for="site-search-q">Search</label>' in body


def test_search_page_signed_out_goes_to_sign_in(client):
    response = client.get(SEARCH, {"q": "budget"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_search_page_without_words_asks_for_them(client, cast):
    client.force_login(cast.a_reader)
    response = client.get(SEARCH, {"q": "  "})
    assert (response.status_code, response.context["results"]) == (200, None)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("a", "Type at least two letters or digits to search for."),
        ('"*()', "Type at least two letters or digits to search for."),
        ("tk\x00", "Null characters are not allowed."),
        ("x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_search_page_refuses_what_it_cannot_search(client, cast, q, message):
    client.force_login(cast.a_reader)
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 400
    assert response.context["form"].errors == {"q": [message]}
    assert message.replace("'", "&#x27;") in response.content.decode()


@pytest.mark.parametrize(
    "q",
    ['"budget', "budget*", "NEAR(budget savings)", "budget OR savings", "(budget)", "budget'"],
)
def test_search_hostile_syntax_is_searched_as_words(cast, q):
    record = commitment(cast, title={"en": "Budget savings near the border"})
    response = api_search(cast.b_officer, q)
    assert response.status_code == 200
    expected = [] if "OR" in q else [str(record.public_id)]  # "or" is a word, and not in the title
    assert [item["id"] for item in response.json()["items"]] == expected


@pytest.mark.parametrize(
    ("q", "field", "message"),
    [
        ('"', "query.q", "Type at least two letters or digits to search for."),
        ("*", "query.q", "Type at least two letters or digits to search for."),
        ("tk\x00", "query.q", "String should match pattern '^[^\\x00]*$'"),
    ],
)
def test_search_api_refuses_what_it_cannot_search(cast, q, field, message):
    response = api_search(cast.a_reader, q)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [(field, message)]


def test_search_api_without_a_query_is_refused(cast):
    response = api_client(cast.a_reader).get(f"{API}/search")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.q"]


def test_search_api_signed_out_is_refused(client):
    assert client.get(f"{API}/search", {"q": "budget"}).status_code == 401


def test_search_api_pages_with_an_opaque_cursor(cast):
    records = [commitment(cast, title={"en": f"Budget line {n}"}) for n in range(3)]
    api = api_client(cast.b_officer)
    first = api.get(f"{API}/search", {"q": "budget", "limit": 2}).json()
    second = api.get(
        f"{API}/search", {"q": "budget", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(ids) == sorted(str(r.public_id) for r in records)
    assert second["next_cursor"] is None
    assert first["items"][0] == {
        "type": "agreements.commitment",
        "id": first["items"][0]["id"],
        "title": Commitment.objects.get(public_id=first["items"][0]["id"]).title,
        "url": Commitment.objects.get(public_id=first["items"][0]["id"]).get_absolute_url(),
    }
    bad = api.get(f"{API}/search", {"q": "budget", "cursor": "bm90IGEgY3Vyc29y"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "query.cursor", "message": "Invalid cursor."}]


# --- queries ----------------------------------------------------------------------------


def _mixed(cast, n: int) -> None:
    """n commitments and n requests with the word "harbour"."""
    for i in range(n):
        commitment(cast, title={"en": f"Harbour checks {i}"})
        request_send(
            actor=cast.b_officer,
            agreement=cast.agreement,
            from_unit=cast.b_cell,
            to_unit=cast.a_cell,
            subject=f"Harbour manifest {i}",
            body="Please check.",
            priority="normal",
        )


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


def test_search_query_count_does_not_grow_with_hits(cast):
    client = Client()
    client.force_login(cast.a_officer)
    api = api_client(cast.a_officer)
    _mixed(cast, 1)
    api.get(f"{API}/search", {"q": "harbour"})  # the token's first use is written down
    few = (
        _queries(lambda: client.get(SEARCH, {"q": "harbour"})),
        _queries(lambda: api.get(f"{API}/search", {"q": "harbour"})),
    )
    _mixed(cast, 8)
    many = (
        _queries(lambda: client.get(SEARCH, {"q": "harbour"})),
        _queries(lambda: api.get(f"{API}/search", {"q": "harbour"})),
    )
    assert len(search_hits(cast.a_officer, ["harbour"])) == 18
    assert many == few


def test_search_forgets_a_deleted_record(cast):
    clause = clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="12",
        heading={"en": "Extradition requests"},
        handling=Handling(scope=Scope.SHARED),
    )
    assert found(cast.b_officer, "extradition") == [key(clause)]
    audited_delete(actor=cast.a_coordinator, instance=clause)
    assert SearchEntry.objects.filter(target_type="agreements.clause").count() == 0


def test_search_follows_a_comment_through_its_edit_and_deletion(cast):
    record = commitment(cast, title={"en": "Designate a contact cell"})
    comment = comment_add(actor=cast.b_officer, record=record, text="Waiting for the roster")
    assert found(cast.a_officer, "roster") == [key(comment)]
    assert found(cast.c_officer, "roster") == []
    comment = comment_update(
        actor=cast.b_officer, comment=comment, expected_version=1, text="Roster received"
    )
    assert (found(cast.a_officer, "waiting"), found(cast.a_officer, "received")) == (
        [], [key(comment)],
    )  # fmt: skip
    comment_delete(actor=cast.b_officer, comment=comment)
    assert SearchEntry.objects.filter(target_type="comments.comment").count() == 0


def test_reindex_command_rebuilds_the_index(cast):
    record = commitment(cast, title={"en": "Cyber crime desk"})
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("reindex", stdout=out)
    assert out.getvalue() == "Search index rebuilt: 2 record(s).\n"  # and the agreement
    assert found(cast.b_officer, "cyber desk") == [key(record)]
