"""Recurring commitments: marking one done makes its next occurrence, a record of its own."""

import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.models import Commitment
from entente.agreements.selectors import commitment_links
from entente.agreements.services.agreements import (
    area_create,
    clause_create,
    record_set_marking,
)
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    next_due_date,
)
from entente.agreements.services.reports import progress_report_accept, progress_report_submit
from entente.audit.models import AuditEvent
from entente.core.errors import NotFound, PermissionDenied
from entente.testing import with_handling
from entente.tests.api_helpers import api_client


@pytest.mark.parametrize(
    ("due", "recurrence", "expected"),
    [
        (dt.date(2027, 1, 31), "monthly", dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), "monthly", dt.date(2028, 2, 29)),  # leap year
        (dt.date(2027, 3, 31), "monthly", dt.date(2027, 4, 30)),
        (dt.date(2027, 12, 15), "monthly", dt.date(2028, 1, 15)),
        (dt.date(2027, 11, 30), "quarterly", dt.date(2028, 2, 29)),
        (dt.date(2027, 8, 31), "semiannual", dt.date(2028, 2, 29)),
        (dt.date(2028, 2, 29), "yearly", dt.date(2029, 2, 28)),
        (dt.date(2027, 6, 30), "yearly", dt.date(2028, 6, 30)),
    ],
)
def test_next_due_date_keeps_to_the_month_it_lands_in(due, recurrence, expected):
    assert next_due_date(due, recurrence) == expected


def monthly(cast, actor=None, **fields) -> Commitment:
    """A shared monthly report of A, due on 31 January, with a clause and an area."""
    number = str(Commitment.objects.count() + 1)
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number=number)
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code=f"a{number}", name={"en": "Drugs"}
    )
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Monthly threat report", "fr": "Rapport mensuel"},
        "description": {"en": "Sent to the other cell"},
        "responsible_party": cast.b,
        "responsible_unit": cast.b_cell,
        "clauses": [clause],
        "area": area,
        "kind": "recurring",
        "recurrence": "monthly",
        "due_date": dt.date(2027, 1, 31),
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return commitment_create(**with_handling(defaults | fields))


def _texts(record, name: str, *codes: str) -> tuple:
    # The per-language columns come from modeltranslation at start-up, unseen by mypy.
    return tuple(getattr(record, f"{name}_{code}") for code in codes)


def shape(commitment: Commitment) -> dict:
    return {
        "agreement": commitment.agreement_id,
        "owning_party": commitment.owning_party_id,
        "responsible_party": commitment.responsible_party_id,
        "responsible_unit": commitment.responsible_unit_id,
        "clauses": list(commitment.clauses.values_list("pk", flat=True)),
        "area": commitment.area_id,
        "scope": commitment.scope,
        "marking": commitment.marking,
        "red_recipients": list(commitment.red_recipients.values_list("pk", flat=True)),
        "title": _texts(commitment, "title", "en", "fr"),
        "description": _texts(commitment, "description", "en"),
        "kind": (commitment.kind, commitment.recurrence),
    }


def test_done_makes_the_next_occurrence_in_the_same_transaction(cast):
    first = monthly(cast)
    before = AuditEvent.objects.count()
    done = commitment_change_status(
        actor=cast.a_officer, commitment=first, status="done", expected_version=1
    )
    following = Commitment.objects.get(previous_occurrence=first)
    assert shape(following) == shape(first)
    assert (following.due_date, following.status, following.progress, following.version) == (
        dt.date(2027, 2, 28),
        "planned",
        0,
        1,
    )
    assert (done.status, done.progress) == ("done", 100)
    assert following.public_id != first.public_id
    events = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.action, e.target_type, e.target_id) for e in events] == [
        ("status", "agreements.commitment", str(first.pk)),
        ("create", "agreements.commitment", str(following.pk)),
    ]


def test_reopening_and_closing_again_makes_no_second_next_occurrence(cast):
    first = monthly(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=first, status="done", expected_version=1
    )
    commitment_change_status(
        actor=cast.a_officer, commitment=first, status="in_progress", expected_version=2
    )
    commitment_change_status(
        actor=cast.a_officer, commitment=first, status="done", expected_version=3
    )
    assert Commitment.objects.filter(previous_occurrence=first).count() == 1
    assert Commitment.objects.count() == 2


def test_each_occurrence_makes_its_own_next_one(cast):
    first = monthly(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=first, status="done", expected_version=1
    )
    second = Commitment.objects.get(previous_occurrence=first)
    commitment_change_status(
        actor=cast.a_officer, commitment=second, status="done", expected_version=1
    )
    third = Commitment.objects.get(previous_occurrence=second)
    assert [c.due_date for c in (first, second, third)] == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 28),
    ]


