"""Markings cannot lock out (issue 9, finding 3).

Only a coordinator of the owning party raises a record to TLP:RED or TLP:AMBER+STRICT,
lowers its marking or removes a recipient: anyone else gets 403 on the marking action
and 422 on the field in a create. The owning party's coordinators always see their
party's records; recipients are users of a party to the agreement; every change of the
recipients is in the audit chain, before and after.
"""

import datetime as dt

import pytest
from django.urls import reverse

from entente.accounts.enums import Role
from entente.accounts.models import Contact
from entente.accounts.services import contact_create
from entente.agreements import selectors
from entente.agreements.models import Agreement, Commitment
from entente.agreements.services.agreements import record_set_marking
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_verify
from entente.core.enums import Marking, Scope
from entente.core.errors import PermissionDenied, ValidationError
from entente.core.models import Handling
from entente.testing import member, with_handling
from entente.tests.api_helpers import API, api_client, problem_body

MARK_RED = "Only a coordinator of the owning party may mark a record TLP:RED."
MARK_STRICT = "Only a coordinator of the owning party may mark a record TLP:AMBER+STRICT."
LOWER = "Only a coordinator of the owning party may lower a marking."
NARROW = "Only a coordinator of the owning party may remove a TLP:RED recipient."


def commitment(cast, actor=None, **fields) -> Commitment:
    values = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Exchange liaison officers"},
        "responsible_party": cast.a,
        "scope": Scope.SHARED,
        "due_date": dt.date(2031, 1, 31),
    }
    return commitment_create(**with_handling(values | fields))


def post_json(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def marking_path(record) -> str:
    kind = "agreements" if isinstance(record, Agreement) else "commitments"
    return f"{API}/{kind}/{record.public_id}/marking"


def set_marking(user, record, marking, *recipients):
    """The marking endpoint as `user` calls it, at the record's current version."""
    record.refresh_from_db()
    tag = f'"{record._meta.model_name}-{record.public_id}-v{record.version}"'
    body = {"marking": marking, "red_recipients": [u.username for u in recipients]}
    return post_json(api_client(user), marking_path(record), body, HTTP_IF_MATCH=tag)


def state(record) -> tuple:
    record.refresh_from_db()
    recipients = sorted(record.red_recipients.values_list("username", flat=True))
    return (record.marking, record.version, recipients, AuditEvent.objects.count())


# --- the marking action: 403 ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["agreement", "commitment"])
def test_officer_cannot_mark_red_naming_only_themself(cast, kind):
    record = cast.agreement if kind == "agreement" else commitment(cast)
    client = api_client(cast.a_officer)  # its token is audited: made before counting
    before = state(record)
    record.refresh_from_db()
    tag = f'"{kind}-{record.public_id}-v{record.version}"'
    body = {"marking": "TLP:RED", "red_recipients": ["a_officer"]}
    response = post_json(client, marking_path(record), body, HTTP_IF_MATCH=tag)
    assert (response.status_code, response.json()["detail"]) == (403, MARK_RED)
    assert state(record) == before


def test_officer_cannot_mark_amber_strict_but_may_raise_to_amber(cast):
    record = commitment(cast, marking=Marking.GREEN)
    response = set_marking(cast.a_officer, record, "TLP:AMBER+STRICT")
    assert (response.status_code, response.json()["detail"]) == (403, MARK_STRICT)
    response = set_marking(cast.a_officer, record, "TLP:AMBER")
    assert (response.status_code, response.json()["marking"]) == (200, "TLP:AMBER")


def test_officer_recipient_may_add_but_not_remove_recipients(cast):
    record = commitment(cast)
    set_marking(cast.a_coordinator, record, "TLP:RED", cast.a_officer, cast.b_officer)
    response = set_marking(cast.a_officer, record, "TLP:RED", cast.a_coordinator)
    assert (response.status_code, response.json()["detail"]) == (403, NARROW)
    everyone = (cast.a_coordinator, cast.b_officer, cast.b_coordinator)
    response = set_marking(cast.a_officer, record, "TLP:RED", *everyone)
    assert (response.status_code, response.json()["red_recipients"]) == (
        200,
        ["a_coordinator", "a_officer", "b_coordinator", "b_officer"],
    )
    response = set_marking(cast.a_officer, record, "TLP:AMBER")
    assert (response.status_code, response.json()["detail"]) == (403, LOWER)
    response = set_marking(cast.a_coordinator, record, "TLP:RED", cast.b_officer)
    assert (response.status_code, response.json()["red_recipients"]) == (
        200,
        ["a_coordinator", "b_officer"],
    )


def test_red_recipients_are_users_of_a_party_to_the_agreement(cast):
    record = commitment(cast)
    client = api_client(cast.a_coordinator)
    before = state(record)
    record.refresh_from_db()
    tag = f'"commitment-{record.public_id}-v{record.version}"'
    body = {"marking": "TLP:RED", "red_recipients": ["b_officer", "c_officer"]}
    response = post_json(client, marking_path(record), body, HTTP_IF_MATCH=tag)
    path = marking_path(record)
    assert response.json() == problem_body(
        422,
        "Unprocessable Content",
        "The input is not valid.",
        path,
        errors=[
            {
                "field": "red_recipients",
                "message": "Only users of a party to the agreement may be recipients: c_officer.",
            }
        ],
    )
    assert state(record) == before


# --- inside a create: 422 on the field -------------------------------------------------


def test_officer_cannot_create_amber_strict_in_the_form(client, cast):
    # The commitment form offers no TLP:RED (recipients are named on the record later);
    # the meeting and training forms' TLP:RED refusals are tested with their forms.
    client.force_login(cast.a_officer)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("agreements:commitment-create", args=[cast.agreement.public_id]),
        {
            "reference_language": "en",
            "title_en": "Exchange liaison officers",
            "responsible_party": cast.a.pk,
            "kind": "one_off",
            "progress": "0",
            "scope": "shared",
            "marking": "TLP:AMBER+STRICT",
        },
    )
    assert response.context["form"].errors == {"marking": [MARK_STRICT]}
    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_officer_cannot_create_red_through_the_api(cast):
    client = api_client(cast.a_officer)
    events = AuditEvent.objects.count()
    path = f"{API}/agreements/{cast.agreement.public_id}/commitments"
    body = {
        "title": {"en": "Exchange liaison officers"},
        "responsible_party": "MA-DGSN",
        "marking": "TLP:RED",
        "red_recipients": ["a_officer"],
    }
    response = post_json(client, path, body)
    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"field": "marking", "message": MARK_RED}],
    )
    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_party_admin_cannot_create_a_contact_marked_amber_strict(cast):
    admin = member("a_admin", cast.a, Role.PARTY_ADMIN, cast.a_cell)
    with pytest.raises(ValidationError) as exc:
        contact_create(
            actor=admin,
            unit=cast.a_cell,
            name="Informant",
            handling=Handling(marking=Marking.AMBER_STRICT),
        )
    assert exc.value.message_dict == {"marking": [MARK_STRICT]}
    assert Contact.objects.count() == 0


