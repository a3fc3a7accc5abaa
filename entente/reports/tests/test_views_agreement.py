"""The agreement page: timeline, parties, clauses and their commitments, related records."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.models import Signatory
from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
)
from entente.agreements.services.commitments import commitment_create
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.liaison import services as liaison
from entente.meetings.services.meetings import meeting_create
from entente.testing import agreement_between
from entente.training import services as training


def url(agreement) -> str:
    return reverse("reports:agreement-detail", args=[agreement.public_id])


def commitment(cast, actor, party, title, *, clauses=(), scope=Scope.SHARED):
    return commitment_create(
        actor=actor,
        agreement=cast.agreement,
        title={"en": title},
        responsible_party=party,
        clauses=clauses,
        due_date=dt.date(2030, 1, 1),
        handling=Handling(scope=scope),
    )


def meeting(cast, actor, party, title, scope):
    return meeting_create(
        actor=actor,
        agreement=cast.agreement,
        kind="joint_committee",
        title={"en": title},
        starts_at=dt.datetime(2023, 3, 14, 10, 0),
        ends_at=dt.datetime(2023, 3, 14, 16, 0),
        time_zone="Africa/Casablanca",
        host_party=party,
        handling=Handling(scope=scope),
    )


@pytest.fixture
def page(cast):
    """The cast's agreement with a record of each kind on each side."""
    agreement = cast.agreement
    Signatory.objects.create(agreement=agreement, party=cast.a, name="A. Director")
    agreement_event_record(
        actor=cast.a_coordinator, agreement=agreement, kind="signed", date=dt.date(2022, 5, 10)
    )
    agreement_event_record(
        actor=cast.a_coordinator,
        agreement=agreement,
        kind="entered_into_force",
        date=dt.date(2022, 5, 1),
        date_precision="month",
        certainty="reported",
        source="Press, May 2022",
    )
    agreement_event_record(
        actor=cast.b_officer,
        agreement=agreement,
        kind="ratified",
        date=dt.date(2022, 6, 1),
        handling=Handling(scope=Scope.INTERNAL),
    )
    clause = clause_create(
        actor=cast.a_coordinator, agreement=agreement, number="2", heading={"en": "Contact cells"}
    )
    area_create(
        actor=cast.a_coordinator, agreement=agreement, code="cyber", name={"en": "Cybercrime"}
    )
    commitment(cast, cast.a_officer, cast.a, "A designates its cell", clauses=[clause])
    commitment(cast, cast.b_officer, cast.b, "B internal task", clauses=[clause], scope="internal")
    meeting(cast, cast.a_officer, cast.a, "Joint committee", "shared")
    meeting(cast, cast.b_officer, cast.b, "B preparatory meeting", "internal")
    training.training_create(
        actor=cast.b_officer,
        agreement=agreement,
        kind="course",
        title={"en": "Cyber course"},
        host_party=cast.b,
        sending_party=cast.a,
        starts_on=dt.date(2024, 1, 8),
        ends_on=dt.date(2024, 1, 12),
        handling=Handling(scope="shared"),
    )
    liaison.request_send(
        actor=cast.a_officer,
        agreement=agreement,
        from_unit=cast.a_cell,
        to_unit=cast.b_cell,
        subject="Identify a suspect",
        body="Please.",
        priority="urgent",
    )
    return cast


def test_agreement_page_shows_what_the_user_may_see(client, page):
    cast = page
    client.force_login(cast.a_reader)
    response = client.get(url(cast.agreement))
    assert response.status_code == 200
    context = response.context
    assert [(e.kind, e.date_precision, e.certainty) for e in context["events"]] == [
        ("entered_into_force", "month", "reported"),
        ("signed", "day", "confirmed"),
    ]
    assert [(ap.party.code, ap.role) for ap in context["parties"]] == [
        ("MA-DGSN", "party"),
        ("NL-POL", "party"),
    ]
    assert [s.name for s in context["signatories"]] == ["A. Director"]
    assert [(c.number, [x.title for x in c.visible_commitments]) for c in context["clauses"]] == [
        ("2", ["A designates its cell"])
    ]
    assert [a.name for a in context["areas"]] == ["Cybercrime"]
    assert [c.title for c in context["commitments"]] == ["A designates its cell"]
    assert [m.title for m in context["meetings"]] == ["Joint committee"]
    assert [t.title for t in context["trainings"]] == ["Cyber course"]
    assert [r.subject for r in context["requests"]] == ["Identify a suspect"]
    html = response.content.decode()
    assert 'May 2022 <span class="muted">(month)</span>' in html
    assert ">reported<" in html
    assert "Source: Press, May 2022" in html
    assert "B internal task" not in html
    assert "B preparatory meeting" not in html
    # A reader may add nothing and publish nothing.
    assert context["can_add"] is False
    assert context["can_publish"] is False
    assert reverse("agreements:commitment-create", args=[cast.agreement.public_id]) not in html


