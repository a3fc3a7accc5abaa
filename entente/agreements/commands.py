"""What the `entente` commands that act for a user share (`--user NAME`, `AGREEMENT`):
who they act for, and the agreement they name, among those that user may see.

An agreement the user may not see is answered exactly as one that does not exist.
"""

import uuid
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Q

from entente.agreements.models import Agreement
from entente.agreements.selectors import agreement_visible_to
from entente.core.enums import Language


def acting_user(username: str):
    """The active user named `username`."""
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"--user: no active user {username!r}") from None


def named_agreement(user, name: str) -> Agreement:
    """The agreement `user` may see whose public id, or exact title in any language
    (case aside), is `name`."""
    visible = agreement_visible_to(user)
    try:
        found = list(visible.filter(public_id=uuid.UUID(name)))
    except ValueError:
        titled = reduce(or_, (Q(**{f"title_{code}__iexact": name}) for code in Language.values))
        found = list(visible.filter(titled)[:2])
    if not found:
        raise CommandError(f"no agreement {name!r} that {user.get_username()} may see")
    if len(found) > 1:
        raise CommandError(f"more than one agreement is titled {name!r}: give its public id")
    return found[0]