# --- no lock-out ------------------------------------------------------------------------


def red_naming_only(record, user) -> None:
    """A record left TLP:RED for one officer (as the old rule let an officer leave it)."""
    type(record).objects.filter(pk=record.pk).update(marking=Marking.RED)
    record.red_recipients.set([user])
    record.refresh_from_db()


def test_owning_coordinator_sees_a_red_record_naming_only_the_officer(cast):
    record = commitment(cast)
    red_naming_only(record, cast.a_officer)
    seen_by = {
        name
        for name in ["a_coordinator", "a_officer", "a_reader", "b_coordinator", "b_officer"]
        if selectors.commitment_visible_to(getattr(cast, name)).filter(pk=record.pk).exists()
    }
    assert seen_by == {"a_coordinator", "a_officer"}
    coordinator = api_client(cast.a_coordinator)
    assert coordinator.get(f"{API}/commitments/{record.public_id}").status_code == 200
    response = set_marking(cast.a_coordinator, record, "TLP:AMBER")
    assert (response.status_code, response.json()["marking"]) == (200, "TLP:AMBER")
    assert (
        api_client(cast.b_officer).get(f"{API}/commitments/{record.public_id}").status_code == 200
    )


def test_owning_coordinator_sees_a_red_agreement_naming_only_the_officer(client, cast):
    red_naming_only(cast.agreement, cast.a_officer)
    client.force_login(cast.a_coordinator)
    assert client.get(f"/agreements/{cast.agreement.public_id}/").status_code == 200
    client.force_login(cast.b_coordinator)
    assert client.get(f"/agreements/{cast.agreement.public_id}/").status_code == 404


def test_other_partys_coordinator_is_not_an_owning_coordinator(cast):
    record = commitment(cast)
    red_naming_only(record, cast.a_officer)
    assert list(selectors.commitment_visible_to(cast.b_coordinator)) == []
    with pytest.raises(PermissionDenied):
        record_set_marking(
            actor=cast.b_coordinator, record=cast.agreement, marking="TLP:RED", expected_version=1
        )


# --- the audit chain -------------------------------------------------------------------


def test_marking_and_recipient_changes_are_audited_before_and_after(cast):
    record = commitment(cast, marking=Marking.GREEN)
    a_coordinator, b_officer, a_officer = cast.a_coordinator, cast.b_officer, cast.a_officer
    record_set_marking(
        actor=a_coordinator,
        record=record,
        marking=Marking.RED,
        expected_version=1,
        red_recipients=[b_officer],
    )
    record_set_marking(
        actor=a_coordinator,
        record=record,
        marking=Marking.RED,
        expected_version=2,
        red_recipients=[b_officer, a_officer],
    )
    events = AuditEvent.objects.filter(
        target_type="agreements.commitment", target_id=str(record.pk)
    ).order_by("seq")
    rows = [
        (
            e.action,
            {k: v for k, v in (e.before or {}).items() if k in ("marking", "red_recipients")},
            {k: v for k, v in (e.after or {}).items() if k in ("marking", "red_recipients")},
        )
        for e in events
    ]
    assert rows == [
        ("create", {}, {"marking": "TLP:GREEN", "red_recipients": []}),
        (
            "marking",
            {"marking": "TLP:GREEN", "red_recipients": []},
            {"marking": "TLP:RED", "red_recipients": sorted([a_coordinator.pk, b_officer.pk])},
        ),
        (
            "marking",
            {"red_recipients": sorted([a_coordinator.pk, b_officer.pk])},
            {"red_recipients": sorted([a_coordinator.pk, b_officer.pk, a_officer.pk])},
        ),
    ]
    assert audit_chain_verify().ok
