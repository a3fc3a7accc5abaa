"""Reads an import needs: the agreement it goes under, named as people name it."""

import uuid

from django.utils.translation import gettext as _

from entente.agreements.selectors import agreement_visible_to
from entente.core.errors import NotFound


def get_agreement_by_name(user, name: str):
    """The agreement `user` may see whose public id or exact title is `name`."""
    visible = agreement_visible_to(user)
    found = list(visible.filter(public_id=name)[:2]) if _is_uuid(name) else []
    found = found or list(visible.filter(title=name)[:2])
    if len(found) != 1:
        raise NotFound(
            _("No agreement “%(name)s” that you may see.") % {"name": name}
            if not found
            else _("Several agreements are titled “%(name)s”; give its id.") % {"name": name}
        )
    return found[0]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
