"""JSON API of comment threads: the thread of a commitment, a meeting or a training
(read, add), and one comment (read, rewrite with If-Match, delete).

The record commented on is found through the record-type registry, so each comes
through its own door: one its reader may not see answers 404, as a missing one does.
"""

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
CommitmentId = id_in_path("The commitment's id.")
MeetingId = id_in_path("The meeting's id.")
TrainingId = id_in_path("The training activity's id.")
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


@router.get(
    "/commitments/{commitment_id}/comments",
    **op("List the comments on a commitment", list[CommentOut], READ),
    description=LISTED,
)
@paginate(CursorPagination, ordering=ORDER)
def commitment_comment_list(request, commitment_id: PublicId = CommitmentId):
    return _thread(request, COMMITMENT, commitment_id)


@router.post(
    "/commitments/{commitment_id}/comments",
    **op("Comment on a commitment", CommentOut, CREATE, 201),
    description=ADDED,
)
def commitment_comment_new(request, payload: CommentIn, commitment_id: PublicId = CommitmentId):
    return _add(request, COMMITMENT, commitment_id, payload)


@router.get(
    "/meetings/{meeting_id}/comments",
    **op("List the comments on a meeting", list[CommentOut], READ),
    description=LISTED,
)
@paginate(CursorPagination, ordering=ORDER)
def meeting_comment_list(request, meeting_id: PublicId = MeetingId):
    return _thread(request, MEETING, meeting_id)


@router.post(
    "/meetings/{meeting_id}/comments",
    **op("Comment on a meeting", CommentOut, CREATE, 201),
    description=ADDED,
)
def meeting_comment_new(request, payload: CommentIn, meeting_id: PublicId = MeetingId):
    return _add(request, MEETING, meeting_id, payload)


@router.get(
    "/trainings/{training_id}/comments",
    **op("List the comments on a training activity", list[CommentOut], READ),
    description=LISTED,
)
@paginate(CursorPagination, ordering=ORDER)
def training_comment_list(request, training_id: PublicId = TrainingId):
    return _thread(request, TRAINING, training_id)


@router.post(
    "/trainings/{training_id}/comments",
    **op("Comment on a training activity", CommentOut, CREATE, 201),
    description=ADDED,
)
def training_comment_new(request, payload: CommentIn, training_id: PublicId = TrainingId):
    return _add(request, TRAINING, training_id, payload)


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
