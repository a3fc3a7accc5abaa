"""The record-type registry as the trail and publish pages use it: every type the domain
apps write is registered, and each record links to the page that shows it."""

import datetime as dt

from django.urls import reverse

from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
)
from entente.agreements.services.commitments import commitment_create
from entente.core.registry import record_types
from entente.liaison import services as liaison
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.attendance import attendance_set
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_create
from entente.testing import ContactFactory
from entente.training import services as training

PAST = dt.datetime(2023, 3, 14, 10, tzinfo=dt.UTC)


def test_every_record_type_with_a_trail_is_registered():
    # Attachments register their own type in their app.
    assert {
        "accounts.contact",
        "agreements.agreement",
        "agreements.agreementevent",
        "agreements.clause",
        "agreements.commitment",
        "agreements.cooperationarea",
        "liaison.liaisonmessage",
        "liaison.liaisonrequest",
        "meetings.agendaitem",
        "meetings.attendance",
        "meetings.decision",
        "meetings.meeting",
        "training.trainingactivity",
    } <= {entry.name for entry in record_types()}


def test_trail_links_each_record_to_the_page_that_shows_it(client, cast):
    agreement = reverse("reports:agreement-detail", args=[cast.agreement.public_id])
    clause = clause_create(actor=cast.a_coordinator, agreement=cast.agreement, number="1")
    area = area_create(
        actor=cast.a_coordinator, agreement=cast.agreement, code="drugs", name={"en": "Drugs"}
    )
    event = agreement_event_record(
        actor=cast.a_officer, agreement=cast.agreement, kind="signed", date=dt.date(2022, 5, 10)
    )
    commitment = commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Share routes"},
        responsible_party=cast.a,
    )
    meeting = meeting_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="joint_committee",
        title={"en": "Joint committee"},
        starts_at=PAST,
        ends_at=PAST + dt.timedelta(hours=6),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
    )
    meeting_page = reverse("meetings:meeting-detail", args=[meeting.public_id])
    item = agenda_item_add(actor=cast.a_officer, meeting=meeting, title="Routes")
    attendance = attendance_set(
        actor=cast.a_officer,
        meeting=meeting,
        contact=ContactFactory(unit=cast.a_cell),
        status="invited",
    )
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Agreed.")
    activity = training.training_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Course"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=dt.date(2030, 2, 1),
        ends_on=dt.date(2030, 2, 3),
    )
    request = liaison.request_send(
        actor=cast.a_officer,
        agreement=cast.agreement,
        from_unit=cast.a_cell,
        to_unit=cast.b_cell,
        subject="Identify a suspect",
        body="Please.",
        priority="normal",
    )
    request_page = reverse("liaison:request-detail", args=[request.public_id])
    message = liaison.message_post(actor=cast.a_officer, request=request, body="More details.")
    client.force_login(cast.a_officer)
    pages = {
        ("agreements.agreement", cast.agreement.public_id): agreement,
        ("agreements.clause", clause.public_id): f"{agreement}#clause-{clause.public_id}",
        ("agreements.cooperationarea", area.public_id): f"{agreement}#about-title",
        ("agreements.agreementevent", event.public_id): f"{agreement}#timeline",
        ("agreements.commitment", commitment.public_id): reverse(
            "agreements:commitment-detail", args=[commitment.public_id]
        ),
        ("meetings.meeting", meeting.public_id): meeting_page,
        ("meetings.agendaitem", item.public_id): f"{meeting_page}#agenda",
        ("meetings.attendance", attendance.public_id): f"{meeting_page}#attendance",
        ("meetings.decision", decision.public_id): f"{meeting_page}#decision-{decision.public_id}",
        ("training.trainingactivity", activity.public_id): reverse(
            "training:training-detail", args=[activity.public_id]
        ),
        ("liaison.liaisonrequest", request.public_id): request_page,
        (
            "liaison.liaisonmessage",
            message.public_id,
        ): f"{request_page}#message-{message.public_id}",
        ("accounts.contact", attendance.contact.public_id): None,  # contacts have no page
    }
    found = {
        key: client.get(reverse("records:record-trail", args=key)).context["record_url"]
        for key in pages
    }
    assert found == pages
