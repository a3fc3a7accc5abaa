"""Reads of a user's own notices. A notice is its recipient's alone; the record it names
is read through that record's door (`notice_target`), never directly."""

from django.db.models import Model, QuerySet

from entente.core.access import get_visible
from entente.core.registry import get_record_for_user
from entente.notices.models import Notice


def notice_visible_to(user) -> QuerySet[Notice]:
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=user).select_related("target_type")


def get_notice_for_user(user, pk, *, write: bool = False) -> Notice:
    return get_visible(notice_visible_to(user), pk)


def unread_count(user) -> int:
    return notice_visible_to(user).filter(read_at__isnull=True).count()


def notice_target(notice: Notice) -> Model:
    """The record, if its recipient may still see it; NotFound otherwise."""
    name = f"{notice.target_type.app_label}.{notice.target_type.model}"
    return get_record_for_user(notice.recipient, name, notice.target_id)
