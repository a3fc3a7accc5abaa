"""JSON API of following records: whether you follow one, follow it, unfollow it.

A record is named as on its audit trail (`agreements.commitment` and its id) and found
through its own door; a record you may not see answers as a missing one. Agreements,
commitments, liaison requests, meetings and trainings may be followed.
"""

from django.http import HttpResponse
from ninja import Router, Schema

from entente.apikit.routes import READ, REMOVE, op
from entente.core.problems import problem_responses
from entente.core.registry import get_record_for_user
from entente.core.schemas import PublicId
from entente.notices.selectors import get_followable_for_user, is_following
from entente.notices.services import record_follow, record_unfollow

router = Router(tags=["notices"])

PATH = "/follows/{record_type}/{record_id}"


class FollowOut(Schema):
    following: bool


@router.get(PATH, **op("Read whether you follow a record", FollowOut, READ))
def follow_read(request, record_type: str, record_id: PublicId):
    """`following` is false for a record of a kind that cannot be followed."""
    record = get_record_for_user(request.auth, record_type, record_id)
    return {"following": is_following(request.auth, record)}


@router.put(PATH, **op("Follow a record", FollowOut, problem_responses(401, 404, 422, 429)))
def follow_put(request, record_type: str, record_id: PublicId):
    """Be told of what happens to the record (comments, progress reports, changes)."""
    record = get_followable_for_user(request.auth, record_type, record_id)
    record_follow(actor=request.auth, record=record)
    return {"following": True}


@router.delete(PATH, **op("Unfollow a record", None, REMOVE, 204))
def follow_delete(request, record_type: str, record_id: PublicId):
    """Stop following the record (nothing happens if you did not follow it)."""
    record = get_followable_for_user(request.auth, record_type, record_id)
    record_unfollow(actor=request.auth, record=record)
    return HttpResponse(status=204)
