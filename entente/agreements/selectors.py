"""Reads of agreements, their parts and commitments, always filtered by visibility."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Membership, Party
from entente.agreements.enums import OPEN_COMMITMENT_STATUSES
from entente.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    Clause,
    Commitment,
    CooperationArea,
    ProgressReport,
    Signatory,
)
from entente.attachments.selectors import attachment_visible_to
from entente.core.access import (
    get_owned_for_user,
    get_visible,
    membership_of,
    party_id_of,
    remembered,
    require_owner_writer,
    require_visible,
    require_writer,
    visible_to,
)
from entente.core.errors import PermissionDenied
from entente.core.registry import record_type_of


def agreement_visible_to(user) -> QuerySet[Agreement]:
    return visible_to(Agreement.objects.all(), user).prefetch_related("agreement_parties__party")


def get_agreement_for_user(user, pk, *, write: bool = False) -> Agreement:
    """Managing an agreement itself (its text, parties, status) is for coordinators."""
    agreement = get_visible(agreement_visible_to(user), pk)
    if write:
        require_owner_writer(user, agreement, coordinator=True)
    return agreement


def party_ids_of(agreement: Agreement) -> frozenset[int]:
    """The ids of the agreement's parties (asked once in a batch, which changes none)."""
    return remembered(
        ("agreement parties", agreement.pk),
        lambda: frozenset(agreement.agreement_parties.values_list("party_id", flat=True)),
    )


def require_party_to(user, agreement: Agreement) -> Membership:
    """The membership of a writer of one of the agreement's parties, who alone create
    records under it, and only under an agreement they may see (404 otherwise, as for
    any record they may not see)."""
    require_visible(user, agreement)
    membership = require_writer(user)
    if membership.party_id not in party_ids_of(agreement):
        raise PermissionDenied(_("Your party is not a party to this agreement."))
    return membership


def agreement_event_visible_to(user) -> QuerySet[AgreementEvent]:
    return visible_to(AgreementEvent.objects.all(), user).select_related("party")


def get_agreement_event_for_user(user, pk, *, write: bool = False) -> AgreementEvent:
    return get_owned_for_user(agreement_event_visible_to(user), user, pk, write=write)


def clause_visible_to(user) -> QuerySet[Clause]:
    return visible_to(Clause.objects.all(), user)


def get_clause_for_user(user, pk, *, write: bool = False) -> Clause:
    return get_owned_for_user(clause_visible_to(user), user, pk, write=write)


def area_visible_to(user) -> QuerySet[CooperationArea]:
    """Areas have no owner of their own: they are seen with their agreement."""
    return CooperationArea.objects.filter(
        agreement__in=agreement_visible_to(user).values("pk")
    ).select_related("agreement")


def get_area_for_user(user, pk, *, write: bool = False) -> CooperationArea:
    """Areas are kept, as the agreement is, by the coordinators of its owning party."""
    area = get_visible(area_visible_to(user), pk)
    if write:
        require_owner_writer(user, area.agreement, coordinator=True)
    return area


def signatory_visible_to(user) -> QuerySet[Signatory]:
    """Signatories are seen with their agreement, and kept as the agreement is."""
    return Signatory.objects.filter(
        agreement__in=agreement_visible_to(user).values("pk")
    ).select_related("agreement", "party")


def get_signatory_for_user(user, pk, *, write: bool = False) -> Signatory:
    signatory = get_visible(signatory_visible_to(user), pk)
    if write:
        require_owner_writer(user, signatory.agreement, coordinator=True)
    return signatory


def commitment_visible_to(user) -> QuerySet[Commitment]:
    return visible_to(Commitment.objects.all(), user).select_related(
        "agreement", "area", "responsible_party", "responsible_unit", "owning_party"
    )


def get_commitment_for_user(user, pk, *, write: bool = False) -> Commitment:
    return get_owned_for_user(commitment_visible_to(user), user, pk, write=write)


def source_decisions_visible_to(user) -> QuerySet:
    """The meeting decisions the user may see, as commitments come from them: records of
    the meetings app, which sits above this one, so they are reached through the record
    registry it fills at start-up (a decision is seen with its meeting)."""
    decision = Commitment.source_decisions.field.model  # the model declaring the link
    return record_type_of(decision).visible(user)


@dataclass(frozen=True)
class CommitmentLinks:
    """What links a commitment to other records, as far as the reader may see them."""

    decisions: list  # the decisions it came from, with their meetings
    previous: Commitment | None  # the occurrence before it, for a recurring one
    next: Commitment | None  # the occurrence after it


def commitment_links(user, commitment: Commitment) -> CommitmentLinks:
    visible = commitment_visible_to(user)
    previous = None
    if commitment.previous_occurrence_id is not None:
        previous = visible.filter(pk=commitment.previous_occurrence_id).first()
    decisions = source_decisions_visible_to(user).filter(commitments=commitment)
    return CommitmentLinks(
        decisions=list(decisions.order_by("meeting__starts_at", "number", "pk")),
        previous=previous,
        next=visible.filter(previous_occurrence=commitment).first(),
    )


def require_responsible_writer(user, commitment: Commitment) -> None:
    """Only writers of the party responsible for a commitment report on it, whoever owns
    it, and only on one they may see (404 otherwise)."""
    require_visible(user, commitment)
    membership = require_writer(user)
    if membership.party_id != commitment.responsible_party_id:
        raise PermissionDenied(_("Only the party responsible for this commitment reports on it."))


