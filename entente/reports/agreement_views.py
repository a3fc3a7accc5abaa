"""The portfolio and the agreement page: an agreement with what every domain app records
under it, as far as the user may see.

Records come only through the selectors (`*_visible_to`, `get_*_for_user`).
"""

import datetime as dt

from django.db.models import OuterRef
from django.shortcuts import render
from django.utils import timezone

from entente.agreements.filters import portfolio_filter
from entente.agreements.selectors import (
    agreement_event_visible_to,
    agreement_visible_to,
    area_visible_to,
    clauses_with_commitments,
    commitment_visible_to,
    count_of,
    get_agreement_for_user,
    last_notice_day,
)
from entente.core.access import membership_of, party_id_of
from entente.core.pages import signed_in
from entente.core.pagination import page_of
from entente.liaison.selectors import liaison_request_visible_to, open_request_count
from entente.meetings.selectors import meeting_visible_to
from entente.sync.selectors import peer_list, peer_sync_status, reads_peers
from entente.training.selectors import training_visible_to

SECTION_SIZE = 20
# Notice to end or renew an agreement is flagged this long before it is due.
NOTICE_WARNING = dt.timedelta(days=90)


def _notice(agreement, today: dt.date) -> dict | None:
    """When notice to end (or not renew) the agreement is due, and how close that is."""
    if agreement.expires_on is None:
        return None
    notice_by = last_notice_day(agreement)
    if agreement.expires_on < today:
        state = "expired"
    elif notice_by is not None and notice_by < today:
        state = "notice_passed"
    elif notice_by is not None and notice_by <= today + NOTICE_WARNING:
        state = "notice_soon"
    else:
        state = "ok"
    return {"expires_on": agreement.expires_on, "notice_by": notice_by, "state": state}


def _party_ids(agreement) -> set[int]:
    return {ap.party_id for ap in agreement.agreement_parties.all()}


# --- portfolio --------------------------------------------------------------------------


@signed_in("GET")
def agreement_list(request):
    user = request.user
    filterset = portfolio_filter(request.GET, request, open_requests=open_request_count(user))
    page = page_of(request, filterset.qs)
    own, today = party_id_of(user), timezone.localdate()
    for agreement in page.object_list:
        agreement.counterparts = [
            ap.party for ap in agreement.agreement_parties.all() if ap.party_id != own
        ]
        agreement.notice = _notice(agreement, today)
        agreement.deadline_overdue = (
            agreement.next_deadline is not None and agreement.next_deadline < today
        )
    return render(
        request,
        "reports/agreement_list.html",
        {
            "filter": filterset,
            "page": page,
            "today": today,
            "can_create": getattr(membership_of(user), "is_coordinator", False),
        },
    )


# --- agreement page ---------------------------------------------------------------------


def _peers(user, agreement, *, is_party: bool, is_coordinator: bool) -> dict:
    """The "Peer instances" section: for the coordinators and auditors of a party to the
    agreement, the peers their party recorded, each with how its exchanges stand."""
    if not (is_party and reads_peers(user)):
        return {"shows_peers": False}
    peers = [(peer, peer_sync_status(peer)) for peer in peer_list(user, agreement)]
    return {"shows_peers": True, "peers": peers, "can_add_peer": is_coordinator}


@signed_in("GET")
def agreement_detail(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    return render_agreement(request, agreement)


def render_agreement(request, agreement):
    """The agreement page."""
    user = request.user
    membership = membership_of(user)
    is_party = membership is not None and membership.party_id in _party_ids(agreement)
    is_coordinator = membership is not None and membership.is_coordinator
    own = membership.party_id if membership else None
    writes = membership is not None and membership.can_write
    # The agreement, its clauses, areas and signatories are kept by the owning party's
    # coordinators; events by the party that recorded them (as the services decide).
    manages = is_coordinator and agreement.owning_party_id == own
    events = list(
        agreement_event_visible_to(user).filter(agreement=agreement).select_related("owning_party")
    )
    for event in events:
        event.publishable = (
            is_coordinator and event.owning_party_id == own and event.scope == "internal"
        )
        event.editable = writes and event.owning_party_id == own
    clauses = list(clauses_with_commitments(user, agreement).select_related("owning_party"))
    for clause in clauses:
        clause.publishable = (
            is_coordinator and clause.owning_party_id == own and clause.scope == "internal"
        )
        clause.editable = manages and clause.owning_party_id == own
    related = agreement_visible_to(user)
    sections = {
        "commitments": commitment_visible_to(user).filter(agreement=agreement),
        "meetings": meeting_visible_to(user).filter(agreement=agreement).order_by("-starts_at"),
        "trainings": training_visible_to(user).filter(agreement=agreement).order_by("-starts_on"),
        "requests": liaison_request_visible_to(user)
        .filter(agreement=agreement)
        .order_by("-sent_at"),
    }
    context = {
        "agreement": agreement,
        "record": agreement,
        "notice": _notice(agreement, timezone.localdate()),
        "events": events,
        "parties": agreement.agreement_parties.all(),
        "signatories": agreement.signatories.select_related("party"),
        "clauses": clauses,
        "areas": area_visible_to(user)
        .filter(agreement=agreement)
        .annotate(
            commitment_count=count_of(commitment_visible_to(user).filter(area=OuterRef("pk")))
        )
        .order_by("code"),
        "parent": related.filter(pk=agreement.parent_id).first() if agreement.parent_id else None,
        "children": list(related.filter(parent=agreement).order_by("title")),
        "can_add": is_party and writes,
        "can_manage": manages,
        "can_publish": is_coordinator
        and agreement.owning_party_id == own
        and agreement.scope == "internal",
        **_peers(user, agreement, is_party=is_party, is_coordinator=is_coordinator),
    }
    for name, queryset in sections.items():
        context[name] = list(queryset[:SECTION_SIZE])
        context[f"{name}_total"] = (
            queryset.count() if len(context[name]) == SECTION_SIZE else len(context[name])
        )
    return render(request, "reports/agreement_detail.html", context)
