"""The commitments API: /commitments, their changes, actions and indicator values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.agreements.enums import CommitmentStatus
from entente.agreements.models import Commitment, IndicatorValue
from entente.agreements.services.agreements import area_create, clause_create
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_record_indicator,
)
from entente.audit.models import AuditEvent
from entente.core.models import Handling
from entente.testing import ContactFactory, UnitFactory, agreement_between, with_handling
from entente.tests.api_helpers import UNKNOWN, api_client, etag, iso, problem_body

COMMITMENTS = "/api/v1/commitments"
EMPTY = {"ar": "", "fr": "", "en": "", "nl": ""}
OWNER_ONLY = "Only the party that owns this record may change it."
NO_CHANGES = "Your role does not allow changes."
COORDINATORS_ONLY = "Only a coordinator may do this."
LOWER_REFUSED = "Only a coordinator of the owning party may lower a marking."
MARK_RED_REFUSED = "Only a coordinator of the owning party may mark a record TLP:RED."


def new_commitment(cast, actor=None, **kwargs):
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Designate a contact cell", "fr": "Désigner une cellule de contact"},
        "responsible_party": cast.a,
        "due_date": dt.date(2030, 6, 30),
    }
    return commitment_create(**with_handling(defaults | kwargs))


def commitment_json(commitment, **values) -> dict:
    commitment.refresh_from_db()
    return {
        "id": str(commitment.public_id),
        "owning_party": commitment.owning_party.code,
        "scope": commitment.scope,
        "marking": commitment.marking,
        "red_recipients": sorted(u.username for u in commitment.red_recipients.all()),
        "version": commitment.version,
        "created_at": iso(commitment.created_at),
        "updated_at": iso(commitment.updated_at),
        "is_illustrative": False,
        "agreement": str(commitment.agreement.public_id),
        "clauses": [str(c.public_id) for c in commitment.clauses.order_by("number")],
        "area": str(commitment.area.public_id) if commitment.area_id else None,
        "responsible_party": commitment.responsible_party.code,
        "responsible_unit": commitment.responsible_unit_id,
        "responsible_contact": (
            str(commitment.responsible_contact.public_id)
            if commitment.responsible_contact_id
            else None
        ),
        "title": {lang: getattr(commitment, f"title_{lang}") or "" for lang in EMPTY},
        "description": {lang: getattr(commitment, f"description_{lang}") or "" for lang in EMPTY},
        "reference_language": commitment.reference_language,
        "kind": commitment.kind,
        "recurrence": commitment.recurrence,
        "due_date": iso(commitment.due_date),
        "status": commitment.status,
        "is_overdue": commitment.is_overdue,
        "progress": commitment.progress,
        "indicator": commitment.indicator,
        "indicator_unit": commitment.indicator_unit,
        "baseline": None if commitment.baseline is None else str(commitment.baseline),
        "target": None if commitment.target is None else str(commitment.target),
        "evidence_links": commitment.evidence_links,
        # None come from a decision or recur in these tests: test_commitment_links.py
        "decisions": [],
        "previous_occurrence": None,
        "next_occurrence": None,
    } | values


def post(client, path, body=None, **headers):
    if body is None:
        return client.post(path, **headers)
    return client.post(path, body, content_type="application/json", **headers)


def patch(client, path, body, **headers):
    return client.patch(path, body, content_type="application/json", **headers)


def tag(commitment) -> str:
    commitment.refresh_from_db()
    return f'"commitment-{commitment.public_id}-v{commitment.version}"'


def invalid(path: str, *errors: tuple) -> dict:
    return problem_body(
        422,
        "Unprocessable Content",
        "The input is not valid.",
        path,
        errors=[{"field": field, "message": message} for field, message in errors],
    )


@pytest.fixture
def mix(cast):
    """A's internal commitment (due 2030), A's shared one (overdue), B's shared one
    (undated), and one on another agreement between A and the outsider."""
    a_internal = new_commitment(cast)
    a_shared = new_commitment(
        cast,
        title={"en": "Exchange liaison officers"},
        due_date=dt.date(2020, 1, 31),
        scope="shared",
    )
    b_shared = new_commitment(
        cast,
        actor=cast.b_officer,
        title={"en": "Host a training"},
        responsible_party=cast.b,
        due_date=None,
        scope="shared",
        marking="TLP:GREEN",
    )
    other = agreement_between(cast.a, cast.c, title_en="With the outsider")
    c_side = new_commitment(
        cast,
        agreement=other,
        title={"en": "Outsider task"},
        responsible_party=cast.c,
        scope="shared",
    )
    return a_internal, a_shared, b_shared, c_side


# --- list ---------------------------------------------------------------------------------


def test_commitment_list_shows_what_each_party_may_see_soonest_first(cast, mix):
    a_internal, a_shared, b_shared, c_side = mix
    # a_internal and c_side are due the same day: in the order of their public ids.
    same_day = sorted([a_internal, c_side], key=lambda c: c.public_id)
    expected = {
        "a_reader": [a_shared, *same_day, b_shared],
        "b_officer": [a_shared, b_shared],
        "c_officer": [c_side],
    }
    for who, commitments in expected.items():
        response = api_client(getattr(cast, who)).get(COMMITMENTS)
        assert response.status_code == 200
        assert response.json() == {
            "items": [commitment_json(c) for c in commitments],
            "next_cursor": None,
        }, who


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"status": "overdue"}, ["Exchange liaison officers"]),
        ({"status": "planned", "responsible_party": "NL-POL"}, ["Host a training"]),
        ({"status": "done"}, []),
        ({"marking": "TLP:GREEN"}, ["Host a training"]),
        ({"due_after": "2030-06-30"}, ["Designate a contact cell", "Outsider task"]),
        ({"due_before": "2020-01-31"}, ["Exchange liaison officers"]),
        ({"q": "LIAISON exchange"}, ["Exchange liaison officers"]),
        ({"q": "cellule"}, ["Designate a contact cell"]),
    ],
)
def test_commitment_list_filters(cast, mix, query, titles):
    response = api_client(cast.a_officer).get(COMMITMENTS, query)
    # Sorted: commitments due the same day come in the order of their random ids.
    assert sorted(item["title"]["en"] for item in response.json()["items"]) == titles


def test_commitment_list_filters_by_agreement_and_area(cast, mix):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="drugs", name={"en": "Drugs"}
    )
    in_area = new_commitment(cast, title={"en": "Joint operation"}, area=area)
    client = api_client(cast.a_officer)
    response = client.get(COMMITMENTS, {"area": str(area.public_id)})
    assert [item["id"] for item in response.json()["items"]] == [str(in_area.public_id)]
    response = client.get(COMMITMENTS, {"agreement": str(mix[3].agreement.public_id)})
    assert [item["id"] for item in response.json()["items"]] == [str(mix[3].public_id)]
    # An agreement B may not see filters to nothing rather than failing.
    response = api_client(cast.b_officer).get(
        COMMITMENTS, {"agreement": str(mix[3].agreement.public_id)}
    )
    assert response.json() == {"items": [], "next_cursor": None}


def test_commitment_list_refuses_bad_filters(cast):
    response = api_client(cast.a_officer).get(
        COMMITMENTS, {"status": "late", "due_after": "soon", "responsible_party": "x\x00"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "query.responsible_party",
        "query.status",
        "query.due_after",
    ]


def test_commitment_list_pages_by_due_date_undated_last(cast, mix):
    client = api_client(cast.a_officer)
    seen, cursor = [], None
    for _page in range(5):
        body = client.get(COMMITMENTS, {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # Soonest due first, undated last; commitments due the same day by their public ids.
    order = sorted(mix, key=lambda c: (c.due_date or dt.date.max, c.public_id))
    assert [c.title_en for c in order][::3] == ["Exchange liaison officers", "Host a training"]
    assert seen == [str(c.public_id) for c in order]


def test_commitment_list_query_count_does_not_grow(cast):
    new_commitment(cast)  # with one row, so that every prefetch runs already
    client = api_client(cast.a_officer)
    client.get(COMMITMENTS)
    with CaptureQueriesContext(connection) as few:
        client.get(COMMITMENTS)
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    contact = ContactFactory(unit=cast.a_cell)
    for i in range(5):
        new_commitment(
            cast,
            title={"en": f"C{i}"},
            clauses=[clause],
            responsible_contact=contact,
            actor=cast.a_coordinator,
            marking="TLP:RED",
            red_recipients=[cast.a_officer, cast.a_reader],
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(COMMITMENTS).json()
    assert len(body["items"]) == 6
    # All are due the same day, so their order is their random public ids'.
    [linked] = [item for item in body["items"] if item["title"]["en"] == "C0"]
    assert linked["clauses"] == [str(clause.public_id)]
    assert linked["responsible_contact"] == str(contact.public_id)
    assert len(many) == len(few)


# --- detail -------------------------------------------------------------------------------


def test_commitment_detail_exact(cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="drugs", name={"en": "Drugs"}
    )
    shared_clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="4")
    hidden_clause = clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="5",
        handling=Handling(scope="internal"),
    )
    internal_contact = ContactFactory(unit=cast.a_cell, scope="internal")
    commitment = new_commitment(
        cast,
        scope="shared",
        area=area,
        clauses=[shared_clause, hidden_clause],
        responsible_unit=cast.a_cell,
        responsible_contact=internal_contact,
        kind="recurring",
        recurrence="quarterly",
        indicator="officers trained",
        indicator_unit="people",
        baseline=Decimal("0"),
        target=Decimal("40.5"),
    )
    path = f"{COMMITMENTS}/{commitment.public_id}"
    response = api_client(cast.a_reader).get(path)
    assert response.status_code == 200
    assert etag(response) == f'"commitment-{commitment.public_id}-v1"'
    assert response.json() == {
        "id": str(commitment.public_id),
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(commitment.created_at),
        "updated_at": iso(commitment.updated_at),
        "is_illustrative": False,
        "agreement": str(cast.agreement.public_id),
        "clauses": [str(shared_clause.public_id), str(hidden_clause.public_id)],
        "area": str(area.public_id),
        "responsible_party": "MA-DGSN",
        "responsible_unit": cast.a_cell.pk,
        "responsible_contact": str(internal_contact.public_id),
        "title": EMPTY
        | {"en": "Designate a contact cell", "fr": "Désigner une cellule de contact"},
        "description": EMPTY,
        "reference_language": "en",
        "kind": "recurring",
        "recurrence": "quarterly",
        "due_date": "2030-06-30",
        "status": "planned",
        "is_overdue": False,
        "progress": 0,
        "indicator": "officers trained",
        "indicator_unit": "people",
        "baseline": "0.00",
        "target": "40.50",
        "evidence_links": "",
        "decisions": [],
        "previous_occurrence": None,
        "next_occurrence": None,
    }
    # B sees the commitment, but not A's internal clause nor A's internal contact.
    body = api_client(cast.b_officer).get(path).json()
    assert (body["clauses"], body["responsible_contact"]) == ([str(shared_clause.public_id)], None)


def test_commitment_detail_is_404_to_those_who_may_not_see_it(cast, mix):
    a_internal, a_shared = mix[0], mix[1]
    for who, commitment in [("b_officer", a_internal), ("c_officer", a_shared)]:
        path = f"{COMMITMENTS}/{commitment.public_id}"
        response = api_client(getattr(cast, who)).get(path)
        assert response.status_code == 404
        assert response.json() == problem_body(404, "Not Found", "No such record.", path)


def test_commitment_overdue_is_derived_in_the_body(cast):
    commitment = new_commitment(cast, due_date=timezone.localdate() - dt.timedelta(days=1))
    body = api_client(cast.a_officer).get(f"{COMMITMENTS}/{commitment.public_id}").json()
    assert (body["status"], body["is_overdue"]) == ("planned", True)


# --- create -------------------------------------------------------------------------------

NEW = {
    "title": {"en": "Train 40 officers", "fr": "Former 40 officiers"},
    "responsible_party": "NL-POL",
    "due_date": "2031-12-31",
    "indicator": "officers trained",
    "target": "40",
}


def create_path(cast) -> str:
    return f"/api/v1/agreements/{cast.agreement.public_id}/commitments"


def test_commitment_create_by_officer(cast):
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="training", name={"en": "Training"}
    )
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="7")
    client = api_client(cast.a_officer)
    before = AuditEvent.objects.count()
    body = NEW | {
        "area": str(area.public_id),
        "clauses": [str(clause.public_id)],
        "responsible_unit": cast.b_cell.pk,
        "description": {"en": "At the academy"},
    }
    response = post(client, create_path(cast), body)
    assert response.status_code == 201
    commitment = Commitment.objects.get()
    assert response["Location"] == f"{COMMITMENTS}/{commitment.public_id}"
    assert etag(response) == f'"commitment-{commitment.public_id}-v1"'
    assert response.json() == commitment_json(commitment)
    assert response.json() | {"created_at": None, "updated_at": None} == {
        "id": str(commitment.public_id),
        "owning_party": "MA-DGSN",
        "scope": "internal",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": 1,
        "created_at": None,
        "updated_at": None,
        "is_illustrative": False,
        "agreement": str(cast.agreement.public_id),
        "clauses": [str(clause.public_id)],
        "area": str(area.public_id),
        "responsible_party": "NL-POL",
        "responsible_unit": cast.b_cell.pk,
        "responsible_contact": None,
        "title": EMPTY | {"en": "Train 40 officers", "fr": "Former 40 officiers"},
        "description": EMPTY | {"en": "At the academy"},
        "reference_language": "en",
        "kind": "one_off",
        "recurrence": "",
        "due_date": "2031-12-31",
        "status": "planned",
        "is_overdue": False,
        "progress": 0,
        "indicator": "officers trained",
        "indicator_unit": "",
        "baseline": None,
        "target": "40.00",
        "evidence_links": "",
        "decisions": [],
        "previous_occurrence": None,
        "next_occurrence": None,
    }
    events = AuditEvent.objects.filter(seq__gt=before)
    assert [(e.action, e.actor_name, e.target_type) for e in events] == [
        ("create", "a_officer", "agreements.commitment")
    ]


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_reader", 403, NO_CHANGES),
        ("c_officer", 404, "No such record."),
    ],
)
def test_commitment_create_refused(cast, who, status, detail):
    response = post(api_client(getattr(cast, who)), create_path(cast), NEW)
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert Commitment.objects.count() == 0


def test_commitment_create_by_the_other_party_is_theirs(cast):
    response = post(api_client(cast.b_officer), create_path(cast), NEW)
    assert response.status_code == 201
    assert response.json()["owning_party"] == "NL-POL"
    path = response["Location"]
    assert api_client(cast.a_officer).get(path).status_code == 404  # internal to B


@pytest.mark.parametrize(
    "field",
    [
        "owning_party",
        "version",
        "status",
        "created_at",
        "updated_at",
        "is_illustrative",
        "agreement",
    ],
)
def test_commitment_create_refuses_protected_fields(cast, field):
    response = post(api_client(cast.a_officer), create_path(cast), NEW | {field: "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]
    assert Commitment.objects.count() == 0


def test_commitment_create_refuses_links_the_user_may_not_use(cast):
    other = agreement_between(cast.a, cast.b, title_en="Other")
    foreign_area = area_create(
        actor=cast.a_coordinator, agreement=other, code="x", name={"en": "X"}
    )
    b_internal_contact = ContactFactory(unit=cast.b_cell, scope="internal")
    path = create_path(cast)
    cases = [
        (
            {"responsible_party": "XX-OUT"},
            "responsible_party",
            "The responsible party is not a party to the agreement.",
        ),
        ({"responsible_party": "NOPE"}, "responsible_party", "No such party: NOPE."),
        (
            {"area": str(foreign_area.public_id)},
            "area",
            f"No such record: {foreign_area.public_id}.",
        ),
        ({"clauses": [UNKNOWN]}, "clauses", f"No such record: {UNKNOWN}."),
        (
            {"responsible_unit": cast.a_cell.pk},
            "responsible_unit",
            "The unit belongs to another party.",
        ),
        (
            {"responsible_contact": str(b_internal_contact.public_id)},
            "responsible_contact",
            f"No such record: {b_internal_contact.public_id}.",
        ),
        ({"kind": "recurring"}, "recurrence", "A recurring commitment needs a recurrence."),
        ({"title": {"en": "Nul\x00"}}, "title_en", "Null characters are not allowed."),
        ({"title": {"fr": "Seulement"}}, "title_en", "Give the text in the reference language."),
        ({"marking": "TLP:RED"}, "marking", MARK_RED_REFUSED),
    ]
    client = api_client(cast.a_officer)
    before = AuditEvent.objects.count()
    for body, field, message in cases:
        response = post(client, path, NEW | body)
        assert response.status_code == 422, body
        assert response.json() == invalid(path, (field, message))
    assert Commitment.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_commitment_create_schema_violations(cast):
    response = post(
        api_client(cast.a_officer),
        create_path(cast),
        NEW | {"progress": 101, "target": "1.234", "indicator_unit": "x" * 51},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "body.progress",
        "body.indicator_unit",
        "body.target",
    ]


def test_commitment_create_with_idempotency_key_makes_one_record(cast):
    client = api_client(cast.a_officer)
    first = post(client, create_path(cast), NEW, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, create_path(cast), NEW, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (
        201,
        201,
        "true",
    )
    assert again.json() == first.json()
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert Commitment.objects.count() == 1
    other = post(client, create_path(cast), NEW | {"due_date": None}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert Commitment.objects.count() == 1


def test_commitment_create_red_keeps_the_author(cast):
    response = post(
        api_client(cast.a_coordinator),
        create_path(cast),
        NEW | {"marking": "TLP:RED", "red_recipients": ["b_officer"], "scope": "shared"},
    )
    assert response.json()["red_recipients"] == ["a_coordinator", "b_officer"]
    path = response["Location"]
    assert api_client(cast.b_officer).get(path).status_code == 200
    assert api_client(cast.b_coordinator).get(path).status_code == 404
    assert api_client(cast.a_reader).get(path).status_code == 404


# --- change -------------------------------------------------------------------------------


def test_commitment_patch_changes_only_what_is_sent(cast):
    commitment = new_commitment(cast, description={"en": "Old"})
    client = api_client(cast.a_officer)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    response = patch(
        client,
        path,
        {
            "title": {"nl": "Een contactpunt aanwijzen"},
            "description": {"en": ""},
            "due_date": None,
            "progress": 30,
            "baseline": "2.5",
        },
        HTTP_IF_MATCH=etag(client.get(path)),
    )
    assert response.status_code == 200
    assert etag(response) == f'"commitment-{commitment.public_id}-v2"'
    assert response.json() == commitment_json(commitment)
    body = response.json()
    assert (body["title"]["nl"], body["title"]["en"], body["description"]["en"]) == (
        "Een contactpunt aanwijzen",
        "Designate a contact cell",
        "",
    )
    assert (body["due_date"], body["progress"], body["baseline"]) == (None, 30, "2.50")
    event = AuditEvent.objects.filter(target_type="agreements.commitment").last()
    assert event.action == "update"
    assert {k: v for k, v in event.after.items() if k != "updated_at"} == {
        "version": 2,
        "title_nl": "Een contactpunt aanwijzen",
        "description": "",  # modeltranslation's copy of the default language
        "description_en": "",
        "due_date": None,
        "progress": 30,
        "baseline": "2.5",
    }


def test_commitment_patch_keeps_clauses_the_user_cannot_see(cast):
    hidden = clause_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        number="1",
        handling=Handling(scope="internal"),
    )
    shared = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="2")
    commitment = new_commitment(
        cast, actor=cast.b_officer, responsible_party=cast.b, clauses=[hidden]
    )
    client = api_client(cast.b_officer)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    response = patch(
        client, path, {"clauses": [str(shared.public_id)]}, HTTP_IF_MATCH=tag(commitment)
    )
    assert response.status_code == 200
    assert response.json()["clauses"] == [str(shared.public_id)]
    assert sorted(commitment.clauses.values_list("pk", flat=True)) == [hidden.pk, shared.pk]
    response = patch(
        client, path, {"clauses": [str(hidden.public_id)]}, HTTP_IF_MATCH=tag(commitment)
    )
    assert response.json() == invalid(path, ("clauses", f"No such record: {hidden.public_id}."))


def test_commitment_patch_without_fields_answers_the_record_and_writes_nothing(cast):
    commitment = new_commitment(cast)
    client = api_client(cast.a_officer)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    read = client.get(path)
    before = AuditEvent.objects.count()
    response = patch(client, path, {}, HTTP_IF_MATCH=etag(read))
    assert response.status_code == 200
    assert response.json() == read.json() == commitment_json(commitment)
    assert etag(response) == etag(read)
    assert AuditEvent.objects.count() == before


def test_commitment_patch_needs_if_match(cast):
    commitment = new_commitment(cast)
    client = api_client(cast.a_officer)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    response = patch(client, path, {"progress": 10})
    assert (response.status_code, response.json()["title"]) == (428, "Precondition Required")
    response = patch(
        client, path, {"progress": 10}, HTTP_IF_MATCH=f'"commitment-{commitment.public_id}-v7"'
    )
    assert response.status_code == 412
    assert response["ETag"] == f'"commitment-{commitment.public_id}-v1"'
    # Weak tags, as a compressing proxy sends them, and lists of tags are understood.
    response = patch(
        client,
        path,
        {"progress": 10},
        HTTP_IF_MATCH=f'"x", W/"commitment-{commitment.public_id}-v1"',
    )
    assert response.status_code == 200
    commitment.refresh_from_db()
    assert (commitment.progress, commitment.version) == (10, 2)


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_reader", 403, NO_CHANGES),
        ("b_officer", 403, OWNER_ONLY),
        ("c_officer", 404, "No such record."),
    ],
)
def test_commitment_patch_refused(cast, who, status, detail):
    commitment = new_commitment(cast, scope="shared")
    path = f"{COMMITMENTS}/{commitment.public_id}"
    response = patch(
        api_client(getattr(cast, who)), path, {"progress": 5}, HTTP_IF_MATCH=tag(commitment)
    )
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    commitment.refresh_from_db()
    assert (commitment.progress, commitment.version) == (0, 1)


@pytest.mark.parametrize(
    "field",
    [
        "owning_party",
        "version",
        "scope",
        "marking",
        "status",
        "created_at",
        "updated_at",
        "agreement",
    ],
)
def test_commitment_patch_refuses_protected_fields(cast, field):
    commitment = new_commitment(cast)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    response = patch(api_client(cast.a_officer), path, {field: "x"}, HTTP_IF_MATCH=tag(commitment))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]


def test_commitment_patch_refuses_invalid_values(cast):
    commitment = new_commitment(cast)
    client = api_client(cast.a_officer)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    before = AuditEvent.objects.count()
    cases = [
        ({"kind": "recurring"}, "recurrence", "A recurring commitment needs a recurrence."),
        (
            {"responsible_party": "XX-OUT"},
            "responsible_party",
            "The responsible party is not a party to the agreement.",
        ),
        ({"indicator": "a\x00"}, "indicator", "Null characters are not allowed."),
        ({"reference_language": "nl"}, "title_nl", "Give the text in the reference language."),
    ]
    for body, field, message in cases:
        response = patch(client, path, body, HTTP_IF_MATCH=tag(commitment))
        assert response.json() == invalid(path, (field, message)), body
    response = patch(client, path, {"progress": None, "kind": None}, HTTP_IF_MATCH=tag(commitment))
    assert [e["field"] for e in response.json()["errors"]] == ["body.kind", "body.progress"]
    assert AuditEvent.objects.count() == before
    assert commitment.version == 1


# --- status, publish, marking ---------------------------------------------------------------


def test_commitment_status_done_sets_progress(cast):
    commitment = new_commitment(cast)
    client = api_client(cast.a_officer)
    path = f"{COMMITMENTS}/{commitment.public_id}/status"
    response = post(
        client, path, {"status": "in_progress", "progress": 40}, HTTP_IF_MATCH=tag(commitment)
    )
    assert (response.json()["status"], response.json()["progress"]) == ("in_progress", 40)
    response = post(client, path, {"status": "done"}, HTTP_IF_MATCH=etag(response))
    assert response.status_code == 200
    assert response.json() == commitment_json(commitment)
    assert (response.json()["status"], response.json()["progress"], etag(response)) == (
        "done",
        100,
        f'"commitment-{commitment.public_id}-v3"',
    )
    event = AuditEvent.objects.filter(target_type="agreements.commitment").last()
    assert (event.action, event.before["status"], event.after["status"]) == (
        "status",
        "in_progress",
        "done",
    )


def test_commitment_status_refusals(cast):
    commitment = new_commitment(cast, scope="shared")
    path = f"{COMMITMENTS}/{commitment.public_id}/status"
    body = {"status": "done"}
    assert post(api_client(cast.a_officer), path, body).status_code == 428
    response = post(api_client(cast.a_reader), path, body, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["detail"]) == (403, NO_CHANGES)
    response = post(api_client(cast.b_officer), path, body, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["detail"]) == (403, OWNER_ONLY)
    response = post(api_client(cast.c_officer), path, body, HTTP_IF_MATCH=tag(commitment))
    assert response.status_code == 404
    response = post(
        api_client(cast.a_officer), path, {"status": "overdue"}, HTTP_IF_MATCH=tag(commitment)
    )
    assert response.json()["errors"][0]["field"] == "body.status"
    commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="cancelled", expected_version=1
    )
    response = post(
        api_client(cast.a_officer), path, {"status": "planned"}, HTTP_IF_MATCH=tag(commitment)
    )
    assert response.json() == invalid(
        path, ("status", "A commitment cannot go from Cancelled to Planned.")
    )


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("done", "cancelled", "A commitment cannot go from Done to Cancelled."),
        ("cancelled", "in_progress", "A commitment cannot go from Cancelled to In progress."),
        ("planned", "planned", "A commitment cannot go from Planned to Planned."),
    ],
)
def test_commitment_status_illegal_move_is_422_naming_status(cast, current, new, message):
    commitment = new_commitment(cast)
    if current != "planned":
        commitment_change_status(
            actor=cast.a_officer, commitment=commitment, status=current, expected_version=1
        )
    path = f"{COMMITMENTS}/{commitment.public_id}/status"
    client = api_client(cast.a_officer)
    before = (AuditEvent.objects.count(), tag(commitment))
    response = post(client, path, {"status": new}, HTTP_IF_MATCH=tag(commitment))
    assert response.status_code == 422
    assert response.json() == invalid(path, ("status", message))
    assert (AuditEvent.objects.count(), tag(commitment)) == before
    commitment.refresh_from_db()
    assert commitment.status == current


def test_commitment_publish_by_coordinator(cast):
    commitment = new_commitment(cast)
    path = f"{COMMITMENTS}/{commitment.public_id}/publish"
    detail = f"{COMMITMENTS}/{commitment.public_id}"
    assert api_client(cast.b_officer).get(detail).status_code == 404
    response = post(api_client(cast.a_officer), path, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["detail"]) == (403, COORDINATORS_ONLY)
    response = post(api_client(cast.a_reader), path, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["detail"]) == (403, NO_CHANGES)
    client = api_client(cast.a_coordinator)
    assert post(client, path).status_code == 428
    response = post(client, path, HTTP_IF_MATCH=tag(commitment))
    assert response.status_code == 200
    assert response.json() == commitment_json(commitment, scope="shared")
    assert etag(response) == f'"commitment-{commitment.public_id}-v2"'
    assert api_client(cast.b_officer).get(detail).status_code == 200
    response = post(client, path, HTTP_IF_MATCH=etag(response))
    assert response.json() == invalid(path, ("scope", "This record is already shared."))


def test_commitment_marking_raised_and_lowered_by_the_owning_coordinator_only(cast):
    commitment = new_commitment(cast, scope="shared")
    path = f"{COMMITMENTS}/{commitment.public_id}/marking"
    officer, coordinator = api_client(cast.a_officer), api_client(cast.a_coordinator)
    body = {"marking": "TLP:RED", "red_recipients": ["a_officer", "b_officer"]}
    response = post(officer, path, body, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["detail"]) == (403, MARK_RED_REFUSED)
    response = post(coordinator, path, body, HTTP_IF_MATCH=tag(commitment))
    assert response.status_code == 200
    assert (response.json()["marking"], response.json()["red_recipients"]) == (
        "TLP:RED",
        ["a_coordinator", "a_officer", "b_officer"],
    )
    detail = f"{COMMITMENTS}/{commitment.public_id}"
    assert api_client(cast.b_officer).get(detail).status_code == 200
    assert api_client(cast.a_reader).get(detail).status_code == 404
    response = post(officer, path, {"marking": "TLP:GREEN"}, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["detail"]) == (403, LOWER_REFUSED)
    response = post(coordinator, path, {"marking": "TLP:GREEN"}, HTTP_IF_MATCH=tag(commitment))
    assert (response.status_code, response.json()["red_recipients"]) == (200, [])


def test_commitment_marking_refusals(cast):
    commitment = new_commitment(cast, scope="shared")
    path = f"{COMMITMENTS}/{commitment.public_id}/marking"
    response = post(
        api_client(cast.a_reader), path, {"marking": "TLP:RED"}, HTTP_IF_MATCH=tag(commitment)
    )
    assert (response.status_code, response.json()["detail"]) == (403, NO_CHANGES)
    response = post(
        api_client(cast.b_coordinator), path, {"marking": "TLP:RED"}, HTTP_IF_MATCH=tag(commitment)
    )
    assert (response.status_code, response.json()["detail"]) == (403, OWNER_ONLY)
    client = api_client(cast.a_coordinator)
    assert post(client, path, {"marking": "TLP:CLEAR"}).status_code == 428
    response = post(
        client,
        path,
        {"marking": "TLP:RED", "red_recipients": ["nobody"]},
        HTTP_IF_MATCH=tag(commitment),
    )
    assert response.json() == invalid(path, ("red_recipients", "No such user: nobody."))
    response = post(client, path, {"marking": "TLP:PURPLE"}, HTTP_IF_MATCH=tag(commitment))
    assert response.json()["errors"][0]["field"] == "body.marking"
    assert commitment.version == 1


# --- indicator values ---------------------------------------------------------------------


def test_indicator_values_record_replace_and_list(cast):
    commitment = new_commitment(cast, scope="shared", indicator="officers trained")
    path = f"{COMMITMENTS}/{commitment.public_id}/indicator-values"
    client = api_client(cast.a_officer)
    body = {"period_start": "2031-01-01", "period_end": "2031-06-30", "actual": "12"}
    response = post(client, path, body)
    assert response.status_code == 201
    value = IndicatorValue.objects.get()
    expected = {
        "id": str(value.public_id),
        "period_start": "2031-01-01",
        "period_end": "2031-06-30",
        "actual": "12.00",
        "note": "",
    }
    assert response.json() == expected
    response = post(client, path, body | {"actual": "15.5", "note": "revised"})
    assert response.json() == expected | {"actual": "15.50", "note": "revised"}
    earlier = post(
        client, path, {"period_start": "2030-07-01", "period_end": "2030-12-31", "actual": 3}
    )
    assert IndicatorValue.objects.count() == 2
    response = api_client(cast.b_officer).get(path)
    assert response.json() == {
        "items": [earlier.json(), expected | {"actual": "15.50", "note": "revised"}],
        "next_cursor": None,
    }
    actions = AuditEvent.objects.filter(target_type="agreements.commitment", action="indicator")
    assert actions.count() == 3


def test_indicator_values_refusals(cast):
    internal = new_commitment(cast)
    shared = new_commitment(cast, scope="shared")
    body = {"period_start": "2031-01-01", "period_end": "2031-06-30", "actual": "1"}

    def path(c):
        return f"{COMMITMENTS}/{c.public_id}/indicator-values"

    response = post(api_client(cast.a_reader), path(shared), body)
    assert (response.status_code, response.json()["detail"]) == (403, NO_CHANGES)
    response = post(api_client(cast.b_officer), path(shared), body)
    assert (response.status_code, response.json()["detail"]) == (403, OWNER_ONLY)
    assert api_client(cast.b_officer).get(path(internal)).status_code == 404
    assert post(api_client(cast.c_officer), path(shared), body).status_code == 404
    client = api_client(cast.a_officer)
    response = post(client, path(shared), body | {"period_end": "2030-01-01"})
    assert response.json() == invalid(
        path(shared), ("period_end", "The period cannot end before it starts.")
    )
    response = post(client, path(shared), body | {"commitment": str(shared.public_id)})
    assert response.json()["errors"] == [
        {"field": "body.commitment", "message": "Extra inputs are not permitted"}
    ]
    assert IndicatorValue.objects.count() == 0


def test_indicator_value_with_idempotency_key_records_once(cast):
    commitment = new_commitment(cast)
    path = f"{COMMITMENTS}/{commitment.public_id}/indicator-values"
    client = api_client(cast.a_officer)
    body = {"period_start": "2031-01-01", "period_end": "2031-06-30", "actual": "12"}
    before = AuditEvent.objects.count()
    first = post(client, path, body, HTTP_IDEMPOTENCY_KEY="iv")
    again = post(client, path, body, HTTP_IDEMPOTENCY_KEY="iv")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.count() == before + 1


def test_unit_of_another_party_is_refused_on_update(cast):
    commitment = new_commitment(cast)
    path = f"{COMMITMENTS}/{commitment.public_id}"
    unit = UnitFactory(party=cast.c)
    response = patch(
        api_client(cast.a_officer),
        path,
        {"responsible_unit": unit.pk},
        HTTP_IF_MATCH=tag(commitment),
    )
    assert response.json() == invalid(
        path, ("responsible_unit", "The unit belongs to another party.")
    )


@pytest.mark.parametrize("status", [*CommitmentStatus.values, "overdue"])
def test_commitment_list_status_filter_takes_every_status(cast, status):
    response = api_client(cast.a_officer).get(COMMITMENTS, {"status": status})
    assert response.status_code == 200


def test_indicator_value_list_query_count_does_not_grow(cast):
    commitment = new_commitment(cast)
    path = f"{COMMITMENTS}/{commitment.public_id}/indicator-values"
    client = api_client(cast.a_officer)

    def record(year: int) -> None:
        commitment_record_indicator(
            actor=cast.a_officer,
            commitment=commitment,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            actual=Decimal(year),
        )

    record(2030)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for year in range(2031, 2036):
        record(year)
    with CaptureQueriesContext(connection) as many:
        body = client.get(path).json()
    assert [item["actual"] for item in body["items"]] == [f"{y}.00" for y in range(2030, 2036)]
    assert len(many) == len(few)
