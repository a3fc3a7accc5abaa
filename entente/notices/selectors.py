"""Reads of a user's own notices. A notice is its recipient's alone; the record it names
is read through that record's door (`notice_target`), never directly."""

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from entente.core.access import get_visible
from entente.core.errors import NotFound
from entente.core.registry import get_record_for_user, record_type
from entente.notices.models import Follow, Notice, NoticePreference

# The record types a user may follow (by the audit chain's type name).
FOLLOWABLE = frozenset(
    {
        "agreements.agreement",
        "agreements.commitment",
        "liaison.liaisonrequest",
        "meetings.meeting",
        "training.trainingactivity",
    }
)


def notice_visible_to(user) -> QuerySet[Notice]:
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=user).select_related("target_type")


def get_notice_for_user(user, pk, *, write: bool = False) -> Notice:
    return get_visible(notice_visible_to(user), pk)


def preferences_of(user) -> QuerySet[NoticePreference]:
    return NoticePreference.objects.filter(user=user)


def unread_count(user) -> int:
    return notice_visible_to(user).filter(read_at__isnull=True).count()


def notice_target(notice: Notice) -> Model:
    """The record, if its recipient may still see it; NotFound otherwise."""
    name = f"{notice.target_type.app_label}.{notice.target_type.model}"
    return get_record_for_user(notice.recipient, name, notice.target_id)


def notice_targets(user, notices) -> dict[tuple[int, Any], Model]:
    """The records `notices` are about that `user` still sees, by (content type id,
    public id): one query per record type, each through that type's own selector."""
    wanted: dict[int, set] = defaultdict(set)
    for notice in notices:
        wanted[notice.target_type_id].add(notice.target_id)
    found: dict[tuple[int, Any], Model] = {}
    for type_id, ids in wanted.items():
        kind = ContentType.objects.get_for_id(type_id)
        try:
            entry = record_type(f"{kind.app_label}.{kind.model}")
        except NotFound:
            continue
        for record in entry.visible(user).filter(public_id__in=ids):
            found[(type_id, record.public_id)] = record
    return found


def follows_of(record: Model) -> QuerySet[Follow]:
    return Follow.objects.filter(
        target_type=ContentType.objects.get_for_model(record),
        target_id=record.public_id,  # type: ignore[attr-defined]
    )


def followers_of(record: Model) -> QuerySet:
    """The active users following `record` (who may see it is checked per notice)."""
    return get_user_model().objects.filter(is_active=True, pk__in=follows_of(record).values("user"))


def is_following(user, record: Model) -> bool:
    return follows_of(record).filter(user=user).exists()


def followed_ids(user, model: type[Model]) -> QuerySet:
    """The public ids of the records of `model` that `user` follows."""
    return Follow.objects.filter(
        user=user, target_type=ContentType.objects.get_for_model(model)
    ).values("target_id")


def get_followable_for_user(user, record_type: str, pk) -> Model:
    """The record through its own door, if its type may be followed: an unknown or
    unfollowable type, a missing record and one the user may not see are one NotFound."""
    record = get_record_for_user(user, record_type, pk)
    if record_type not in FOLLOWABLE:
        raise NotFound(_("This kind of record cannot be followed."))
    return record
