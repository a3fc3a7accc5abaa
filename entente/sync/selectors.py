"""Reads of an instance's peers, and of how its exchanges with each stand.

A peer entry is internal to the party that records it: the other parties never see it,
whatever their role. Within the recording party, its coordinators (who add, replace and
retire peers) and its auditors (who check the record and, later, the witnessed heads)
read it; officers, readers and party administrators do not, as they do not read the
audit chain either: a peer is part of how this instance is run, not of the agreement's
record.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, QuerySet

from entente.accounts.enums import Role
from entente.core.access import get_visible, membership_of, require_owner_writer, visible_to
from entente.sync.models import Peer

# The roles of the recording party who read its peers.
PEER_READERS = frozenset({Role.COORDINATOR, Role.AUDITOR})


def reads_peers(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in PEER_READERS


def peer_visible_to(user) -> QuerySet[Peer]:
    """The peers of the user's own party, under agreements they see, for its coordinators
    and auditors; none for anyone else."""
    if not reads_peers(user):
        return Peer.objects.none()
    return (
        visible_to(Peer.objects.all(), user)
        .filter(owning_party_id=user.membership.party_id)
        .select_related("agreement", "party", "owning_party")
    )


def get_peer_for_user(user, pk, *, write: bool = False) -> Peer:
    """The peer with public id `pk`: NotFound unless the user reads peers of its party;
    with `write`, PermissionDenied unless they are one of its coordinators."""
    peer = get_visible(peer_visible_to(user), pk)
    if write:
        require_owner_writer(user, peer, coordinator=True)
    return peer


def peer_list(user, agreement) -> QuerySet[Peer]:
    """The agreement's peers the user reads: those in use first, by party, newest first."""
    return (
        peer_visible_to(user)
        .filter(agreement=agreement)
        # In use (no retired_at) first on both databases: PostgreSQL sorts NULLs last.
        .order_by(F("retired_at").asc(nulls_first=True), "party__code", "-created_at", "-pk")
    )


@dataclass(frozen=True)
class PeerSyncStatus:
    """Where the exchanges with one peer stand (issue 16, part 6)."""

    last_bundle_sent: dt.datetime | None = None
    last_bundle_received: dt.datetime | None = None
    last_witnessed_tree_head: dict | None = None  # size, root, when, as it was signed
    refused_bundles: int | None = None


def peer_sync_status(peer: Peer) -> PeerSyncStatus:
    """How the exchanges with `peer` stand: the last bundle sent and received, the last
    tree head of the peer's log witnessed here, and the bundles refused.

    Every value is None today: bundles, acknowledgements and witnessed heads are not
    built yet (issue 16, parts 3 and 4), and nothing here may be shown that did not
    happen. The pages and the API already show these fields ("none yet"); once bundle
    records exist, they are read from them here, and only here.
    """
    return PeerSyncStatus()
