"""What a route documents: its summary and every answer it may give.

    @router.get("/meetings/{meeting_id}", **op("Get a meeting", MeetingDetailOut, READ))

The problem sets say which problems each kind of operation can answer; the OpenAPI
document lists them, so a client knows them before it meets them.
"""

from collections.abc import Callable
from typing import Any

from ninja import Router
from ninja.pagination import paginate

from entente.core.http import CursorPagination
from entente.core.problems import problem_responses

READ = problem_responses(401, 404, 422, 429)
LIST = problem_responses(401, 422, 429)
CREATE = problem_responses(400, 401, 403, 404, 413, 415, 422, 429)
CHANGE = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429)
ACTION = problem_responses(401, 403, 404, 409, 412, 422, 428, 429)  # no body to parse
REMOVE = problem_responses(401, 403, 404, 422, 429)  # DELETE of a record that has no version
EDIT = problem_responses(400, 401, 403, 404, 413, 415, 422, 429)  # a change, no version


def op(summary: str, out: Any, problems: dict[int, Any], status: int = 200) -> dict[str, Any]:
    """A route's summary and answers: `out` with `status`, or one of `problems`."""
    return {"summary": summary, "response": {status: out, **problems}}


def listing(
    router: Router, path: str, summary: str, out: Any, ordering: str, problems: dict = READ
) -> Callable[[Callable], Callable]:
    """A GET route answering a page of `out` in `ordering`, turned with an opaque cursor."""

    def route(view: Callable) -> Callable:
        paged = paginate(CursorPagination, ordering=ordering)(view)
        return router.get(path, **op(summary, list[out], problems))(paged)

    return route
