"""A record's history as each side may read it (issue 9, findings 1, 5 and 7).

A party reads a record's events only from the moment the record became visible to it,
with the references it may not see redacted; users see per-record revisions, and only
auditors and the operator see the chain's global sequence and hashes.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entente.accounts.enums import Role
from entente.agreements.services.agreements import record_publish, record_set_marking
from entente.agreements.services.commitments import commitment_create, commitment_update
from entente.attachments.services import attachment_add
from entente.audit.models import AuditEvent
from entente.core import registry
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.decisions import (
    decision_change_status,
    decision_record,
    decision_to_commitments,
)
from entente.meetings.services.meetings import meeting_create
from entente.testing import member, with_handling
from entente.tests.api_helpers import api_client, as_shown, iso

AUDIT = "/api/v1/audit"
DRAFT = "we lack the budget"


def trail_url(record) -> str:
    return reverse("records:record-trail", args=[record._meta.label_lower, str(record.public_id)])


def api_url(record) -> str:
    return f"{AUDIT}/{record._meta.label_lower}/{record.public_id}"


def chain_of(record) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).order_by("seq")
    )


def shown(event: AuditEvent, revision: int, **overrides) -> dict:
    """The event as the API shows it to a user who does not read the chain (and sees
    every record it names: overrides say what they do not see)."""
    record = registry.record_type(event.target_type).model._base_manager.get(
        pk=int(event.target_id)
    )
    item = {
        "revision": revision,
        "seq": None,
        "hash": None,
        "at": iso(event.at),
        "actor": event.actor_name,
        "action": event.action,
        "before": as_shown(record, event.before),
        "after": as_shown(record, event.after),
    }
    return item | overrides


def drafted_then_published(cast):
    """Finding 1: an internal draft, cleaned up, then published, then changed again."""
    commitment = commitment_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        title={"en": "Fund the joint team"},
        description={"en": DRAFT},
        responsible_party=cast.a,
        due_date=dt.date(2030, 6, 30),
    )
    commitment_update(
        actor=cast.a_coordinator,
        commitment=commitment,
        expected_version=1,
        description_en="Funding is planned for 2030.",
    )
    record_publish(actor=cast.a_coordinator, record=commitment, expected_version=2)
    return commitment_update(
        actor=cast.a_coordinator, commitment=commitment, expected_version=3, progress=10
    )


def meeting(cast, **kwargs):
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "kind": "joint_committee",
        "title": {"en": "First joint committee"},
        "starts_at": dt.datetime(2023, 3, 14, 10, 0),
        "ends_at": dt.datetime(2023, 3, 14, 16, 0),
        "time_zone": "Africa/Casablanca",
        "host_party": cast.a,
        "scope": Scope.SHARED,
        "marking": Marking.GREEN,
    }
    return meeting_create(**with_handling(defaults | kwargs))


def test_other_party_reads_the_api_trail_from_the_publishing_on(cast):
    commitment = drafted_then_published(cast)
    create, draft_fix, publish, progress = chain_of(commitment)
    response = api_client(cast.b_officer).get(api_url(commitment))
    assert response.status_code == 200
    assert response.json() == {
        "items": [shown(publish, 1, before=None), shown(progress, 2)],
        "next_cursor": None,
    }
    assert DRAFT not in response.content.decode()
    # The owner keeps the whole chain, the draft included.
    owner = api_client(cast.a_reader).get(api_url(commitment)).json()["items"]
    assert owner == [shown(e, n) for n, e in enumerate(chain_of(commitment), start=1)]
    assert owner[0]["after"]["description_en"] == DRAFT


def test_other_party_reads_the_trail_page_from_the_publishing_on(client, cast):
    commitment = drafted_then_published(cast)
    client.force_login(cast.b_officer)
    response = client.get(trail_url(commitment))
    assert [(e.revision, e.label, e.changes) for e in response.context["events"]] == [
        (2, "Changed", [{"field": "progress (%)", "before": "0", "after": "10"}]),
        (
            1,
            "Published to the other parties",
            [{"field": "scope", "before": None, "after": "Shared"}],
        ),
    ]
    html = response.content.decode()
    assert DRAFT not in html
    assert "revision 2" in html
    client.force_login(cast.a_reader)
    owner = client.get(trail_url(commitment))
    assert [e.revision for e in owner.context["events"]] == [4, 3, 2, 1]
    assert DRAFT in owner.content.decode()


def test_a_red_record_is_read_by_others_only_from_its_lowering_on(cast):
    commitment = commitment_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        title={"en": "Name the informant"},
        responsible_party=cast.a,
        due_date=dt.date(2030, 6, 30),
        handling=Handling(
            scope=Scope.SHARED, marking=Marking.RED, red_recipients=[cast.a_coordinator]
        ),
    )
    commitment_update(
        actor=cast.a_coordinator, commitment=commitment, expected_version=1, title_en="Routes"
    )
    record_set_marking(
        actor=cast.a_coordinator, record=commitment, marking=Marking.AMBER, expected_version=2
    )
    *_, lowering = chain_of(commitment)
    items = api_client(cast.b_officer).get(api_url(commitment)).json()["items"]
    assert items == [shown(lowering, 1, before=None)]
    assert [
        i["revision"]
        for i in api_client(cast.a_coordinator).get(api_url(commitment)).json()["items"]
    ] == [1, 2, 3]


def test_a_decision_names_only_the_commitments_the_reader_may_see(client, cast):
    decision = decision_record(actor=cast.a_officer, meeting=meeting(cast), text="Act")
    (internal,) = decision_to_commitments(
        actor=cast.a_officer,
        decision=decision,
        commitments=[
            {"title": {"en": "Hidden plan"}, "responsible_party": cast.a, "due_date": "2030-01-01"}
        ],
    )
    assert internal.scope == Scope.INTERNAL
    create, commitments = chain_of(decision)
    assert commitments.after == {"commitments": [internal.pk]}
    other = api_client(cast.b_officer).get(api_url(decision)).json()["items"]
    assert other == [shown(create, 1), shown(commitments, 2, after={"commitments": ["hidden"]})]
    owner = api_client(cast.a_reader).get(api_url(decision)).json()["items"]
    assert owner[1]["after"] == {"commitments": [str(internal.public_id)]}
    client.force_login(cast.b_officer)
    page = client.get(trail_url(decision))
    assert page.context["events"][0].changes == [
        {"field": "commitments", "before": None, "after": "(not visible to you)"}
    ]


def test_a_decision_taken_while_its_meeting_was_internal_is_read_from_the_publishing_on(cast):
    internal = meeting(cast, scope=Scope.INTERNAL)
    decision = decision_record(actor=cast.a_officer, meeting=internal, text="Act")
    record_publish(actor=cast.a_coordinator, record=internal, expected_version=1)
    decision_change_status(actor=cast.a_officer, decision=decision, status="implemented")
    _create, status = chain_of(decision)
    items = api_client(cast.b_officer).get(api_url(decision)).json()["items"]
    assert items == [shown(status, 1, before=None)]


def test_the_trail_never_shows_a_stored_file_path(cast):
    upload = SimpleUploadedFile("plan.txt", b"evidence", content_type="text/plain")
    attachment = attachment_add(actor=cast.a_officer, target=cast.agreement, upload=upload)
    (create,) = chain_of(attachment)
    assert create.after["file"].startswith("attachments/")
    for user in (cast.a_officer, cast.b_officer):
        (item,) = api_client(user).get(api_url(attachment)).json()["items"]
        assert "file" not in item["after"]
        shown_after = as_shown(attachment, create.after)
        assert item["after"] == {k: v for k, v in shown_after.items() if k != "file"}


def test_seq_and_hashes_are_shown_to_the_auditor_only(client, cast):
    commitment = drafted_then_published(cast)
    events = chain_of(commitment)
    auditor = member("a_auditor", cast.a, Role.AUDITOR, cast.a_cell)
    items = api_client(auditor).get(api_url(commitment)).json()["items"]
    assert items == [shown(e, n, seq=e.seq, hash=e.hash) for n, e in enumerate(events, start=1)]
    officer = api_client(cast.a_officer).get(api_url(commitment)).json()["items"]
    assert [(i["seq"], i["hash"]) for i in officer] == [(None, None)] * 4
    client.force_login(cast.a_officer)
    html = client.get(trail_url(commitment)).content.decode()
    assert "chain entry" not in html
    assert all(e.hash not in html for e in events)
    client.force_login(auditor)
    html = client.get(trail_url(commitment)).content.decode()
    assert f"chain entry {events[-1].seq}" in html
    assert all(e.hash in html for e in events)


def test_a_cursor_names_a_revision_not_a_chain_position(cast):
    commitment = drafted_then_published(cast)
    client = api_client(cast.a_officer)
    first = client.get(api_url(commitment), {"limit": 2}).json()
    second = client.get(api_url(commitment), {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [i["revision"] for i in first["items"] + second["items"]] == [1, 2, 3, 4]
    assert second["next_cursor"] is None
    assert first["next_cursor"] == "WzJd"  # base64 of [2]
    bad = client.get(api_url(commitment), {"cursor": "!!"})
    assert bad.status_code == 422


def test_the_marking_banner_shows_only_for_records_with_a_marking(client, cast):
    shared = meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=shared, text="Act")
    item = agenda_item_add(actor=cast.a_officer, meeting=shared, title="Routes")
    client.force_login(cast.b_officer)
    assert "marking-banner" not in client.get(trail_url(decision)).content.decode()
    # An agenda item is its proposer's own record, with its own marking.
    for record in (item, shared):
        assert "marking-banner" in client.get(trail_url(record)).content.decode()