def test_agreement_page_for_the_other_party_shows_its_own_internal_records(client, page):
    cast = page
    client.force_login(cast.b_officer)
    context = client.get(url(cast.agreement)).context
    assert [e.kind for e in context["events"]] == ["entered_into_force", "signed", "ratified"]
    assert [c.title for c in context["commitments"]] == [
        "A designates its cell",
        "B internal task",
    ]
    assert [m.title for m in context["meetings"]] == ["Joint committee", "B preparatory meeting"]
    assert context["can_add"] is True


def test_agreement_page_is_404_for_outsiders_and_for_anothers_internal_agreement(client, cast):
    internal = agreement_between(cast.a, cast.b, title_en="A draft", scope=Scope.INTERNAL)
    client.force_login(cast.c_officer)
    assert client.get(url(cast.agreement)).status_code == 404
    client.force_login(cast.b_coordinator)
    assert client.get(url(internal)).status_code == 404
    client.force_login(cast.a_reader)
    assert client.get(url(internal)).status_code == 200
    assert (
        client.get(
            reverse("reports:agreement-detail", args=["7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"])
        ).status_code
        == 404
    )


def test_agreement_page_offers_publishing_to_the_owners_coordinator_only(client, cast):
    internal = agreement_between(cast.a, cast.b, title_en="A draft", scope=Scope.INTERNAL)
    publish = reverse("records:record-publish", args=["agreements.agreement", internal.public_id])
    client.force_login(cast.a_coordinator)
    response = client.get(url(internal))
    assert response.context["can_publish"] is True
    assert publish in response.content.decode()
    client.force_login(cast.a_officer)
    assert publish not in client.get(url(internal)).content.decode()
    client.force_login(cast.a_coordinator)
    assert client.get(url(cast.agreement)).context["can_publish"] is False  # already shared


def test_agreement_page_links_related_agreements_the_user_may_see(client, cast):
    child = agreement_between(cast.a, cast.b, title_en="Protocol", parent=cast.agreement)
    agreement_between(
        cast.b, cast.a, title_en="B protocol", parent=cast.agreement, scope=Scope.INTERNAL
    )
    client.force_login(cast.a_officer)
    context = client.get(url(cast.agreement)).context
    assert context["parent"] is None
    assert context["children"] == [child]
    assert client.get(url(child)).context["parent"] == cast.agreement


def test_agreement_page_query_count_does_not_grow_with_records(client, cast):
    client.force_login(cast.a_officer)
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")

    def add(n):
        for i in range(n):
            commitment(cast, cast.a_officer, cast.a, f"C{i}", clauses=[clause])
            agreement_event_record(
                actor=cast.a_officer,
                agreement=cast.agreement,
                kind="amended",
                date=dt.date(2023, 1, 1),
            )

    add(2)
    client.get(url(cast.agreement))
    with CaptureQueriesContext(connection) as few:
        client.get(url(cast.agreement))
    add(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(cast.agreement))
    assert len(response.context["commitments"]) == 10
    assert len(many) == len(few)


def test_pages_carry_no_inline_code_for_the_strict_csp(client, page):
    import re

    cast = page
    commitment_pk = cast.agreement.commitments.first().public_id
    client.force_login(cast.a_officer)
    urls = [
        url(cast.agreement),
        reverse("reports:agreement-list"),
        reverse("agreements:commitment-list"),
        reverse("agreements:commitment-detail", args=[commitment_pk]),
        reverse("agreements:commitment-edit", args=[commitment_pk]),
        reverse("agreements:commitment-status", args=[commitment_pk]),
        reverse("agreements:commitment-create", args=[cast.agreement.public_id]),
        reverse("records:record-trail", args=["agreements.commitment", commitment_pk]),
    ]
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", re.I)
    found = {}
    for target in urls:
        response = client.get(target)
        assert response.status_code == 200, target
        found[target] = inline.findall(response.content.decode())
    assert found == {target: [] for target in urls}


@pytest.mark.parametrize(
    ("user", "offered"), [("a_officer", True), ("b_officer", True), ("a_reader", False)]
)
def test_agreement_page_offers_a_writer_new_meetings_trainings_and_requests(
    client, page, user, offered
):
    cast = page
    client.force_login(getattr(cast, user))
    html = client.get(url(cast.agreement)).content.decode()

    pk = cast.agreement.public_id
    links = {
        "meetings:meeting-create": "Schedule a meeting",
        "training:training-create": "New training",
        "liaison:request-create": "New request",
    }
    shown = {
        name: f'<a class="button button-small" href="{reverse(name, args=[pk])}">{label}</a>'
        in html
        for name, label in links.items()
    }
    assert shown == dict.fromkeys(links, offered)