def test_one_off_and_other_statuses_make_no_next_occurrence(cast):
    one_off = monthly(cast, kind="one_off", recurrence="")
    commitment_change_status(
        actor=cast.a_officer, commitment=one_off, status="done", expected_version=1
    )
    recurring = monthly(cast, title={"en": "Other"}, clauses=[], area=None)
    commitment_change_status(
        actor=cast.a_officer, commitment=recurring, status="cancelled", expected_version=1
    )
    assert Commitment.objects.filter(previous_occurrence__isnull=False).count() == 0


def test_a_red_commitment_passes_its_recipients_to_the_next_occurrence(cast):
    first = monthly(
        cast, actor=cast.a_coordinator, marking="TLP:RED", red_recipients=[cast.b_officer]
    )
    commitment_change_status(
        actor=cast.a_coordinator, commitment=first, status="done", expected_version=1
    )
    following = Commitment.objects.get(previous_occurrence=first)
    assert following.marking == "TLP:RED"
    assert set(following.red_recipients.all()) == {cast.a_coordinator, cast.b_officer}


def test_an_accepted_report_that_says_done_makes_the_next_occurrence(cast):
    first = monthly(cast)
    report = progress_report_submit(
        actor=cast.b_officer, commitment=first, progress=100, proposed_status="done"
    )
    progress_report_accept(actor=cast.a_officer, report=report, expected_version=1)
    following = Commitment.objects.get(previous_occurrence=first)
    assert (following.due_date, following.status, following.title_en) == (
        dt.date(2027, 2, 28),
        "planned",
        "Monthly threat report",
    )


@pytest.mark.parametrize(
    ("who", "error"),
    [("a_reader", PermissionDenied), ("b_officer", PermissionDenied), ("c_officer", NotFound)],
)
def test_marking_done_is_refused_to_reader_other_party_and_outsider(cast, who, error):
    first = monthly(cast)
    with pytest.raises(error):
        commitment_change_status(
            actor=getattr(cast, who), commitment=first, status="done", expected_version=1
        )
    assert Commitment.objects.count() == 1


def test_internal_commitment_done_is_unknown_to_the_other_party(cast):
    first = monthly(cast, scope="internal")
    with pytest.raises(NotFound):
        commitment_change_status(
            actor=cast.b_officer, commitment=first, status="done", expected_version=1
        )
    assert Commitment.objects.count() == 1


def test_occurrences_link_both_ways_on_pages_and_in_the_api(client, cast):
    first = monthly(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=first, status="done", expected_version=1
    )
    following = Commitment.objects.get(previous_occurrence=first)
    links = commitment_links(cast.b_officer, first)
    assert (links.previous, links.next, links.decisions) == (None, following, [])
    links = commitment_links(cast.b_officer, following)
    assert (links.previous, links.next) == (first, None)
    client.force_login(cast.b_officer)
    page = client.get(following.get_absolute_url()).content.decode()
    assert "Previous occurrence" in page and first.get_absolute_url() in page
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Next occurrence" in page and following.get_absolute_url() in page
    api = api_client(cast.b_officer)
    body = api.get(f"/api/v1/commitments/{following.public_id}").json()
    assert (body["previous_occurrence"], body["next_occurrence"]) == (str(first.public_id), None)
    listed = api.get("/api/v1/commitments").json()["items"]
    assert [(c["id"], c["previous_occurrence"], c["next_occurrence"]) for c in listed] == [
        (str(first.public_id), None, str(following.public_id)),
        (str(following.public_id), str(first.public_id), None),
    ]


def test_an_occurrence_the_reader_may_not_see_is_not_linked(client, cast):
    first = monthly(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=first, status="done", expected_version=1
    )
    following = Commitment.objects.get(previous_occurrence=first)
    # The owner's coordinator keeps the next one to themselves.
    record_set_marking(
        actor=cast.a_coordinator,
        record=following,
        marking="TLP:RED",
        red_recipients=[cast.a_coordinator],
        expected_version=1,
    )
    assert commitment_links(cast.b_officer, first).next is None
    assert commitment_links(cast.a_coordinator, first).next == following
    body = api_client(cast.b_officer).get(f"/api/v1/commitments/{first.public_id}").json()
    assert body["next_occurrence"] is None
    client.force_login(cast.b_officer)
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Next occurrence" not in page
    assert reverse("agreements:commitment-detail", args=[following.public_id]) not in page
