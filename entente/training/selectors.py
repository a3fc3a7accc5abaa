"""Reads of training activities and the reciprocity ledger, always filtered by visibility."""

from collections import defaultdict

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from entente.agreements.models import Agreement
from entente.core.access import get_owned_for_user, visible_to
from entente.core.enums import Language
from entente.training.enums import TrainingStatus
from entente.training.models import TrainingActivity, TrainingParticipation

BALANCE_COUNTS = ("hosted", "sent", "planned_hosted", "planned_sent")


def training_visible_to(user) -> QuerySet[TrainingActivity]:
    return visible_to(TrainingActivity.objects.all(), user).select_related(
        "agreement", "area", "host_party", "sending_party", "owning_party"
    )


def get_training_for_user(user, pk, *, write: bool = False) -> TrainingActivity:
    return get_owned_for_user(training_visible_to(user), user, pk, write=write)


def training_search(queryset: QuerySet[TrainingActivity], q: str) -> QuerySet[TrainingActivity]:
    """The activities with every word of `q` (the first ten) in a title or the place."""
    for word in q.split()[:10]:
        match = Q(place__icontains=word)
        for lang in Language.values:
            match |= Q(**{f"title_{lang}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def reciprocity_balance(user, *, agreement: Agreement | None = None) -> list[dict]:
    """Officers each party hosted and sent, per year, as the user's visible record shows it.

    Only activities the user may see count (optionally only those of `agreement`), and
    never cancelled ones. An activity counts in the year it starts. For a party P:

    - hosted: participants of parties other than P at held activities P hosted;
    - sent: participants of P at held activities another party hosted;
    - planned_hosted / planned_sent: the same for planned and confirmed activities.

    The host's own participants (its trainers, say) are not an exchange and count in
    neither column. Rows are plain dicts sorted by year, then party code, e.g.
    {"year": 2023, "party": "MA-DGSN", "hosted": 12, "sent": 4, "planned_hosted": 0,
    "planned_sent": 6}.
    """
    activities = training_visible_to(user).exclude(status=TrainingStatus.CANCELLED)
    if agreement is not None:
        activities = activities.filter(agreement=agreement)
    planned = [TrainingStatus.PLANNED, TrainingStatus.CONFIRMED]
    # One grouped query: each row is a (year, host, sender) flow, which the loop below
    # credits to the host as hosted and to the sender as sent.
    flows = (
        TrainingParticipation.objects.filter(activity__in=activities.values("pk"))
        .exclude(party=F("activity__host_party"))
        .annotate(year=ExtractYear("activity__starts_on"))
        .values("year", host=F("activity__host_party__code"), sender=F("party__code"))
        .annotate(
            held=Sum("count", filter=Q(activity__status=TrainingStatus.HELD), default=0),
            planned=Sum("count", filter=Q(activity__status__in=planned), default=0),
        )
        .order_by()
    )
    ledger: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(BALANCE_COUNTS, 0)
    )
    for flow in flows:
        host, sender = ledger[flow["year"], flow["host"]], ledger[flow["year"], flow["sender"]]
        host["hosted"] += flow["held"]
        host["planned_hosted"] += flow["planned"]
        sender["sent"] += flow["held"]
        sender["planned_sent"] += flow["planned"]
    return [{"year": year, "party": party, **ledger[year, party]} for year, party in sorted(ledger)]
