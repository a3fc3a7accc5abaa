"""Filters of the portfolio and commitment lists, read from the URL query string.

Every choice a filter offers comes from what the user may see; the querysets they
narrow are the visibility-filtered ones the views pass in.
"""

import uuid

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.agreements.enums import (
    OPEN_COMMITMENT_STATUSES,
    AgreementStatus,
    CommitmentStatus,
    InstrumentType,
)
from entente.agreements.forms import LANGUAGES, DateInput
from entente.agreements.models import AgreementParty, due_order
from entente.agreements.selectors import (
    agreement_party_choices,
    agreement_portfolio,
    agreement_visible_to,
    area_visible_to,
    clause_visible_to,
    commitment_visible_to,
    portfolio_countries,
)
from entente.core.access import party_id_of
from entente.core.enums import Marking
from entente.core.filters import any_of, any_record

OVERDUE = "overdue"
OPEN = "open"  # planned or in progress, due or not


def title_search(queryset, value: str):
    """Titles in every language, since a record may be written in any of them."""
    words = value.split()
    for word in words[:10]:
        match = Q()
        for code in LANGUAGES:
            match |= Q(**{f"title_{code}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


class SortFilter(django_filters.ChoiceFilter):
    """`?sort=` over a whitelist: each choice maps to an order_by() list."""

    def __init__(self, *, orderings: dict, **kwargs):
        self.orderings = orderings
        kwargs.setdefault("label", _("Sort by"))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in self.orderings:
            return qs.order_by(*self.orderings[value])
        return qs


def _nulls_last(field: str, descending: bool = False):
    expression = F(field)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search titles"), method="search")
    country = django_filters.ChoiceFilter(
        label=_("Counterpart country"), method="counterpart_country", empty_label=_("Any")
    )
    status = any_of(_("Status"), AgreementStatus.choices)
    instrument_type = any_of(_("Instrument type"), InstrumentType.choices)
    sort = SortFilter(
        empty_label=_("Default (latest signed)"),
        choices=[
            ("title", _("Title")),
            ("next_deadline", _("Next deadline")),
            ("expires", _("Expiry")),
            ("signed", _("Signature, oldest first")),
        ],
        orderings={
            "title": ["title", "pk"],
            "next_deadline": [_nulls_last("next_deadline"), "pk"],
            "expires": [_nulls_last("expires_on"), "pk"],
            "signed": [_nulls_last("signed_on"), "pk"],
        },
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["country"].extra["choices"] = [
            (code, code) for code in portfolio_countries(request.user)
        ]

    def search(self, queryset, name, value):
        return title_search(queryset, value)

    def counterpart_country(self, queryset, name, value):
        counterparts = AgreementParty.objects.filter(party__country=value).exclude(
            party_id=party_id_of(self.request.user)
        )
        return queryset.filter(pk__in=counterparts.values("agreement_id"))


def portfolio_filter(data, request, **figures) -> AgreementFilter:
    """The portfolio as its page and its exports show it, latest signed first; `figures`
    are counts the layers above add per agreement (its open requests)."""
    queryset = (
        agreement_portfolio(request.user)
        .annotate(**figures)
        .order_by(F("signed_on").desc(nulls_last=True), "title", "pk")
    )
    return AgreementFilter(data or None, queryset=queryset, request=request)


# The records a list may be filtered by: only what the user may see (`request` is the HTTP
# request). Other apps' lists offer the same choices.
def _visible_agreements(request):
    return agreement_visible_to(request.user).order_by("title", "pk")


def _visible_areas(request):
    """The areas the user may see; only the chosen agreement's once the list names one."""
    areas = area_visible_to(request.user).select_related("agreement").order_by("name", "pk")
    try:
        chosen = uuid.UUID(request.GET.get("agreement", ""))
    except ValueError:
        return areas
    return areas.filter(agreement__public_id=chosen)


def _visible_clauses(request):
    return clause_visible_to(request.user).order_by("agreement__title", "number", "pk")


def party_choices(request):
    return agreement_party_choices(request.user).order_by("code")


def agreement_choice(**kwargs) -> django_filters.ModelChoiceFilter:
    return any_record(_("Agreement"), _visible_agreements, to_field_name="public_id", **kwargs)


class _AreaField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # Two agreements may both have an area called "Training".
        return f"{obj.name} ({obj.agreement})"


def area_choice(**kwargs) -> django_filters.ModelChoiceFilter:
    area = any_record(_("Cooperation area"), _visible_areas, to_field_name="public_id", **kwargs)
    area.field_class = _AreaField
    return area


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search titles"), method="search")
    agreement = agreement_choice()
    area = area_choice()
    # The clause a commitment implements, from the scorecard of the agreement page.
    clause = any_record(
        _("Clause"), _visible_clauses, to_field_name="public_id", field_name="clauses"
    )
    responsible_party = any_record(_("Responsible party"), party_choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*CommitmentStatus.choices, (OPEN, _("Open")), (OVERDUE, _("Overdue"))],
        method="filter_status",
        empty_label=_("Any"),
    )
    due_from = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=DateInput
    )
    due_to = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte", widget=DateInput
    )
    marking = any_of(_("Marking"), Marking.choices)
    sort = SortFilter(
        empty_label=_("Due date, soonest first"),
        choices=[
            ("-due", _("Due date, latest first")),
            ("title", _("Title")),
            ("status", _("Status")),
            ("agreement", _("Agreement")),
            ("-updated", _("Recently changed")),
        ],
        orderings={
            "-due": [due_order().desc(), "-pk"],
            "title": ["title", "pk"],
            "status": ["status", due_order(), "pk"],
            "agreement": ["agreement__title", due_order(), "pk"],
            "-updated": ["-updated_at", "-pk"],
        },
    )

    def search(self, queryset, name, value):
        return title_search(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == OVERDUE:
            return queryset.filter(
                status__in=OPEN_COMMITMENT_STATUSES, due_date__lt=timezone.localdate()
            )
        if value == OPEN:
            return queryset.filter(status__in=OPEN_COMMITMENT_STATUSES)
        return queryset.filter(status=value)


def commitment_filter(data, request) -> CommitmentFilter:
    """The commitment list as its page and its exports show it: what the user may see,
    narrowed by `data` (the query string), soonest due first."""
    # The index agreements_commit_due_order serves this order, as it does the API's.
    queryset = commitment_visible_to(request.user).order_by(due_order(), "pk")
    return CommitmentFilter(data or None, queryset=queryset, request=request)
