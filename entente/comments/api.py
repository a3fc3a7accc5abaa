"""JSON API of comment threads: the thread of a commitment, a meeting or a training
(read, add), and one comment (read, rewrite with If-Match, delete).

The record commented on is found through the record-type registry, so each comes
through its own door: one its reader may not see answers 404, as a missing one does.
"""

import inspect

from django.http import HttpResponse
from ninja import Router
from ninja.pagination import paginate

from entente.accounts.selectors import resolve_users
from entente.apikit.endpoints import change_by, create, with_etag
from entente.apikit.routes import CHANGE, CREATE, READ, REMOVE, op
from entente.comments.models import Comment
from entente.comments.schemas import CommentId, CommentIn, CommentOut, CommentPatchIn
from entente.comments.selectors import comments_of, get_comment_for_user, get_commentable_for_user
from entente.comments.services import comment_add, comment_delete, comment_update
from entente.core.http import CursorPagination
from entente.core.schemas import PublicId, id_in_path

router = Router(tags=["comments"])

ORDER = "created_at"  # newest last, as the pages show a thread
COMMITMENT = "agreements.commitment"
MEETING = "meetings.meeting"
TRAINING = "training.trainingactivity"


def _thread(request, name: str, pk):
    """The comments on the record of type `name` that the caller may see."""
    return comments_of(request.auth, get_commentable_for_user(request.auth, name, pk))


def _add(request, name: str, pk, payload: CommentIn) -> HttpResponse:
    """Comment on the record of type `name`: 201 with the comment."""
    user = request.auth
    record = get_commentable_for_user(user, name, pk)

    def add() -> Comment:
        comment = comment_add(
            actor=user,
            record=record,
            text=payload.text,
            scope=payload.scope,
            marking=payload.marking,
            red_recipients=resolve_users(payload.red_recipients),
        )
        return get_comment_for_user(user, comment.public_id)

    return create(request, model=Comment, schema=CommentOut, action=add)


LISTED = (
    "The comments you may see, oldest first: your party's, and the other party's shared "
    "ones (TLP:RED ones only if you are a recipient)."
)
ADDED = (
    "Comment as a writer of a party to the agreement: owned by your party, shared with the "
    "record or internal to your party, marked as the record by default, never less strictly."
)


POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD


def _thread_routes(plural: str, record_type: str, noun: str, described: str) -> None:
    """The two routes of one record type's thread: list its comments, comment on it.
    Each view gets the name and id parameter it would have written out by hand, so the
    operation ids and path parameters stay "meeting_comment_list", "meeting_id"."""
    singular = plural.removesuffix("s")
    key = f"{singular}_id"
    path = f"/{plural}/{{{key}}}/comments"
    request = inspect.Parameter("request", POSITIONAL)
    payload = inspect.Parameter("payload", POSITIONAL, annotation=CommentIn)
    record_id = inspect.Parameter(
        key, POSITIONAL, default=id_in_path(described), annotation=PublicId
    )

    def listed(request, **ids):
        return _thread(request, record_type, ids[key])

    def new(request, payload: CommentIn, **ids):
        return _add(request, record_type, ids[key], payload)

    listed.__name__ = f"{singular}_comment_list"
    listed.__signature__ = inspect.Signature([request, record_id])  # type: ignore[attr-defined]
    new.__name__ = f"{singular}_comment_new"
    new.__signature__ = inspect.Signature([request, payload, record_id])  # type: ignore[attr-defined]
    listing = op(f"List the comments on {noun}", list[CommentOut], READ)
    router.get(path, **listing, description=LISTED)(
        paginate(CursorPagination, ordering=ORDER)(listed)
    )
    router.post(path, **op(f"Comment on {noun}", CommentOut, CREATE, 201), description=ADDED)(new)


_thread_routes("commitments", COMMITMENT, "a commitment", "The commitment's id.")
_thread_routes("meetings", MEETING, "a meeting", "The meeting's id.")
_thread_routes("trainings", TRAINING, "a training activity", "The training activity's id.")


@router.get("/comments/{comment_id}", **op("Read a comment", CommentOut, READ))
def comment_detail(request, response: HttpResponse, comment_id: PublicId = CommentId):
    """The comment; the ETag names its version, for If-Match on rewriting it."""
    return with_etag(response, get_comment_for_user(request.auth, comment_id))


@router.patch("/comments/{comment_id}", **op("Rewrite a comment", CommentOut, CHANGE))
def comment_rewrite(
    request, response: HttpResponse, payload: CommentPatchIn, comment_id: PublicId = CommentId
):
    """Rewrite your own comment (If-Match)."""
    comment = get_comment_for_user(request.auth, comment_id, write=True)
    change_by(request, response, comment, comment_update, comment=comment, text=payload.text)
    return get_comment_for_user(request.auth, comment_id)


@router.delete("/comments/{comment_id}", **op("Delete a comment", None, REMOVE, 204))
def comment_remove(request, comment_id: PublicId = CommentId):
    """Take back your own comment; its audit trail keeps it."""
    comment = get_comment_for_user(request.auth, comment_id, write=True)
    comment_delete(actor=request.auth, comment=comment)
    return HttpResponse(status=204)
