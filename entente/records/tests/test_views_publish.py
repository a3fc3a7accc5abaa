"""Publishing: a coordinator shares an internal record; the other party then sees it."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from entente.agreements.models import AgreementEvent, Clause, Commitment
from entente.agreements.services.agreements import agreement_event_record, clause_create
from entente.agreements.services.commitments import commitment_create, commitment_update
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.meetings.services.meetings import meeting_create
from entente.testing import ContactFactory, agreement_between
from entente.training import services as training_services


def url(record_type, record) -> str:
    return reverse("records:record-publish", args=[record_type, str(record.public_id)])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def shown(response) -> list[str]:
    """The messages on the page a followed redirect landed on."""
    return [str(m) for m in response.context["messages"]]


def internal_commitment(cast):
    return commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Draft commitment"},
        responsible_party=cast.a,
        handling=Handling(scope=Scope.INTERNAL),
    )


def test_coordinator_publishes_a_commitment_and_the_other_party_sees_it(client, cast):
    c = internal_commitment(cast)
    detail = reverse("agreements:commitment-detail", args=[c.public_id])
    client.force_login(cast.b_officer)
    assert client.get(detail).status_code == 404
    client.force_login(cast.a_coordinator)
    assert client.get(detail).context["can_publish"] is True
    response = client.post(url("agreements.commitment", c), {"version": 1})
    assert response.status_code == 302
    assert response.url == detail
    assert messages_of(response) == ["Published: the other parties to the agreement now see it."]
    c.refresh_from_db()
    assert (c.scope, c.version) == ("shared", 2)
    client.force_login(cast.b_officer)
    assert client.get(detail).status_code == 200


@pytest.mark.parametrize("who", ["a_officer", "a_reader"])
def test_publish_is_403_for_non_coordinators_of_the_owner(client, cast, who):
    c = internal_commitment(cast)
    client.force_login(getattr(cast, who))
    assert client.post(url("agreements.commitment", c), {"version": 1}).status_code == 403
    assert client.post(url("agreements.commitment", c), {}).status_code == 403
    c.refresh_from_db()
    assert c.scope == "internal"


def test_publish_is_404_for_the_other_partys_coordinator(client, cast):
    c = internal_commitment(cast)
    client.force_login(cast.b_coordinator)
    assert client.post(url("agreements.commitment", c), {"version": 1}).status_code == 404


def test_publish_of_a_shared_record_or_a_stale_version_says_why(client, cast):
    c = internal_commitment(cast)
    commitment_update(actor=cast.a_officer, commitment=c, expected_version=1, progress=5)
    client.force_login(cast.a_coordinator)
    stale = client.post(url("agreements.commitment", c), {"version": 1}, follow=True)
    assert shown(stale) == [
        "The record was changed by someone else meanwhile; review it and publish again."
    ]
    assert Commitment.objects.get(pk=c.pk).scope == "internal"
    missing = client.post(url("agreements.commitment", c), {"version": "x"}, follow=True)
    assert shown(missing) == ["The form is missing the record's version; reload the page."]
    client.post(url("agreements.commitment", c), {"version": 2}, follow=True)
    again = client.post(url("agreements.commitment", c), {"version": 3}, follow=True)
    assert shown(again) == ["This record is already shared."]


def test_publish_agreement_clause_and_event(client, cast):
    agreement = agreement_between(cast.a, cast.b, title_en="Draft", scope=Scope.INTERNAL)
    clause = clause_create(
        actor=cast.a_coordinator,
        agreement=agreement,
        number="1",
        handling=Handling(scope=Scope.INTERNAL),
    )
    event = agreement_event_record(
        actor=cast.a_coordinator,
        agreement=agreement,
        kind="drafted",
        date=dt.date(2024, 1, 1),
        handling=Handling(scope=Scope.INTERNAL),
    )
    page = reverse("reports:agreement-detail", args=[agreement.public_id])
    client.force_login(cast.a_coordinator)
    assert client.post(url("agreements.agreement", agreement), {"version": 1}).url == page
    assert (
        client.post(url("agreements.clause", clause), {"version": 1}).url
        == f"{page}#clause-{clause.public_id}"
    )
    assert (
        client.post(url("agreements.agreementevent", event), {"version": 1}).url
        == f"{page}#timeline"
    )
    assert [type(r).objects.get(pk=r.pk).scope for r in (agreement, clause, event)] == [
        "shared",
        "shared",
        "shared",
    ]
    client.force_login(cast.b_officer)
    context = client.get(page).context
    assert [c.number for c in context["clauses"]] == ["1"]
    assert [e.kind for e in context["events"]] == ["drafted"]
    assert (Clause.objects.count(), AgreementEvent.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    "record_type", ["agreement", "meetings.meeting", "accounts.contact", "agreements.signatory"]
)
def test_publish_of_an_unknown_or_unpublishable_type_is_404(client, cast, record_type):
    """Short names are gone, a type is no other type's, and not every type is published."""
    agreement = agreement_between(cast.a, cast.b, title_en="Draft", scope=Scope.INTERNAL)
    contact = ContactFactory(unit=cast.a_cell, scope=Scope.INTERNAL)
    record = contact if record_type == "accounts.contact" else agreement
    client.force_login(cast.a_coordinator)
    assert client.post(url(record_type, record), {"version": 1}).status_code == 404
    record.refresh_from_db()
    assert (record.scope, record.version) == ("internal", 1)


def test_publish_requires_post(client, cast):
    c = internal_commitment(cast)
    client.force_login(cast.a_coordinator)
    assert client.get(url("agreements.commitment", c)).status_code == 405


def test_publish_meeting_and_training_from_their_pages(client, cast):
    meeting = meeting_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="expert_meeting",
        title={"en": "Draft meeting"},
        starts_at=dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
    )
    training = training_services.training_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Draft course"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=dt.date(2030, 2, 1),
        ends_on=dt.date(2030, 2, 3),
    )
    pages = {
        "meetings.meeting": reverse("meetings:meeting-detail", args=[meeting.public_id]),
        "training.trainingactivity": reverse("training:training-detail", args=[training.public_id]),
    }
    records = (("meetings.meeting", meeting), ("training.trainingactivity", training))
    client.force_login(cast.a_officer)
    for record_type, record in records:
        assert url(record_type, record) not in client.get(pages[record_type]).text
    client.force_login(cast.b_officer)
    assert [client.get(page).status_code for page in pages.values()] == [404, 404]
    client.force_login(cast.a_coordinator)
    for record_type, record in records:
        assert url(record_type, record) in client.get(pages[record_type]).text
        response = client.post(url(record_type, record), {"version": 1})
        assert (response.status_code, response.url) == (302, pages[record_type])
    client.force_login(cast.b_officer)
    assert [client.get(page).status_code for page in pages.values()] == [200, 200]
