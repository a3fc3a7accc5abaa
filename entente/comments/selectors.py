"""Reads of comments, always filtered by visibility: a comment is seen only when the
record it is on is seen (through that record type's own selector, found in the record
registry) and its own scope, marking and recipients allow it (`core.access`)."""

from typing import cast

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from entente.comments.models import Comment
from entente.core.access import (
    get_owned_for_user,
    membership_of,
    visible_to,
    writes_for_a_party_to,
)
from entente.core.errors import NotFound
from entente.core.models import PartyOwned
from entente.core.registry import (
    get_record_for_user,
    record_type,
    target_visible_to,
    targets_visible_to,
)

# The record types that have a thread, by their registry names.
COMMENTABLE = ("agreements.commitment", "meetings.meeting", "training.trainingactivity")


def comment_visible_to(user, on: Model | None = None) -> QuerySet[Comment]:
    """The comments the user may see; with `on`, only those on that record."""
    if on is None:
        targets = targets_visible_to(user, [record_type(name) for name in COMMENTABLE])
    else:
        targets = target_visible_to(user, on)
    return visible_to(Comment.objects.filter(targets), user).select_related(
        "target_type", "agreement", "owning_party", "author"
    )


def get_comment_for_user(user, pk, *, write: bool = False) -> Comment:
    return get_owned_for_user(comment_visible_to(user), user, pk, write=write)


def comments_of(user, record: Model) -> QuerySet[Comment]:
    """The visible comments on `record`, oldest first."""
    return (
        comment_visible_to(user, on=record)
        .prefetch_related("red_recipients", "target")
        .order_by("created_at", "pk")
    )


def get_commentable_for_user(user, name: str, pk) -> PartyOwned:
    """The record of a type with a thread ("meetings.meeting"), through its own door:
    NotFound when it is not visible, or when records of that type have no thread."""
    if name not in COMMENTABLE:
        raise NotFound(_("No such record type."))
    # Every COMMENTABLE type is a party-owned record (its thread follows its parties).
    return cast(PartyOwned, get_record_for_user(user, name, pk))


def can_comment(user, record: Model) -> bool:
    """Whether `user` may comment on `record`, which they are shown: writers of a party
    to its agreement."""
    return writes_for_a_party_to(user, record)


def is_author(user, comment: Comment) -> bool:
    """Whether `user` wrote `comment` and may still write: who edits and deletes it."""
    membership = membership_of(user)
    return membership is not None and membership.can_write and comment.author_id == user.pk
