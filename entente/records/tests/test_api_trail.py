"""The audit API: a record's history for those who see the record, and the chain head."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.accounts.enums import Role
from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
    record_publish,
)
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_update,
)
from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_head
from entente.core import registry
from entente.testing import UserFactory, member, with_handling
from entente.tests.api_helpers import UNKNOWN, api_client, as_shown, iso, problem_body

AUDIT = "/api/v1/audit"


def new_commitment(cast, **kwargs):
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Designate a contact cell"},
        "responsible_party": cast.a,
        "due_date": dt.date(2030, 6, 30),
    }
    return commitment_create(**with_handling(defaults | kwargs))


def event_json(event: AuditEvent, revision: int, *, chain: bool = False) -> dict:
    """The event as the API shows it to its owner; `chain` for auditors and the operator."""
    record = registry.record_type(event.target_type).model._base_manager.get(
        pk=int(event.target_id)
    )
    return {
        "revision": revision,
        "seq": event.seq if chain else None,
        "hash": event.hash if chain else None,
        "at": iso(event.at),
        "actor": event.actor_name,
        "action": event.action,
        "before": as_shown(record, event.before),
        "after": as_shown(record, event.after),
    }


def events_json(events: list[AuditEvent], *, chain: bool = False) -> list[dict]:
    return [event_json(e, n, chain=chain) for n, e in enumerate(events, start=1)]


def history(record) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).order_by("seq")
    )


def test_trail_of_a_commitment(cast):
    commitment = new_commitment(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="in_progress", expected_version=1
    )
    record_publish(actor=cast.a_coordinator, record=commitment, expected_version=2)
    path = f"{AUDIT}/agreements.commitment/{commitment.public_id}"
    response = api_client(cast.a_reader).get(path)
    assert response.status_code == 200
    events = history(commitment)
    assert [(e.action, e.actor_name) for e in events] == [
        ("create", "a_officer"),
        ("status", "a_officer"),
        ("publish", "a_coordinator"),
    ]
    assert response.json() == {"items": events_json(events), "next_cursor": None}
    status = response.json()["items"][1]
    assert (status["before"]["status"], status["after"]["status"]) == ("planned", "in_progress")
    # Shared now: the other party sees its history from the publishing on (as its first
    # revision, without what it was before), the outsider does not see it at all.
    assert api_client(cast.b_officer).get(path).json()["items"] == [
        event_json(events[2], 1) | {"before": None}
    ]
    assert api_client(cast.c_officer).get(path).status_code == 404


def test_trail_pages_in_sequence(cast):
    commitment = new_commitment(cast)
    for version in range(1, 4):
        commitment_update(
            actor=cast.a_officer, commitment=commitment, expected_version=version, progress=version
        )
    client = api_client(cast.a_officer)
    path = f"{AUDIT}/agreements.commitment/{commitment.public_id}"
    first = client.get(path, {"limit": 3}).json()
    second = client.get(path, {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert first["items"] + second["items"] == events_json(history(commitment))
    assert second["next_cursor"] is None


def test_trail_is_404_to_those_who_may_not_see_the_record(cast):
    commitment = new_commitment(cast)  # internal to A
    for who, path in [
        ("b_officer", f"{AUDIT}/agreements.commitment/{commitment.public_id}"),
        ("c_officer", f"{AUDIT}/agreements.agreement/{cast.agreement.public_id}"),
        ("a_officer", f"{AUDIT}/agreements.commitment/7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"),
    ]:
        response = api_client(getattr(cast, who)).get(path)
        assert response.status_code == 404
        assert response.json() == problem_body(404, "Not Found", "No such record.", path)


@pytest.mark.parametrize("record_type", ["accounts.apitoken", "audit.auditevent", "nothing"])
def test_trail_of_an_unknown_record_type_is_404(cast, record_type):
    path = f"{AUDIT}/{record_type}/{UNKNOWN}"
    response = api_client(cast.a_coordinator).get(path)
    assert response.json() == problem_body(404, "Not Found", "No such record type.", path)


def test_trail_of_agreement_parts(cast):
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="drugs", name={"en": "Drugs"}
    )
    event = agreement_event_record(
        actor=cast.b_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )
    client = api_client(cast.b_officer)
    for record_type, record in [
        ("agreements.clause", clause),
        ("agreements.cooperationarea", area),
        ("agreements.agreementevent", event),
    ]:
        response = client.get(f"{AUDIT}/{record_type}/{record.public_id}")
        assert response.json() == {"items": events_json(history(record)), "next_cursor": None}
        assert [item["action"] for item in response.json()["items"]] == ["create"]


def test_chain_head_for_auditors_and_the_operator(cast):
    auditor = member("a_auditor", cast.a, Role.AUDITOR, cast.a_cell)
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    clients = [api_client(auditor), api_client(operator)]
    new_commitment(cast)
    seq, digest = audit_chain_head()
    assert AuditEvent.objects.get(seq=seq).hash == digest
    for client in clients:
        response = client.get(f"{AUDIT}/head")
        assert response.status_code == 200
        assert response.json() == {"seq": seq, "hash": digest}


@pytest.mark.parametrize(
    "who", ["a_coordinator", "b_coordinator", "a_officer", "a_reader", "c_officer"]
)
def test_chain_head_refused_to_others(cast, who):
    path = f"{AUDIT}/head"
    response = api_client(getattr(cast, who)).get(path)
    assert response.status_code == 403
    assert response.json() == problem_body(
        403, "Forbidden", "Only auditors and the operator may read the chain head.", path
    )


def test_audit_needs_authentication(client, cast):
    for path in (f"{AUDIT}/head", f"{AUDIT}/agreements.agreement/{cast.agreement.public_id}"):
        assert client.get(path).status_code == 401


def test_trail_query_count_does_not_grow(cast):
    commitment = new_commitment(cast)
    client = api_client(cast.a_officer)
    path = f"{AUDIT}/agreements.commitment/{commitment.public_id}"
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for version in range(1, 6):
        commitment_update(
            actor=cast.a_officer, commitment=commitment, expected_version=version, progress=version
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(path).json()["items"]) == 6
    assert len(many) == len(few)
