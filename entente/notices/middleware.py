"""A notice is marked read when its record is opened, by whatever route: its page, its
edit page, a link from anywhere, not only the notices page's "open"."""

import uuid

from entente.notices.services import notices_mark_read_on


class ReadOnOpenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Before the view, so that the header's count on the record's page is already
        # right. Record pages name their record by its public id (`<uuid:pk>`); marking
        # the user's own notice read shows nothing, even when the door then says 404.
        pk = view_kwargs.get("pk")
        if request.method == "GET" and isinstance(pk, uuid.UUID) and request.user.is_authenticated:
            notices_mark_read_on(actor=request.user, target_id=pk)
        return None
