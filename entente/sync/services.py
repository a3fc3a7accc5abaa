"""Writes to an instance's peers: add one, change its address, retire it, replace its
key. Only a coordinator of a party to the agreement writes them, for their own party;
every write is audited in its transaction."""

import base64
import binascii
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Membership, Party
from entente.agreements.models import Agreement
from entente.agreements.selectors import party_ids_of
from entente.audit.services import audited_create_owned, audited_update, write_transaction
from entente.core import instance_key
from entente.core.access import require_coordinator, require_owner_writer, require_visible
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.sync.models import Peer


def require_peer_writer(actor, agreement: Agreement) -> Membership:
    """A coordinator of a party to `agreement` (404 when they may not see it)."""
    require_visible(actor, agreement)
    membership = require_coordinator(actor)
    if membership.party_id not in party_ids_of(agreement):
        raise PermissionDenied(_("Your party is not a party to this agreement."))
    return membership


def peer_key(text: str) -> str:
    """`text` as the canonical base64 of a raw 32-byte Ed25519 public key;
    ValidationError on `public_key` otherwise."""
    text = (text or "").strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"public_key": _("The public key is not valid base64.")}) from None
    if len(raw) != 32:
        raise ValidationError(
            {
                "public_key": _("An Ed25519 public key is 32 bytes; this one is %(count)d.")
                % {"count": len(raw)}
            }
        )
    try:
        key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ValidationError({"public_key": _("This is not an Ed25519 public key.")}) from None
    return instance_key.public_key_text(key)


def _own_key() -> str | None:
    """This instance's own public key, when it has a readable one."""
    try:
        return instance_key.public_key_text(instance_key.public_key())
    except instance_key.InstanceKeyError:
        return None


def _check_address(address: str) -> str:
    address = (address or "").strip()
    if address and urlsplit(address).scheme.lower() != "https":
        raise ValidationError(
            {
                "address": _(
                    "The address must start with https://: bundles and keys do not "
                    "travel unencrypted."
                )
            }
        )
    return address


def _check_party(membership: Membership, agreement: Agreement, party: Party) -> None:
    if party.pk == membership.party_id:
        raise ValidationError(
            {"party": _("A peer is another party's instance, not your own party's.")}
        )
    if party.pk not in party_ids_of(agreement):
        raise ValidationError({"party": _("This party is not a party to the agreement.")})


def _check_no_active_peer(membership: Membership, agreement: Agreement, party: Party) -> None:
    active = Peer.objects.filter(
        owning_party_id=membership.party_id,
        agreement=agreement,
        party=party,
        retired_at__isnull=True,
    )
    if active.exists():
        raise ValidationError(
            {
                "party": _(
                    "This party already has a peer instance in use for this agreement: "
                    "replace its key or retire it first."
                )
            }
        )


def peer_add(
    *, actor, agreement: Agreement, party: Party, public_key: str, address: str = ""
) -> Peer:
    """Record `party`'s instance for `agreement` as a peer of this one, owned (and seen)
    by the actor's party only."""
    membership = require_peer_writer(actor, agreement)
    _check_party(membership, agreement, party)
    key = peer_key(public_key)
    if key == _own_key():
        raise ValidationError({"public_key": _("This is this instance's own key.")})
    address = _check_address(address)
    with write_transaction():
        _check_no_active_peer(membership, agreement, party)
        peer = Peer(
            agreement=agreement,
            party=party,
            public_key=key,
            fingerprint=instance_key.fingerprint(instance_key.public_key_from_text(key)),
            address=address,
        )
        return audited_create_owned(
            actor=actor,
            instance=peer,
            party_id=membership.party_id,
            handling=Handling(scope=Scope.INTERNAL),
        )


def _require_active(peer: Peer) -> None:
    if peer.retired_at is not None:
        raise ValidationError({"retired_at": _("This peer key is retired; it cannot change.")})


def peer_update(*, actor, peer: Peer, expected_version: int, address: str) -> Peer:
    """Change where a peer in use answers."""
    require_owner_writer(actor, peer, coordinator=True)
    address = _check_address(address)
    return audited_update(
        actor=actor,
        instance=peer,
        changes={"address": address},
        expected_version=expected_version,
        check=_require_active,
    )


def peer_retire(*, actor, peer: Peer, expected_version: int) -> Peer:
    """Stop using a peer's key; the entry stays, with what it signed."""
    require_owner_writer(actor, peer, coordinator=True)
    return audited_update(
        actor=actor,
        instance=peer,
        changes={"retired_at": timezone.now()},
        expected_version=expected_version,
        action="retire",
        check=_require_active,
    )


def peer_replace_key(*, actor, peer: Peer, expected_version: int, public_key: str) -> Peer:
    """The peer's instance has a new key: retire this entry and add one with the new key
    and the same address, in one transaction, so the old key stays in the history."""
    require_owner_writer(actor, peer, coordinator=True)
    key = peer_key(public_key)
    if key == peer.public_key:
        raise ValidationError({"public_key": _("This is the key already in use.")})
    with write_transaction():
        retired = peer_retire(actor=actor, peer=peer, expected_version=expected_version)
        return peer_add(
            actor=actor,
            agreement=retired.agreement,
            party=retired.party,
            public_key=key,
            address=retired.address,
        )
