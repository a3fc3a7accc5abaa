"""Any text in any free-text field of the API is answered, never with a server error.

For every (operation, field) pair below, Hypothesis sends the operation a valid body
with that one field replaced by generated text: any unicode (no surrogates, which JSON
cannot carry), NUL bytes (which PostgreSQL cannot store), right-to-left text and
direction marks, and strings beyond the field's max_length. The answer must be a 2xx, or
a 4xx problem whose errors name the field; never a 500. The list is checked against the
OpenAPI document, so a new free-text field without a test here fails
`test_every_free_text_field_is_listed`.
"""

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
)
from entente.agreements.services.commitments import commitment_create
from entente.agreements.services.reports import progress_report_submit
from entente.api import api
from entente.comments.services import comment_add
from entente.core.models import Handling
from entente.liaison import services as liaison
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_create
from entente.testing import agreement_between
from entente.tests.api_helpers import API, api_client
from entente.training import services as training

EXAMPLES = 12
PAST = dt.datetime(2023, 3, 14, 10, 0)

RTL = "مرحبا بالعالم \u200f\u202eשלום\u202c ‎"
TEXT = st.one_of(
    st.text(),  # any unicode without surrogates
    st.text(alphabet=st.sampled_from(["a", "é", " ", "\n", "\x00", "\t", *RTL]), max_size=60),
    st.builds(lambda s, n: s + "\x00" + "x" * n, st.text(max_size=5), st.integers(0, 5)),
)


def too_long(max_length: int | None):
    """Strings just beyond the field's limit, or very long ones where it has none."""
    limit = max_length or 100_000
    return st.builds(
        lambda filler, extra, tail: filler * (limit + extra) + tail,
        st.sampled_from(["x", "é", "م", "\u200f"]),
        st.integers(1, 40),
        st.sampled_from(["", "\x00", RTL]),
    )


# --- the records each operation works on ------------------------------------------------


def _commitment(cast):
    return commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Exchange liaison officers"},
        responsible_party=cast.a,
        handling=Handling(scope="shared", marking="TLP:GREEN"),
    )


def _report(cast):
    """B's report on a commitment of A's that B is responsible for."""
    commitment = commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Train officers"},
        responsible_party=cast.b,
        handling=Handling(scope="shared"),
    )
    return progress_report_submit(actor=cast.b_officer, commitment=commitment, progress=30)


def _event(cast):
    return agreement_event_record(
        actor=cast.a_officer, agreement=cast.agreement, kind="signed", date=PAST.date()
    )


def _clause(cast):
    return clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number=_unique())


def _area(cast):
    return area_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        code=f"area-{_unique()}",
        name={"en": "Drugs"},
    )


def _comment(cast):
    return comment_add(actor=cast.a_officer, record=_commitment(cast), text="Sent.")


def _meeting(cast):
    return meeting_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="joint_committee",
        title={"en": "Joint committee"},
        starts_at=PAST,
        ends_at=PAST + dt.timedelta(hours=6),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        handling=Handling(scope="shared", marking="TLP:GREEN"),
    )


def _agenda_item(cast):
    return agenda_item_add(actor=cast.a_officer, meeting=_meeting(cast), title="Opening")


def _decision(cast):
    return decision_record(actor=cast.a_officer, meeting=_meeting(cast), text="Agreed.")


def _training(cast, *statuses):
    activity = training.training_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Forensic imaging course"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=PAST.date(),
        ends_on=PAST.date() + dt.timedelta(days=4),
        handling=Handling(scope="shared", marking="TLP:GREEN"),
    )
    for status in statuses:
        activity = training.training_change_status(
            actor=cast.a_officer,
            training=activity,
            status=status,
            expected_version=activity.version,
        )
    return activity


def _request(cast, *, clarification: bool = False):
    request = liaison.request_send(
        actor=cast.a_officer,
        agreement=cast.agreement,
        from_unit=cast.a_cell,
        to_unit=cast.b_cell,
        subject="Identity check",
        body="Please confirm the identity of the person.",
        priority="normal",
    )
    if clarification:
        request = liaison.clarification_ask(
            actor=cast.b_officer, request=request, body="Which person?", expected_version=1
        )
    return request


# --- the operations ---------------------------------------------------------------------

_counter = itertools.count(1)