def can_report(user, commitment: Commitment) -> bool:
    """Whether the user is offered the report form on a commitment they are shown."""
    membership = membership_of(user)
    return bool(
        membership
        and membership.can_write
        and membership.party_id == commitment.responsible_party_id
    )


def require_commitment_owner(user, commitment: Commitment) -> None:
    """Only writers of the party that owns a commitment accept or answer its reports."""
    require_visible(user, commitment)
    membership = require_writer(user)
    if membership.party_id != commitment.owning_party_id:
        raise PermissionDenied(
            _("Only the party that owns the commitment accepts or answers its reports.")
        )


def progress_report_visible_to(user) -> QuerySet[ProgressReport]:
    """Reports the user may see: their own party's, and the shared ones on commitments
    they see (the rule inherits from the commitment)."""
    return visible_to(ProgressReport.objects.all(), user).select_related(
        "commitment", "owning_party", "reporter", "answered_by"
    )


def get_progress_report_for_user(user, pk, *, write: bool = False) -> ProgressReport:
    return get_owned_for_user(progress_report_visible_to(user), user, pk, write=write)


def reports_with_evidence(user) -> QuerySet[ProgressReport]:
    """The reports the user may see, with the files on each that the user may see in
    `visible_evidence`."""
    return progress_report_visible_to(user).prefetch_related(
        Prefetch(
            "evidence",
            queryset=attachment_visible_to(user, on=ProgressReport).order_by("created_at", "pk"),
            to_attr="visible_evidence",
        ),
        "red_recipients",
    )


def reports_of(user, commitment: Commitment) -> QuerySet[ProgressReport]:
    """The commitment's reports the user may see, newest first, with their evidence."""
    return reports_with_evidence(user).filter(commitment=commitment).order_by("-created_at", "-pk")


def commitment_overdue(user) -> QuerySet[Commitment]:
    return commitment_visible_to(user).filter(
        status__in=OPEN_COMMITMENT_STATUSES, due_date__lt=timezone.localdate()
    )


def clauses_after_change(
    user, commitment: Commitment, chosen: Iterable[Clause]
) -> list[Clause] | None:
    """The commitment's clauses once the user has chosen among those they see: links to
    clauses they cannot see are kept; None when that is the list it has now."""
    current = set(commitment.clauses.values_list("pk", flat=True))
    seen = clause_visible_to(user).filter(pk__in=current).values_list("pk", flat=True)
    hidden = current - set(seen)
    chosen = list(chosen)
    if {clause.pk for clause in chosen} | hidden == current:
        return None
    return chosen + list(commitment.clauses.filter(pk__in=hidden))


# --- pages
def count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT over `queryset` (already filtered on OuterRef), 0 when empty.

    Counting inside a subquery of a visibility-filtered queryset, rather than with a
    join on the outer query, keeps records the user may not see out of every count.
    """
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def agreement_portfolio(user) -> QuerySet[Agreement]:
    """Visible agreements the user's party is a party to, with their open-item figures."""
    if (party_id := party_id_of(user)) is None:
        return Agreement.objects.none()
    open_commitments = commitment_visible_to(user).filter(
        agreement=OuterRef("pk"), status__in=OPEN_COMMITMENT_STATUSES
    )
    next_deadline = (
        open_commitments.filter(due_date__isnull=False).order_by("due_date").values("due_date")[:1]
    )
    return (
        agreement_visible_to(user)
        .filter(agreement_parties__party_id=party_id)
        .select_related("owning_party")
        .annotate(
            next_deadline=Subquery(next_deadline),
            open_commitments=count_of(open_commitments),
            overdue_commitments=count_of(
                open_commitments.filter(due_date__lt=timezone.localdate())
            ),
        )
    )


def last_notice_day(agreement: Agreement) -> dt.date | None:
    """The last day to give notice to end (or not renew) the agreement, when it has one."""
    if agreement.expires_on is None or not agreement.notice_period_days:
        return None
    return agreement.expires_on - dt.timedelta(days=agreement.notice_period_days)


def portfolio_countries(user) -> list[str]:
    """Countries of the counterpart parties in the user's portfolio, for its filter."""
    if (own := party_id_of(user)) is None:
        return []
    agreements = agreement_visible_to(user).filter(agreement_parties__party_id=own)
    return list(
        AgreementParty.objects.filter(agreement__in=agreements.values("pk"))
        .exclude(party_id=own)
        .values_list("party__country", flat=True)
        .distinct()
        .order_by("party__country")
    )


def agreement_party_choices(user) -> QuerySet[Party]:
    """Parties to the agreements the user sees (parties themselves are public)."""
    return Party.objects.filter(
        agreement_roles__agreement__in=agreement_visible_to(user).values("pk")
    ).distinct()


def clauses_with_commitments(user, agreement: Agreement) -> QuerySet[Clause]:
    """The agreement's visible clauses, each with the visible commitments implementing it
    in `visible_commitments`."""
    return (
        clause_visible_to(user)
        .filter(agreement=agreement)
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=commitment_visible_to(user).order_by("due_date", "pk"),
                to_attr="visible_commitments",
            )
        )
    )


def counterpart_zones(user) -> list[str]:
    """The time zones of the parties the user's party shares an agreement with, other
    than the user's own: the clocks a contact cell's counterpart reads times on."""
    if (own := party_id_of(user)) is None:
        return []
    return list(
        AgreementParty.objects.filter(agreement__agreement_parties__party_id=own)
        .exclude(party_id=own)
        .values_list("party__time_zone", flat=True)
        .distinct()
        .order_by("party__time_zone")
    )
