"""The filters of the request list, read from the query string so a view can be shared."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.agreements.filters import agreement_choice, area_choice
from entente.core.enums import Marking
from entente.core.filters import any_of, day_bound, search_box, sort_choice
from entente.liaison.enums import WAITING_STATUSES, Priority, RequestStatus
from entente.liaison.selectors import all_for, inbox_for, outbox_for

# ?sort= value -> (label, ordering). The empty value keeps the selector's order:
# open requests first, nearest deadline first.
SORTS: dict[str, tuple] = {
    "due": (_("Deadline, earliest first"), ("due_at", "pk")),
    "-due": (_("Deadline, latest first"), ("-due_at", "-pk")),
    "-sent": (_("Newest first"), ("-sent_at", "-pk")),
    "sent": (_("Oldest first"), ("sent_at", "pk")),
    "-priority": (_("Urgent first"), ("-priority", "due_at", "pk")),
    "reference": (_("Reference, A to Z"), ("reference",)),
    "-reference": (_("Reference, Z to A"), ("-reference",)),
}


class LiaisonRequestFilter(django_filters.FilterSet):
    q = search_box(_("Reference or subject"))
    agreement = agreement_choice()
    area = area_choice()
    status = any_of(_("Status"), RequestStatus.choices)
    priority = any_of(_("Priority"), Priority.choices)
    marking = any_of(_("Marking"), Marking.choices)
    due_from = day_bound(_("Due from"), "due_at", "gte")
    due_to = day_bound(_("Due until"), "due_at", "lte")
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )
    sort = sort_choice(SORTS, _("Open first, by deadline"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(reference__icontains=value) | Q(subject__icontains=value))

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=WAITING_STATUSES, due_at__lt=timezone.now())


# ?tab= value -> the requests of that box; the inbox when none is named.
BOXES = {"inbox": inbox_for, "outbox": outbox_for, "all": all_for}


def request_box(data) -> str:
    return data.get("tab") if data.get("tab") in BOXES else "inbox"


def request_filter(data, request) -> LiaisonRequestFilter:
    """The request list as its page and its exports show it: the box `?tab=` names,
    narrowed by `data` (the query string)."""
    box = BOXES[request_box(data)](request.user)
    return LiaisonRequestFilter(data, queryset=box, request=request)