def _unique() -> str:
    """A fresh clause number or area code for each call: both are unique per agreement."""
    return str(next(_counter))


@dataclass(frozen=True)
class Operation:
    """How to call one operation validly: as whom, where (making the records it needs
    afresh for each call), and with which body."""

    method: str
    path: str  # as in the OpenAPI document
    actor: str  # a user of the cast
    url: Callable[[Any], str]
    body: Callable[[Any], Any]


# The other party's instance key, for the peers' operation: any valid Ed25519 key.
PEER_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

OPERATIONS = {
    op.method + " " + op.path: op
    for op in [
        Operation("POST", "/tokens", "a_officer", lambda c: "/tokens", lambda c: {"name": "CI"}),
        Operation(
            "POST",
            "/commitments/{commitment_id}/comments",
            "b_officer",
            lambda c: f"/commitments/{_commitment(c).public_id}/comments",
            lambda c: {"text": "Noted."},
        ),
        Operation(
            "POST",
            "/meetings/{meeting_id}/comments",
            "b_officer",
            lambda c: f"/meetings/{_meeting(c).public_id}/comments",
            lambda c: {"text": "Noted."},
        ),
        Operation(
            "POST",
            "/trainings/{training_id}/comments",
            "b_officer",
            lambda c: f"/trainings/{_training(c).public_id}/comments",
            lambda c: {"text": "Noted."},
        ),
        Operation(
            "PATCH",
            "/comments/{comment_id}",
            "a_officer",
            lambda c: f"/comments/{_comment(c).public_id}",
            lambda c: {"text": "Sent today."},
        ),
        Operation(
            "POST",
            "/agreements",
            "a_coordinator",
            lambda c: "/agreements",
            lambda c: {
                "instrument_type": "mou",
                "title": {"en": "Memorandum"},
                "parties": ["MA-DGSN", "NL-POL"],
            },
        ),
        Operation(
            "PATCH",
            "/agreements/{agreement_id}",
            "a_coordinator",
            lambda c: f"/agreements/{c.agreement.public_id}",
            lambda c: {"place": "Rabat"},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/events",
            "a_officer",
            lambda c: f"/agreements/{c.agreement.public_id}/events",
            lambda c: {"kind": "signed", "date": "2022-05-10"},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/clauses",
            "a_coordinator",
            lambda c: f"/agreements/{c.agreement.public_id}/clauses",
            lambda c: {"number": _unique(), "heading": {"en": "Purpose"}, "text": {"en": "Act."}},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/areas",
            "a_coordinator",
            lambda c: f"/agreements/{c.agreement.public_id}/areas",
            lambda c: {"code": f"area-{_unique()}", "name": {"en": "Drugs"}},
        ),
        Operation(
            "PATCH",
            "/events/{event_id}",
            "a_officer",
            lambda c: f"/events/{_event(c).public_id}",
            lambda c: {"certainty": "reported"},
        ),
        Operation(
            "PATCH",
            "/clauses/{clause_id}",
            "a_coordinator",
            lambda c: f"/clauses/{_clause(c).public_id}",
            lambda c: {"heading": {"en": "Purpose"}},
        ),
        Operation(
            "PATCH",
            "/areas/{area_id}",
            "a_coordinator",
            lambda c: f"/areas/{_area(c).public_id}",
            lambda c: {"name": {"en": "Drugs"}},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/commitments",
            "a_officer",
            lambda c: f"/agreements/{c.agreement.public_id}/commitments",
            lambda c: {"title": {"en": "Train officers"}, "responsible_party": "MA-DGSN"},
        ),
        Operation(
            "PATCH",
            "/commitments/{commitment_id}",
            "a_officer",
            lambda c: f"/commitments/{_commitment(c).public_id}",
            lambda c: {"progress": 10},
        ),
        Operation(
            "POST",
            "/commitments/{commitment_id}/indicator-values",
            "a_officer",
            lambda c: f"/commitments/{_commitment(c).public_id}/indicator-values",
            lambda c: {"period_start": "2023-01-01", "period_end": "2023-06-30", "actual": "3"},
        ),
        Operation(
            "POST",
            "/commitments/{commitment_id}/reports",
            "b_officer",
            lambda c: f"/commitments/{_report(c).commitment.public_id}/reports",
            lambda c: {"progress": 40, "note": "Held."},
        ),
        Operation(
            "POST",
            "/reports/{report_id}/accept",
            "a_officer",
            lambda c: f"/reports/{_report(c).public_id}/accept",
            lambda c: {"answer": "Thanks."},
        ),
        Operation(
            "POST",
            "/reports/{report_id}/answer",
            "a_officer",
            lambda c: f"/reports/{_report(c).public_id}/answer",
            lambda c: {"answer": "Which dates?"},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/meetings",
            "a_officer",
            lambda c: f"/agreements/{c.agreement.public_id}/meetings",
            lambda c: {
                "kind": "expert_meeting",
                "title": {"en": "Cybercrime experts"},
                "starts_at": "2024-06-03T09:30:00",
                "ends_at": "2024-06-03T12:00:00",
                "time_zone": "Europe/Amsterdam",
                "host_party": "NL-POL",
            },
        ),
        Operation(
            "PATCH",
            "/meetings/{meeting_id}",
            "a_officer",
            lambda c: f"/meetings/{_meeting(c).public_id}",
            lambda c: {"place": "Rabat"},
        ),
        Operation(
            "PUT",
            "/meetings/{meeting_id}/minutes",
            "a_officer",
            lambda c: f"/meetings/{_meeting(c).public_id}/minutes",
            lambda c: {"minutes": {"en": "We met."}},
        ),
        Operation(
            "POST",
            "/meetings/{meeting_id}/agenda-items",
            "a_officer",
            lambda c: f"/meetings/{_meeting(c).public_id}/agenda-items",
            lambda c: {"title": "Opening"},
        ),
        Operation(
            "PATCH",
            "/agenda-items/{item_id}",
            "a_officer",
            lambda c: f"/agenda-items/{_agenda_item(c).public_id}",
            lambda c: {"title": "Opening"},
        ),
        Operation(
            "POST",
            "/meetings/{meeting_id}/guests",
            "a_officer",
            lambda c: f"/meetings/{_meeting(c).public_id}/guests",
            lambda c: {"name": "Dr. Lina Haddad"},
        ),
        Operation(
            "POST",
            "/meetings/{meeting_id}/decisions",
            "a_officer",
            lambda c: f"/meetings/{_meeting(c).public_id}/decisions",
            lambda c: {"text": "Agreed."},
        ),
        Operation(
            "POST",
            "/decisions/{decision_id}/commitments",
            "a_officer",
            lambda c: f"/decisions/{_decision(c).public_id}/commitments",
            lambda c: [{"title": {"en": "Send the list"}, "responsible_party": "NL-POL"}],
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/trainings",
            "a_officer",
            lambda c: f"/agreements/{c.agreement.public_id}/trainings",
            lambda c: {
                "kind": "study_visit",
                "title": {"en": "Port security visit"},
                "host_party": "NL-POL",
                "sending_party": "MA-DGSN",
                "starts_on": "2024-09-02",
                "ends_on": "2024-09-06",
            },
        ),
        Operation(
            "PATCH",
            "/trainings/{training_id}",
            "a_officer",
            lambda c: f"/trainings/{_training(c).public_id}",
            lambda c: {"place": "Rabat"},
        ),
        Operation(
            "PUT",
            "/trainings/{training_id}/participations/{party_code}",
            "a_officer",
            lambda c: f"/trainings/{_training(c).public_id}/participations/NL-POL",
            lambda c: {"count": 3},
        ),
        Operation(
            "PUT",
            "/trainings/{training_id}/evaluation",
            "a_officer",
            lambda c: f"/trainings/{_training(c, 'confirmed', 'held').public_id}/evaluation",
            lambda c: {"evaluation": "Useful."},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/requests",
            "a_officer",
            lambda c: f"/agreements/{c.agreement.public_id}/requests",
            lambda c: {"to_unit": c.b_cell.pk, "subject": "Vehicle check", "body": "Known?"},
        ),
        Operation(
            "POST",
            "/requests/{request_id}/messages",
            "a_officer",
            lambda c: f"/requests/{_request(c).public_id}/messages",
            lambda c: {"body": "A note.", "kind": "note"},
        ),
        Operation(
            "POST",
            "/requests/{request_id}/ask-clarification",
            "b_officer",
            lambda c: f"/requests/{_request(c).public_id}/ask-clarification",
            lambda c: {"body": "Which person?"},
        ),
        Operation(
            "POST",
            "/requests/{request_id}/clarification",
            "a_officer",
            lambda c: f"/requests/{_request(c, clarification=True).public_id}/clarification",
            lambda c: {"body": "This one."},
        ),
        Operation(
            "POST",
            "/requests/{request_id}/answer",
            "b_officer",
            lambda c: f"/requests/{_request(c).public_id}/answer",
            lambda c: {"body": "Known to us."},
        ),
        Operation(
            "POST",
            "/requests/{request_id}/refuse",
            "b_officer",
            lambda c: f"/requests/{_request(c).public_id}/refuse",
            lambda c: {"reason": "Outside the agreement."},
        ),
        Operation(
            "POST",
            "/agreements/{agreement_id}/peers",
            "a_coordinator",
            # An agreement of its own each time: one peer in use per party and agreement.
            lambda c: f"/agreements/{agreement_between(c.a, c.b).public_id}/peers",
            lambda c: {"party": "NL-POL", "public_key": PEER_KEY, "address": "https://nl.example/"},
        ),
    ]
}

