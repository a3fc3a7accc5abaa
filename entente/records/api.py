"""JSON API of the audit trail (the history of one record, and the chain's head) and of
the global search.

A record's history is shown to those who may see the record, found through the same
`get_<entity>_for_user` door as the record itself, and read through `history_for`, which
shows each reader only the revisions and references they may see; a type not in the
record-type registry does not exist for the API. The chain's head (global sequence and
hash) is for auditors and the operator, who check the chain.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from entente.apikit.routes import LIST, op
from entente.audit.selectors import audit_chain_head
from entente.core.errors import PermissionDenied
from entente.core.http import CursorPagination, cursor_number, encode_cursor
from entente.core.problems import ApiProblem, problem_responses
from entente.core.registry import get_record_for_user
from entente.core.schemas import PublicId
from entente.records.models import query_words
from entente.records.schemas import AuditEventOut, ChainHeadOut, SearchFilters, SearchHitOut
from entente.records.selectors import history_for, reads_chain, search_hits, search_results

# The operation ids keep the names they had when this API lived in the audit app.
router = Router(tags=["audit"])


class RevisionPagination(CursorPagination):
    """CursorPagination's contract over a history already filtered for its reader: the
    cursor holds the last revision shown, never a global sequence number or row id."""

    def encode(self, item: Any, tie: str = "pk") -> str:
        return encode_cursor([item.revision])

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest | None = None, **params
    ) -> dict[str, Any]:
        after = cursor_number(pagination.cursor) if pagination.cursor else 0
        rest = [entry for entry in queryset if entry.revision > after]
        page = rest[: pagination.limit]
        has_more = len(rest) > pagination.limit
        return {"items": page, "next_cursor": self.encode(page[-1]) if has_more else None}


@router.get(
    "/audit/head",
    operation_id="audit_audit_head",
    summary="Read the head of the audit chain",
    response={200: ChainHeadOut, **problem_responses(401, 403, 429)},
)
def audit_head(request):
    """The last event's sequence number and hash: hand them over, and any later change
    to the history up to that point can be detected. Auditors and the operator only:
    the global sequence would let a party count the other's hidden writes."""
    if not reads_chain(request.auth):
        raise PermissionDenied(_("Only auditors and the operator may read the chain head."))
    seq, digest = audit_chain_head()
    return {"seq": seq, "hash": digest}


@router.get(
    "/audit/{record_type}/{record_id}",
    operation_id="audit_audit_trail",
    summary="Read the history of a record",
    response={200: list[AuditEventOut], **problem_responses(401, 404, 422, 429)},
)
@paginate(RevisionPagination)
def audit_trail(request, record_type: str, record_id: PublicId):
    """The changes to the record you may see, oldest first, with what each changed.
    `record_type` is the app and model, e.g. `agreements.commitment`."""
    return history_for(request.auth, get_record_for_user(request.auth, record_type, record_id))


class SearchPagination(CursorPagination):
    """CursorPagination's contract over search hits, best first. The cursor holds only
    how many hits came before: an index row's id would count every party's writes."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest | None = None, **params
    ) -> dict[str, Any]:
        offset = cursor_number(pagination.cursor) if pagination.cursor else 0
        rows = list(queryset[offset : offset + pagination.limit + 1])
        page = rows[: pagination.limit]
        has_more = len(rows) > pagination.limit
        return {
            "items": search_results(request.auth, page),  # type: ignore[union-attr]
            "next_cursor": encode_cursor([offset + len(page)]) if has_more else None,
        }


@router.get(
    "/search",
    operation_id="records_search",
    tags=["search"],
    **op("Search every record you may see", list[SearchHitOut], LIST),
)
@paginate(SearchPagination)
def search(request, filters: Query[SearchFilters]):
    """The records you may see whose texts (titles, references, texts in every language,
    file names) hold every word of `q`, best match first."""
    try:
        words = query_words(filters.q)
    except ValidationError as error:
        raise ApiProblem(
            422,
            _("The input is not valid."),
            errors=[{"field": "query.q", "message": error.messages[0]}],
        ) from None
    return search_hits(request.auth, words)
