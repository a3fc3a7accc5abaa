"""JSON API of an agreement's peer instances: list, read, add. Only the recording
party's coordinators and auditors read them, only its coordinators add them."""

from django.http import HttpResponse
from ninja import Router

from entente.accounts.selectors import resolve_party
from entente.agreements.selectors import get_agreement_for_user
from entente.apikit.endpoints import create, with_etag
from entente.apikit.routes import CREATE, READ, listing, op
from entente.core.schemas import PublicId
from entente.sync import services
from entente.sync.models import Peer
from entente.sync.schemas import PeerId, PeerIn, PeerOut
from entente.sync.selectors import get_peer_for_user, peer_list

router = Router(tags=["sync"])


@listing(
    router,
    "/agreements/{agreement_id}/peers",
    "List an agreement's peer instances",
    PeerOut,
    "created_at",
)
def peer_list_api(request, agreement_id: PublicId):
    """The peer instances your party recorded for the agreement, retired ones included,
    oldest first (coordinators and auditors of your party; an empty list otherwise)."""
    agreement = get_agreement_for_user(request.auth, agreement_id)
    return peer_list(request.auth, agreement).prefetch_related("red_recipients").order_by()


@router.get("/peers/{peer_id}", url_name="peer-detail", **op("Get a peer instance", PeerOut, READ))
def peer_detail(request, response: HttpResponse, peer_id: PublicId = PeerId):
    """A peer instance, with how the exchanges with it stand."""
    peer = get_peer_for_user(request.auth, peer_id)
    return with_etag(response, peer)


@router.post("/agreements/{agreement_id}/peers", **op("Add a peer instance", PeerOut, CREATE, 201))
def peer_add(request, payload: PeerIn, agreement_id: PublicId):
    """Record another party's instance for the agreement (coordinators of a party to it);
    your party owns the entry and alone sees it."""
    user = request.auth
    agreement = get_agreement_for_user(user, agreement_id)
    services.require_peer_writer(user, agreement)

    def add() -> Peer:
        return services.peer_add(
            actor=user,
            agreement=agreement,
            party=resolve_party(payload.party, "party"),
            public_key=payload.public_key,
            address=payload.address,
        )

    return create(request, model=Peer, schema=PeerOut, action=add)