LANGUAGES = ("ar", "fr", "en", "nl")


def _per_language(*names: str) -> list[str]:
    return [f"{name}.{lang}" for name in names for lang in LANGUAGES]


# operation -> its free-text fields (dotted paths in the body; "0." for list items)
FIELDS: dict[str, list[str]] = {
    "POST /tokens": ["name"],
    "POST /commitments/{commitment_id}/comments": ["text"],
    "POST /meetings/{meeting_id}/comments": ["text"],
    "POST /trainings/{training_id}/comments": ["text"],
    "PATCH /comments/{comment_id}": ["text"],
    "POST /agreements": [*_per_language("title", "summary"), "place", "source_references"],
    "PATCH /agreements/{agreement_id}": [
        *_per_language("title", "summary"),
        "place",
        "source_references",
    ],
    "POST /agreements/{agreement_id}/events": ["source", "note"],
    "POST /agreements/{agreement_id}/clauses": ["number", *_per_language("heading", "text")],
    "POST /agreements/{agreement_id}/areas": _per_language("name"),
    "PATCH /events/{event_id}": ["source", "note"],
    "PATCH /clauses/{clause_id}": ["number", *_per_language("heading", "text")],
    "PATCH /areas/{area_id}": _per_language("name"),
    "POST /agreements/{agreement_id}/commitments": [
        *_per_language("title", "description"),
        "indicator",
        "indicator_unit",
        "evidence_links",
    ],
    "PATCH /commitments/{commitment_id}": [
        *_per_language("title", "description"),
        "indicator",
        "indicator_unit",
        "evidence_links",
    ],
    "POST /commitments/{commitment_id}/indicator-values": ["note"],
    "POST /commitments/{commitment_id}/reports": ["note"],
    "POST /reports/{report_id}/accept": ["answer"],
    "POST /reports/{report_id}/answer": ["answer"],
    "POST /agreements/{agreement_id}/meetings": [
        *_per_language("title"),
        "time_zone",
        "place",
        "online_url",
    ],
    "PATCH /meetings/{meeting_id}": [*_per_language("title"), "time_zone", "place", "online_url"],
    "PUT /meetings/{meeting_id}/minutes": _per_language("minutes"),
    "POST /meetings/{meeting_id}/agenda-items": ["title", "notes"],
    "PATCH /agenda-items/{item_id}": ["title", "notes"],
    "POST /meetings/{meeting_id}/guests": ["name", "organisation"],
    "POST /meetings/{meeting_id}/decisions": ["text"],
    "POST /decisions/{decision_id}/commitments": [
        *(f"0.{path}" for path in _per_language("title", "description")),
        "0.indicator",
        "0.indicator_unit",
        "0.evidence_links",
    ],
    "POST /agreements/{agreement_id}/trainings": [*_per_language("title"), "place"],
    "PATCH /trainings/{training_id}": [*_per_language("title"), "place"],
    "PUT /trainings/{training_id}/participations/{party_code}": ["names"],
    "PUT /trainings/{training_id}/evaluation": ["evaluation"],
    "POST /agreements/{agreement_id}/requests": ["subject", "body"],
    "POST /requests/{request_id}/messages": ["body"],
    "POST /requests/{request_id}/ask-clarification": ["body"],
    "POST /requests/{request_id}/clarification": ["body"],
    "POST /requests/{request_id}/answer": ["body", "delay_reason"],
    "POST /requests/{request_id}/refuse": ["reason"],
    "POST /agreements/{agreement_id}/peers": ["public_key", "address"],
}

