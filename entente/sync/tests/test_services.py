"""The peer services: who may write, every refusal naming its field, and the audit."""

import base64

import pytest
from django.core.exceptions import ValidationError

from entente.audit.models import AuditEvent
from entente.core import instance_key
from entente.core.errors import ConflictError, NotFound, PermissionDenied
from entente.sync.models import Peer
from entente.sync.services import peer_add, peer_replace_key, peer_retire, peer_update
from entente.sync.tests.conftest import fingerprint_of, new_key
from entente.testing import agreement_between

pytestmark = pytest.mark.django_db


def refusal(call) -> dict:
    """The fields and messages of a service's ValidationError; nothing written."""
    before = (AuditEvent.objects.count(), Peer.objects.count())
    with pytest.raises(ValidationError) as refused:
        call()
    assert (AuditEvent.objects.count(), Peer.objects.count()) == before
    return refused.value.message_dict


def add(cast, **overrides) -> Peer:
    values = {
        "actor": cast.a_coordinator,
        "agreement": cast.agreement,
        "party": cast.b,
        "public_key": new_key(),
    }
    return peer_add(**(values | overrides))


def test_peer_add_records_the_key_its_fingerprint_and_an_audit_event(cast):
    key = new_key()
    peer = add(cast, public_key=f"  {key}\n", address="https://nl.example/entente/")
    peer.refresh_from_db()
    assert (
        peer.agreement,
        peer.party,
        peer.owning_party,
        peer.scope,
        peer.public_key,
        peer.fingerprint,
        peer.address,
        peer.retired_at,
        peer.version,
    ) == (
        cast.agreement,
        cast.b,
        cast.a,
        "internal",
        key,
        fingerprint_of(key),
        "https://nl.example/entente/",
        None,
        1,
    )
    event = AuditEvent.objects.get(target_type="sync.peer", target_id=str(peer.pk))
    assert (event.action, event.actor, event.after["public_key"], event.after["party_id"]) == (
        "create",
        cast.a_coordinator,
        key,
        cast.b.pk,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not base64!", "The public key is not valid base64."),
        ("", "An Ed25519 public key is 32 bytes; this one is 0."),
        (
            base64.b64encode(b"x" * 31).decode(),
            "An Ed25519 public key is 32 bytes; this one is 31.",
        ),
        (
            base64.b64encode(b"x" * 33).decode(),
            "An Ed25519 public key is 32 bytes; this one is 33.",
        ),
    ],
)
def test_peer_add_refuses_a_key_that_is_no_ed25519_public_key(cast, text, message):
    assert refusal(lambda: add(cast, public_key=text)) == {"public_key": [message]}


