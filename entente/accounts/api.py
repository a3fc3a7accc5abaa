"""JSON API of accounts: who am I, my API tokens, the parties, their units and contacts."""

from django.http import HttpResponse
from ninja import Path, Router
from ninja.pagination import paginate

from entente.accounts.models import ApiToken
from entente.accounts.schemas import (
    ContactOut,
    MeOut,
    PartyOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UnitOut,
)
from entente.accounts.selectors import (
    contact_visible_to,
    get_directory_party,
    get_token_for_user,
    party_list,
    require_token_issuer,
    token_list_for,
    unit_list,
)
from entente.accounts.services import token_create, token_revoke
from entente.apikit.idempotency import idempotent
from entente.apikit.routes import LIST, READ, op
from entente.core.access import membership_of
from entente.core.http import CursorPagination
from entente.core.problems import problem_responses
from entente.core.schemas import key_in_path

router = Router(tags=["accounts"])

# A token is created from the request body alone (no record to find), and only its owner
# revokes it (no body, no version; 422 for an id that is not a number).
TOKEN_CREATE = problem_responses(400, 401, 403, 413, 415, 422, 429)
TOKEN_REVOKE = problem_responses(401, 403, 404, 422, 429)


@router.get("/me", **op("Who am I", MeOut, problem_responses(401, 429)))
def me(request):
    """The user the request is authenticated as, their party and role."""
    user = request.auth
    membership = membership_of(user)
    return {
        "username": user.get_username(),
        "party": membership.party.code if membership else None,
        "role": membership.role if membership else None,
    }


@router.get("/tokens", **op("List my tokens", list[TokenOut], LIST))
@paginate(CursorPagination, ordering="-created_at")
def token_list(request):
    """Your personal API tokens, newest first, revoked and expired ones included."""
    return token_list_for(request.auth)


@router.post("/tokens", **op("Create a token", TokenCreatedOut, TOKEN_CREATE, 201))
def token_new(request, payload: TokenIn):
    """Create a personal API token. The answer is the only time the token is shown.

    Only a signed-in session may do this, once past the second sign-in step when that is
    required; a request with a token is refused (403).
    """
    require_token_issuer(request)

    def create():
        token, raw = token_create(
            actor=request.auth,
            name=payload.name,
            expires_at=payload.expires_at,
            read_only=payload.read_only,
        )
        token.token = raw
        return token

    def reread(ids: list[int]) -> ApiToken:
        # The token is shown once: a replay answers the record without it.
        token = get_token_for_user(request.auth, ids[0])
        token.token = None
        return token

    return idempotent(request, status=201, schema=TokenCreatedOut, action=create, reread=reread)


@router.delete("/tokens/{token_id}", **op("Revoke a token", None, TOKEN_REVOKE, 204))
def token_delete(request, token_id: int = key_in_path()):
    """Revoke one of your tokens; it stops working at once."""
    token_revoke(actor=request.auth, token=get_token_for_user(request.auth, token_id))
    return HttpResponse(status=204)


@router.get("/parties", **op("List parties", list[PartyOut], LIST))
@paginate(CursorPagination, ordering="code")
def parties(request):
    """Every party known to this instance (parties are public)."""
    return party_list()


@router.get("/units", **op("List units", list[UnitOut], LIST))
@paginate(CursorPagination, ordering="name")
def units(request):
    """Every organisational unit of every party; contact cells are flagged."""
    return unit_list()


@router.get(
    "/parties/{party_code}/contacts", **op("List a party's contacts", list[ContactOut], READ)
)
@paginate(CursorPagination, ordering="name")
def party_contacts(request, party_code: str = Path(max_length=32, pattern=r"^[-a-zA-Z0-9_]+$")):
    """The directory of a party: its contacts you may see (all of your own party's; the
    shared ones of another party to an agreement you see). 404 for any other party."""
    party = get_directory_party(request.auth, party_code)
    return (
        contact_visible_to(request.auth)
        .filter(owning_party=party)
        .select_related("owning_party")
        .prefetch_related("red_recipients")
    )