PAIRS = [(operation, field) for operation, fields in FIELDS.items() for field in fields]


# --- the OpenAPI document: which fields are free text, and their limits -----------------


def _document() -> dict:
    return api.get_openapi_schema()


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _free_text_fields(schema: dict, components: dict, path: str = "") -> dict[str, int | None]:
    """Dotted path -> maxLength of every string without enum, format or pattern."""
    schema = _resolve(schema, components)
    found: dict[str, int | None] = {}
    for branch in schema.get("anyOf", []) + schema.get("allOf", []):
        found |= _free_text_fields(branch, components, path)
    kind = schema.get("type")
    if kind == "object":
        for name, value in schema.get("properties", {}).items():
            found |= _free_text_fields(value, components, f"{path}{name}.")
    elif kind == "array":
        found |= _free_text_fields(schema["items"], components, f"{path}0.")
    elif kind == "string" and not {"enum", "format", "pattern"} & set(schema):
        found[path.rstrip(".")] = schema.get("maxLength")
    return found


def _documented() -> dict[str, dict[str, int | None]]:
    document = _document()
    components = document["components"]["schemas"]
    result = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                fields = _free_text_fields(content["application/json"]["schema"], components)
                if fields:
                    result[f"{method.upper()} {path.removeprefix(API)}"] = fields
    return result