def test_peer_add_refuses_this_instances_own_key(cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    own = instance_key.public_key_text(instance_key.generate().public_key())
    assert refusal(lambda: add(cast, public_key=own)) == {
        "public_key": ["This is this instance's own key."]
    }


@pytest.mark.parametrize(
    "address", ["http://nl.example/", "ftp://nl.example/", "nl.example", "HTTP://nl.example/"]
)
def test_peer_add_refuses_an_address_that_is_not_https(cast, address):
    assert refusal(lambda: add(cast, address=address)) == {
        "address": [
            "The address must start with https://: bundles and keys do not travel unencrypted."
        ]
    }


def test_peer_add_refuses_the_actors_own_party(cast):
    assert refusal(lambda: add(cast, party=cast.a)) == {
        "party": ["A peer is another party's instance, not your own party's."]
    }


def test_peer_add_refuses_a_party_not_to_the_agreement(cast):
    assert refusal(lambda: add(cast, party=cast.c)) == {
        "party": ["This party is not a party to the agreement."]
    }


def test_peer_add_refuses_a_second_active_peer_for_the_party(cast):
    add(cast)
    assert refusal(lambda: add(cast)) == {
        "party": [
            "This party already has a peer instance in use for this agreement: "
            "replace its key or retire it first."
        ]
    }


def test_each_party_of_a_shared_instance_keeps_its_own_peer(cast):
    """On one instance for both parties, A's peer entry for B and B's for A are apart."""
    mine = add(cast)
    theirs = add(cast, actor=cast.b_coordinator, party=cast.a)
    assert (mine.owning_party, theirs.owning_party) == (cast.a, cast.b)


def test_only_a_coordinator_of_a_party_to_the_agreement_adds_a_peer(cast, a_auditor):
    with pytest.raises(PermissionDenied) as officer:
        add(cast, actor=cast.a_officer)
    assert str(officer.value) == "Only a coordinator may do this."
    with pytest.raises(PermissionDenied) as auditor:
        add(cast, actor=a_auditor)
    assert str(auditor.value) == "Only a coordinator may do this."
    with pytest.raises(NotFound):
        add(cast, actor=cast.c_officer)
    other = agreement_between(cast.a, cast.c)  # internal to A: B does not see it
    with pytest.raises(NotFound):
        add(cast, actor=cast.b_coordinator, agreement=other, party=cast.a)
    assert Peer.objects.count() == 0


def test_peer_update_changes_the_address_audited(cast, peer):
    changed = peer_update(
        actor=cast.a_coordinator, peer=peer, expected_version=1, address="https://new.example/"
    )
    assert (changed.address, changed.version) == ("https://new.example/", 2)
    event = AuditEvent.objects.filter(target_type="sync.peer").latest("seq")
    assert (event.action, event.before, event.after) == (
        "update",
        {
            "address": "https://entente.politie.example/",
            "version": 1,
            "updated_at": event.before["updated_at"],
        },
        {"address": "https://new.example/", "version": 2, "updated_at": event.after["updated_at"]},
    )


def test_peer_update_refuses_http_and_a_stale_version(cast, peer):
    assert refusal(
        lambda: peer_update(
            actor=cast.a_coordinator, peer=peer, expected_version=1, address="http://x.example/"
        )
    ) == {
        "address": [
            "The address must start with https://: bundles and keys do not travel unencrypted."
        ]
    }
    with pytest.raises(ConflictError):
        peer_update(actor=cast.a_coordinator, peer=peer, expected_version=7, address="")


def test_the_other_party_never_reaches_a_peer(cast, peer):
    with pytest.raises(NotFound):
        peer_retire(actor=cast.b_coordinator, peer=peer, expected_version=1)


def test_peer_retire_keeps_the_entry_and_frees_the_party(cast, peer):
    retired = peer_retire(actor=cast.a_coordinator, peer=peer, expected_version=1)
    assert (retired.is_active, retired.version) == (False, 2)
    assert AuditEvent.objects.filter(target_type="sync.peer").latest("seq").action == "retire"
    assert refusal(
        lambda: peer_retire(actor=cast.a_coordinator, peer=retired, expected_version=2)
    ) == {"retired_at": ["This peer key is retired; it cannot change."]}
    assert refusal(
        lambda: peer_update(actor=cast.a_coordinator, peer=retired, expected_version=2, address="")
    ) == {"retired_at": ["This peer key is retired; it cannot change."]}
    again = add(cast)
    entries = Peer.objects.order_by("pk").values_list("pk", "retired_at")
    assert [(pk, retired is None) for pk, retired in entries] == [
        (peer.pk, False),
        (again.pk, True),
    ]


def test_peer_replace_key_retires_the_entry_and_adds_the_new_key(cast, peer):
    key = new_key()
    new = peer_replace_key(actor=cast.a_coordinator, peer=peer, expected_version=1, public_key=key)
    peer.refresh_from_db()
    assert (peer.is_active, new.is_active, new.public_key, new.fingerprint, new.address) == (
        False,
        True,
        key,
        fingerprint_of(key),
        "https://entente.politie.example/",
    )
    actions = list(
        AuditEvent.objects.filter(target_type="sync.peer")
        .order_by("seq")
        .values_list("target_id", "action")
    )
    assert actions == [(str(peer.pk), "create"), (str(peer.pk), "retire"), (str(new.pk), "create")]


def test_peer_replace_key_refuses_a_bad_or_the_same_key_and_changes_nothing(cast, peer):
    assert refusal(
        lambda: peer_replace_key(
            actor=cast.a_coordinator, peer=peer, expected_version=1, public_key="AAAA"
        )
    ) == {"public_key": ["An Ed25519 public key is 32 bytes; this one is 3."]}
    assert refusal(
        lambda: peer_replace_key(
            actor=cast.a_coordinator, peer=peer, expected_version=1, public_key=peer.public_key
        )
    ) == {"public_key": ["This is the key already in use."]}
    peer.refresh_from_db()
    assert (peer.is_active, peer.version) == (True, 1)
