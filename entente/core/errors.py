"""Errors raised by selectors and services, mapped to HTTP by views and the API.

`NotFound` subclasses Http404 so a view that lets it escape answers 404, the same as
for a record that does not exist. Refusals of visible records use Django's
`PermissionDenied` (403) and invalid input Django's `ValidationError`, always keyed
by the field it concerns.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

__all__ = ["ConflictError", "NotFound", "PermissionDenied", "ValidationError"]


class NotFound(Http404):
    """The record does not exist, or the user may not know that it exists."""


class ConflictError(Exception):
    """The record changed since the caller read it (optimistic locking)."""

    def __init__(self, *, expected_version: int, current_version: int, changed: dict):
        self.expected_version = expected_version
        self.current_version = current_version
        # Field name -> (value the caller saw is unknown to us, so only the current value).
        self.changed = changed
        super().__init__(
            f"The record was changed by someone else (version {expected_version} "
            f"is now {current_version})."
        )


class PreconditionRequired(Exception):
    """A change was sent without If-Match, so it could overwrite an unseen edit (428)."""


class PreconditionFailed(Exception):
    """If-Match names a version of the record that is no longer the current one (412)."""

    def __init__(self, message: str, *, current_etag: str):
        self.current_etag = current_etag
        super().__init__(message)
