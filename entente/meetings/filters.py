"""The filters of the meeting list, read from the query string so a view can be shared."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from entente.agreements.filters import agreement_choice, party_choices
from entente.core.enums import Marking
from entente.core.filters import any_of, any_record, day_bound, search_box, sort_choice
from entente.meetings.enums import MeetingKind, MeetingStatus
from entente.meetings.selectors import meeting_search, meeting_visible_to

# ?sort= value -> (label, ordering). The empty value keeps the selector's order.
SORTS: dict[str, tuple] = {
    "starts": (_("Oldest first"), ("starts_at", "pk")),
    "title": (_("Title, A to Z"), ("title", "pk")),
    "-title": (_("Title, Z to A"), ("-title", "-pk")),
    "status": (_("Status"), ("status", "-starts_at", "-pk")),
}
DEFAULT_ORDER = ("-starts_at", "-pk")


class MeetingFilter(django_filters.FilterSet):
    q = search_box(_("Search"), help_text=_("Title or place"))
    agreement = agreement_choice()
    kind = any_of(_("Kind"), MeetingKind.choices)
    status = any_of(_("Status"), MeetingStatus.choices)
    host_party = any_record(_("Host party"), party_choices)
    marking = any_of(_("Marking"), Marking.choices)
    starts_from = day_bound(_("From"), "starts_at", "gte")
    starts_to = day_bound(_("Until"), "starts_at", "lte")
    sort = sort_choice(SORTS, _("Newest first"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return meeting_search(queryset, [value])


def meeting_filter(data, request) -> MeetingFilter:
    """The meeting list as its page and its exports show it: what the user may see,
    narrowed by `data` (the query string), latest first unless sorted otherwise."""
    queryset = meeting_visible_to(request.user).order_by(*DEFAULT_ORDER)
    return MeetingFilter(data or None, queryset=queryset, request=request)
