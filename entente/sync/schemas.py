"""Shapes of peer instances in the JSON API. In schemas refuse unknown fields; parties
are named by code."""

import datetime as dt

from ninja import Field, Schema

from entente.apikit.schemas import PartyOwnedOut
from entente.core.schemas import In, NoNul, PartyCode, PublicRef, id_in_path
from entente.sync.selectors import peer_sync_status

PeerId = id_in_path("The peer instance's id.")


class PeerSyncOut(Schema):
    """How the exchanges with the peer stand: null until bundles are exchanged (they are
    not yet: issue 16's bundles come later)."""

    last_bundle_sent: dt.datetime | None = Field(description="When the last bundle was sent.")
    last_bundle_received: dt.datetime | None = Field(
        description="When the last bundle from the peer was received."
    )
    last_witnessed_tree_head: dict | None = Field(
        description="The last signed tree head of the peer's audit log checked here."
    )
    refused_bundles: int | None = Field(description="How many of its bundles were refused.")


class PeerOut(PartyOwnedOut):
    agreement: PublicRef
    party: str = Field(description="Code of the party whose instance this is.")
    public_key: str = Field(description="Its Ed25519 public key: 32 bytes in base64.")
    fingerprint: str = Field(description="The key's fingerprint: 8 groups of 4 hex digits.")
    address: str = Field(description="Its https:// address; empty when it is not reachable.")
    retired_at: dt.datetime | None = Field(description="When its key was retired; null in use.")
    sync: PeerSyncOut

    @staticmethod
    def resolve_party(peer) -> str:
        return peer.party.code

    @staticmethod
    def resolve_sync(peer) -> PeerSyncOut:
        return PeerSyncOut(**vars(peer_sync_status(peer)))


class PeerIn(In):
    party: PartyCode = Field(description="Code of the other party whose instance this is.")
    public_key: NoNul = Field(
        min_length=1, max_length=200, description="Its Ed25519 public key: 32 bytes in base64."
    )
    address: NoNul = Field(
        default="", max_length=300, description="Its https:// address, if it can be reached."
    )