DOCUMENTED = _documented()


def test_every_free_text_field_is_listed():
    assert {op: sorted(fields) for op, fields in DOCUMENTED.items()} == {
        op: sorted(fields) for op, fields in FIELDS.items()
    }


# --- the test ---------------------------------------------------------------------------


def _with_text(body: Any, field: str, text: str) -> Any:
    body = json.loads(json.dumps(body))
    *parents, last = [int(p) if p.isdigit() else p for p in field.split(".")]
    node = body
    for part in parents:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[last] = text
    return body


def _tokens(name: str | None) -> list[str]:
    """`body.0.title.en`, `commitments.0.title_en` and `title.en` all name title.en."""
    parts = [part for part in re.split(r"[._]", name or "") if part and not part.isdigit()]
    if len(parts) > 1 and parts[0] == "body":  # a location: the request body
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "commitments":  # the list of /decisions/{id}/commitments
        parts = parts[1:]
    return parts


def _names(error_field: str | None, field: str) -> bool:
    wanted, named = _tokens(field), _tokens(error_field)
    return bool(named) and wanted[: len(named)] == named


def assert_answered(response, field: str) -> None:
    """A 2xx, or a 4xx problem whose errors name `field`; never a server error."""
    assert response.status_code < 500, response.content[:2000]
    if response.status_code >= 300:
        assert response["Content-Type"] == "application/problem+json", response.content[:500]
        problem = response.json()
        errors = problem.get("errors") or []
        assert errors and all(error["message"] for error in errors), json.dumps(problem)
        assert any(_names(error["field"], field) for error in errors), json.dumps(problem)


def _client_for(call: Operation, user) -> Client:
    if call.path != "/tokens":
        return api_client(user)
    client = Client()  # tokens are created from a session, never with a token
    client.force_login(user)
    return client


@pytest.mark.parametrize(("operation", "field"), PAIRS, ids=[f"{o} {f}" for o, f in PAIRS])
def test_any_text_is_answered_without_a_server_error(cast, operation, field):
    call = OPERATIONS[operation]
    client = _client_for(call, getattr(cast, call.actor))
    limit = DOCUMENTED[operation][field]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(text=st.one_of(TEXT, too_long(limit)))
    def check(text):
        body = _with_text(call.body(cast), field, text)
        response = getattr(client, call.method.lower())(
            API + call.url(cast),
            json.dumps(body),
            content_type="application/json",
            HTTP_IF_MATCH="*",
        )
        assert_answered(response, field)

    check()
