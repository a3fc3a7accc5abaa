import datetime as dt
import re

import pytest
from django.utils import timezone

from entente.agreements.models import CooperationArea
from entente.audit.models import AuditEvent
from entente.core.access import visible_to
from entente.core.enums import Marking, Scope
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.liaison import selectors, services
from entente.liaison.enums import MessageKind, Priority, RequestStatus
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.testing import Role, UnitFactory, agreement_between, member, with_handling

T = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def send(cast, actor=None, **kwargs) -> LiaisonRequest:
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "from_unit": cast.a_cell,
        "to_unit": cast.b_cell,
        "subject": "Identity check",
        "body": "Please confirm the identity of the person in the attached file.",
        "priority": Priority.NORMAL,
        "now": T,
    }
    return services.request_send(**with_handling(defaults | kwargs))


def state(request: LiaisonRequest) -> tuple:
    """What a failed call must leave untouched: the row, its thread and the audit chain."""
    request.refresh_from_db()
    return (
        request.status,
        request.version,
        request.due_at,
        request.paused_at,
        request.messages.count(),
        AuditEvent.objects.count(),
    )


def audit_actions(record) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).values_list("action", "actor_name")
    )


def thread(user, request) -> list[tuple[str, str, str]]:
    return [(m.kind, m.author.username, m.body) for m in selectors.messages_for(user, request)]


# --- sending ------------------------------------------------------------------------------


def test_request_send_by_officer_records_deadline_reference_and_audit(cast):
    request = send(cast, priority=Priority.URGENT)
    request.refresh_from_db()
    assert (
        request.reference,
        request.owning_party,
        request.scope,
        request.marking,
        request.status,
        request.sent_at,
        request.due_at,
        request.version,
    ) == (
        "MA-DGSN-2025-0001",
        cast.a,
        Scope.SHARED,
        Marking.AMBER,
        RequestStatus.SENT,
        T,
        T + 48 * HOUR,
        1,
    )
    assert audit_actions(request) == [("send", "a_officer")]


def test_request_send_normal_priority_uses_agreement_days(cast):
    cast.agreement.normal_response_days = 14
    cast.agreement.save()
    assert send(cast).due_at == T + 14 * DAY


def test_request_send_references_count_per_party_and_year(cast):
    references = [
        send(cast).reference,
        send(cast).reference,
        send(cast, actor=cast.b_officer, from_unit=cast.b_cell, to_unit=cast.a_cell).reference,
        send(cast, now=T.replace(year=2026)).reference,
    ]
    assert references == [
        "MA-DGSN-2025-0001",
        "MA-DGSN-2025-0002",
        "NL-POL-2025-0001",
        "MA-DGSN-2026-0001",
    ]


def test_request_send_reference_year_is_the_senders_local_year(cast):
    new_year_in_amsterdam = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    request = send(
        cast,
        actor=cast.b_officer,
        from_unit=cast.b_cell,
        to_unit=cast.a_cell,
        now=new_year_in_amsterdam,
    )
    assert request.reference == "NL-POL-2026-0001"


def test_request_send_numbers_after_a_manual_reference_of_the_same_pattern(cast):
    send(cast, reference="MA-DGSN-2025-0041")
    send(cast, reference="MA-2025-LEGACY")
    assert send(cast).reference == "MA-DGSN-2025-0042"


def test_request_send_refuses_a_reference_already_taken(cast):
    send(cast, reference="MA-7")
    before = (LiaisonRequest.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        send(cast, reference="MA-7")
    assert exc.value.message_dict == {
        "reference": ["This agreement already has a request with this reference."]
    }
    assert (LiaisonRequest.objects.count(), AuditEvent.objects.count()) == before


def test_request_send_numbers_per_agreement_so_no_reader_counts_hidden_requests(cast):
    """Party B reads A's requests under their agreement only: a request A sends under
    another agreement, or marks TLP:RED, must not leave a gap in the numbers B sees."""
    other = agreement_between(cast.a, cast.c, owner=cast.a)
    first = send(cast).reference
    send(cast, agreement=other, to_unit=cast.c_cell)
    red = send(
        cast, cast.a_coordinator, marking="TLP:RED", red_recipients=[cast.b_officer]
    ).reference
    second = send(cast).reference
    assert (first, second) == ("MA-DGSN-2025-0001", "MA-DGSN-2025-0002")
    assert re.fullmatch(r"MA-DGSN-2025-R[A-HJ-NP-Z2-9]{6}", red)
    assert list(
        visible_to(LiaisonRequest.objects.all(), cast.b_coordinator).values_list(
            "reference", flat=True
        )
    ) == [first, second]
    assert send(cast, agreement=other, to_unit=cast.c_cell, reference=" ").reference == (
        "MA-DGSN-2025-0002"
    )


# An outsider does not see the agreement: it does not exist for them.
@pytest.mark.parametrize(
    ("who", "error"), [("a_reader", PermissionDenied), ("c_officer", NotFound)]
)
def test_request_send_refused_to_readers_and_outsiders(cast, who, error):
    with pytest.raises(error):
        send(cast, actor=getattr(cast, who))
    assert LiaisonRequest.objects.count() == 0


def test_request_send_refuses_internal_scope_and_leaves_nothing_behind(cast):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        send(cast, scope=Scope.INTERNAL)
    assert exc.value.message_dict == {
        "scope": ["A liaison request is shared between the two cells."]
    }
    assert (LiaisonRequest.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_request_send_refuses_cells_of_the_wrong_party(cast):
    with pytest.raises(ValidationError) as exc:
        send(cast, from_unit=cast.b_cell, to_unit=cast.a_cell)
    assert exc.value.message_dict == {
        "from_unit": ["The sending cell must be one of your party's units."],
        "to_unit": ["The receiving cell must belong to another party."],
    }


def test_request_send_refuses_units_that_are_not_contact_cells(cast):
    with pytest.raises(ValidationError) as exc:
        send(
            cast,
            from_unit=UnitFactory(party=cast.a, is_contact_cell=False),
            to_unit=UnitFactory(party=cast.b, is_contact_cell=False),
        )
    assert exc.value.message_dict == {
        "from_unit": ["The sending unit is not a contact cell."],
        "to_unit": ["The receiving unit is not a contact cell."],
    }


def test_request_send_refuses_a_cell_outside_the_agreement(cast):
    with pytest.raises(ValidationError) as exc:
        send(cast, to_unit=cast.c_cell)
    assert exc.value.message_dict == {
        "to_unit": ["The receiving cell's party is not a party to this agreement."]
    }


def test_request_send_refuses_area_of_another_agreement(cast):
    other = agreement_between(cast.a, cast.b)
    area = CooperationArea.objects.create(agreement=other, code="cyber", name_en="Cybercrime")
    with pytest.raises(ValidationError) as exc:
        send(cast, area=area)
    assert exc.value.message_dict == {"area": ["The area belongs to another agreement."]}


def test_request_send_refuses_an_agreement_not_yet_shared(cast):
    draft = agreement_between(cast.a, cast.b, scope=Scope.INTERNAL)
    with pytest.raises(ValidationError) as exc:
        send(cast, agreement=draft)
    assert exc.value.message_dict == {
        "agreement": ["The agreement is not shared with the other parties yet."]
    }


def test_request_send_refuses_unknown_priority(cast):
    with pytest.raises(ValidationError) as exc:
        send(cast, priority="whenever")
    assert exc.value.message_dict == {"priority": ["Unknown priority."]}


def test_request_send_red_needs_a_recipient_of_the_receiving_party(cast):
    with pytest.raises(ValidationError) as exc:
        send(cast, marking=Marking.RED, red_recipients=[cast.a_coordinator])
    assert exc.value.message_dict == {
        "red_recipients": ["Name at least one recipient of the receiving party for TLP:RED."]
    }


# --- who sees what ------------------------------------------------------------------------


def test_request_visible_to_both_parties_but_not_to_an_outsider(cast):
    request = send(cast)
    for user in (cast.a_reader, cast.b_officer, cast.b_coordinator):
        assert list(selectors.liaison_request_visible_to(user)) == [request]
        assert selectors.get_liaison_request_for_user(user, request.public_id) == request
    assert list(selectors.liaison_request_visible_to(cast.c_officer)) == []
    with pytest.raises(NotFound):
        selectors.get_liaison_request_for_user(cast.c_officer, request.public_id)


def test_get_request_for_write_is_for_writers_of_either_cell(cast):
    request = send(cast)
    assert selectors.get_liaison_request_for_user(cast.a_officer, request.public_id, write=True)
    assert selectors.get_liaison_request_for_user(cast.b_officer, request.public_id, write=True)
    with pytest.raises(PermissionDenied):
        selectors.get_liaison_request_for_user(cast.a_reader, request.public_id, write=True)


def test_get_request_for_write_refused_to_a_third_party_of_the_agreement(cast):
    agreement = agreement_between(cast.a, cast.b, cast.c)
    request = send(cast, agreement=agreement)
    assert selectors.get_liaison_request_for_user(cast.c_officer, request.public_id) == request
    with pytest.raises(PermissionDenied):
        selectors.get_liaison_request_for_user(cast.c_officer, request.public_id, write=True)


def test_red_request_and_its_thread_visible_only_to_named_recipients(cast):
    request = send(
        cast,
        cast.a_coordinator,
        marking=Marking.RED,
        red_recipients=[cast.a_officer, cast.b_officer],
    )
    services.message_post(actor=cast.b_officer, request=request, body="Received.")
    for user in (cast.a_coordinator, cast.a_officer, cast.b_officer):
        assert list(selectors.liaison_request_visible_to(user)) == [request]
        assert thread(user, request) == [("message", "b_officer", "Received.")]
    # b_coordinator coordinates the message's party, but not the request's.
    for user in (cast.a_reader, cast.b_coordinator):
        assert list(selectors.liaison_request_visible_to(user)) == []
        assert list(selectors.message_visible_to(user)) == []
        with pytest.raises(NotFound):
            selectors.get_liaison_request_for_user(user, request.public_id)
    with pytest.raises(NotFound):
        services.request_acknowledge(actor=cast.b_coordinator, request=request, expected_version=1)


def test_inbox_and_outbox_list_open_requests_first_by_deadline(cast):
    done = send(cast, priority=Priority.URGENT, subject="done")
    normal = send(cast, subject="normal")
    urgent = send(cast, priority=Priority.URGENT, subject="urgent", now=T + HOUR)
    services.request_answer(
        actor=cast.b_officer, request=done, body="Yes.", expected_version=1, now=T + HOUR
    )
    incoming = send(cast, actor=cast.b_officer, from_unit=cast.b_cell, to_unit=cast.a_cell)
    assert list(selectors.inbox_for(cast.b_officer)) == [urgent, normal, done]
    assert list(selectors.outbox_for(cast.a_reader)) == [urgent, normal, done]
    assert list(selectors.inbox_for(cast.a_reader)) == [incoming]
    assert list(selectors.outbox_for(cast.b_coordinator)) == [incoming]
    assert list(selectors.inbox_for(cast.c_officer)) == []


def test_inbox_query_count_does_not_grow_with_rows(cast, django_assert_num_queries):
    for _ in range(3):
        send(cast)
    with django_assert_num_queries(1):
        rows = [
            (r.from_unit.party.code, r.to_unit.party.code, r.agreement.pk, r.area)
            for r in selectors.inbox_for(cast.b_officer)
        ]
    assert len(rows) == 3


# --- acknowledge --------------------------------------------------------------------------


def test_request_acknowledge_by_receiver(cast):
    request = send(cast)
    request = services.request_acknowledge(
        actor=cast.b_officer, request=request, expected_version=1, now=T + HOUR
    )
    assert (request.status, request.acknowledged_at, request.version) == (
        RequestStatus.ACKNOWLEDGED,
        T + HOUR,
        2,
    )
    assert audit_actions(request) == [("send", "a_officer"), ("acknowledge", "b_officer")]


def test_request_acknowledge_refused_to_the_sender(cast):
    request = send(cast)
    with pytest.raises(PermissionDenied) as exc:
        services.request_acknowledge(actor=cast.a_officer, request=request, expected_version=1)
    assert str(exc.value) == "Only the receiving party may do this."


def test_request_acknowledge_refused_to_a_reader_of_the_receiving_party(cast):
    b_reader = member("b_reader", cast.b, Role.READER, cast.b_cell)
    request = send(cast)
    with pytest.raises(PermissionDenied):
        services.request_acknowledge(actor=b_reader, request=request, expected_version=1)


def test_request_acknowledge_by_an_outsider_is_not_found(cast):
    request = send(cast)
    with pytest.raises(NotFound):
        services.request_acknowledge(actor=cast.c_officer, request=request, expected_version=1)


def test_request_acknowledge_twice_is_refused(cast):
    request = send(cast)
    services.request_acknowledge(actor=cast.b_officer, request=request, expected_version=1)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.request_acknowledge(actor=cast.b_officer, request=request, expected_version=2)
    assert exc.value.message_dict == {
        "status": ["A request cannot go from Acknowledged to Acknowledged."]
    }
    assert state(request) == before


# --- clarification ------------------------------------------------------------------------


def test_clarification_pauses_the_clock_and_resuming_shifts_due_at_exactly(cast):
    request = send(cast)  # due T + 30 days
    request = services.request_acknowledge(
        actor=cast.b_officer, request=request, expected_version=1, now=T + DAY
    )
    request = services.clarification_ask(
        actor=cast.b_officer,
        request=request,
        body="Which date of birth?",
        expected_version=2,
        now=T + 2 * DAY,
    )
    assert (request.status, request.paused_at, request.due_at) == (
        RequestStatus.CLARIFICATION,
        T + 2 * DAY,
        T + 30 * DAY,
    )
    request = services.clarification_provide(
        actor=cast.a_officer,
        request=request,
        body="12 May 1990.",
        expected_version=3,
        now=T + 5 * DAY + 3 * HOUR,
    )
    assert (request.status, request.paused_at, request.due_at, request.version) == (
        RequestStatus.ACKNOWLEDGED,
        None,
        T + 33 * DAY + 3 * HOUR,
        4,
    )
    assert thread(cast.b_officer, request) == [
        ("clarification_question", "b_officer", "Which date of birth?"),
        ("clarification_answer", "a_officer", "12 May 1990."),
    ]


def test_thread_entries_bear_the_time_of_the_state_change_they_come_with(cast):
    answered = send(cast)
    answered = services.clarification_ask(
        actor=cast.b_officer, request=answered, body="Which one?", expected_version=1, now=T + DAY
    )
    answered = services.clarification_provide(
        actor=cast.a_officer,
        request=answered,
        body="The first.",
        expected_version=2,
        now=T + 2 * DAY,
    )
    services.message_post(actor=cast.b_officer, request=answered, body="Noted.", now=T + 3 * DAY)
    answered = services.request_answer(
        actor=cast.b_officer,
        request=answered,
        body="Confirmed.",
        expected_version=3,
        now=T + 4 * DAY,
    )
    refused = send(cast, subject="Another check")
    services.request_refuse(
        actor=cast.b_officer,
        request=refused,
        refusal_reason="Out of scope.",
        expected_version=1,
        now=T + 5 * DAY,
    )
    assert list(LiaisonMessage.objects.values_list("request__subject", "kind", "created_at")) == [
        ("Identity check", "clarification_question", T + DAY),
        ("Identity check", "clarification_answer", T + 2 * DAY),
        ("Identity check", "message", T + 3 * DAY),
        ("Identity check", "answer", T + 4 * DAY),
        ("Another check", "refusal", T + 5 * DAY),
    ]


def test_a_thread_entry_posted_without_a_time_is_posted_now(cast):
    request = send(cast)
    before = timezone.now()
    message = services.message_post(actor=cast.b_officer, request=request, body="Working on it.")
    assert before <= message.created_at <= timezone.now()


def test_clarification_provide_returns_an_unacknowledged_request_to_sent(cast):
    request = send(cast)
    services.clarification_ask(
        actor=cast.b_officer, request=request, body="Which file?", expected_version=1, now=T
    )
    request = services.clarification_provide(
        actor=cast.a_officer, request=request, body="This one.", expected_version=2, now=T + DAY
    )
    assert (request.status, request.due_at) == (RequestStatus.SENT, T + 31 * DAY)


def test_request_acknowledge_refused_while_a_clarification_is_pending(cast):
    request = send(cast)
    services.clarification_ask(actor=cast.b_officer, request=request, body="?", expected_version=1)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.request_acknowledge(actor=cast.b_officer, request=request, expected_version=2)
    assert exc.value.message_dict == {
        "status": ["A request cannot go from Clarification asked to Acknowledged."]
    }
    assert state(request) == before


def test_clarification_ask_refused_to_the_sender(cast):
    request = send(cast)
    with pytest.raises(PermissionDenied):
        services.clarification_ask(
            actor=cast.a_officer, request=request, body="?", expected_version=1
        )


def test_clarification_ask_needs_a_question(cast):
    request = send(cast)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.clarification_ask(
            actor=cast.b_officer, request=request, body="  ", expected_version=1
        )
    assert exc.value.message_dict == {"body": ["This field cannot be blank."]}
    assert state(request) == before


def test_clarification_ask_refused_once_answered(cast):
    request = send(cast)
    services.request_answer(
        actor=cast.b_officer, request=request, body="Yes.", expected_version=1, now=T
    )
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.clarification_ask(
            actor=cast.b_officer, request=request, body="?", expected_version=2
        )
    assert exc.value.message_dict == {
        "status": ["A request cannot go from Answered to Clarification asked."]
    }
    assert state(request) == before


def test_clarification_provide_refused_to_the_receiver(cast):
    request = send(cast)
    services.clarification_ask(actor=cast.b_officer, request=request, body="?", expected_version=1)
    with pytest.raises(PermissionDenied) as exc:
        services.clarification_provide(
            actor=cast.b_officer, request=request, body="!", expected_version=2
        )
    assert str(exc.value) == "Only the sending party may do this."


def test_clarification_provide_refused_when_none_was_asked(cast):
    request = send(cast)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.clarification_provide(
            actor=cast.a_officer, request=request, body="!", expected_version=1
        )
    assert exc.value.message_dict == {
        "status": ["A clarification can be provided only while one is asked; the request is Sent."]
    }
    assert state(request) == before


# --- answer -------------------------------------------------------------------------------


def test_request_answer_on_time_posts_the_answer(cast):
    request = send(cast)
    request = services.request_answer(
        actor=cast.b_coordinator,
        request=request,
        body="Confirmed.",
        expected_version=1,
        now=T + 30 * DAY,  # exactly at the deadline is still on time
    )
    assert (request.status, request.answered_at, request.delay_reason, request.version) == (
        RequestStatus.ANSWERED,
        T + 30 * DAY,
        "",
        2,
    )
    assert thread(cast.a_reader, request) == [("answer", "b_coordinator", "Confirmed.")]
    assert audit_actions(request) == [("send", "a_officer"), ("answer", "b_coordinator")]


def test_request_answer_late_needs_a_delay_reason_and_leaves_nothing_behind(cast):
    request = send(cast)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.request_answer(
            actor=cast.b_officer,
            request=request,
            body="Confirmed.",
            expected_version=1,
            now=T + 30 * DAY + dt.timedelta(seconds=1),
        )
    assert exc.value.message_dict == {
        "delay_reason": ["The deadline has passed: say why the answer is late."]
    }
    assert state(request) == before


def test_request_answer_late_with_a_delay_reason(cast):
    request = send(cast)
    request = services.request_answer(
        actor=cast.b_officer,
        request=request,
        body="Confirmed.",
        delay_reason="The registry was closed for the holidays.",
        expected_version=1,
        now=T + 31 * DAY,
    )
    assert (request.status, request.delay_reason) == (
        RequestStatus.ANSWERED,
        "The registry was closed for the holidays.",
    )


def test_request_answer_after_a_pause_is_on_time_within_the_shifted_deadline(cast):
    request = send(cast)  # due T + 30 days
    services.clarification_ask(
        actor=cast.b_officer, request=request, body="?", expected_version=1, now=T + 29 * DAY
    )
    services.clarification_provide(
        actor=cast.a_officer, request=request, body="!", expected_version=2, now=T + 39 * DAY
    )
    request = services.request_answer(
        actor=cast.b_officer, request=request, body="Done.", expected_version=3, now=T + 35 * DAY
    )
    assert (request.status, request.due_at, request.delay_reason) == (
        RequestStatus.ANSWERED,
        T + 40 * DAY,
        "",
    )


def test_request_answer_refused_while_a_clarification_is_pending(cast):
    request = send(cast)
    services.clarification_ask(actor=cast.b_officer, request=request, body="?", expected_version=1)
    with pytest.raises(ValidationError) as exc:
        services.request_answer(
            actor=cast.b_officer, request=request, body="Done.", expected_version=2
        )
    assert exc.value.message_dict == {
        "status": ["A request cannot go from Clarification asked to Answered."]
    }


def test_request_answer_refused_to_the_sender(cast):
    request = send(cast)
    with pytest.raises(PermissionDenied):
        services.request_answer(
            actor=cast.a_officer, request=request, body="Done.", expected_version=1, now=T
        )


# --- refuse -------------------------------------------------------------------------------


def test_request_refuse_records_the_reason_in_the_request_and_the_thread(cast):
    request = send(cast)
    request = services.request_refuse(
        actor=cast.b_officer,
        request=request,
        refusal_reason="Outside the scope of the agreement.",
        expected_version=1,
        now=T + DAY,
    )
    assert (request.status, request.refusal_reason, request.answered_at) == (
        RequestStatus.REFUSED,
        "Outside the scope of the agreement.",
        T + DAY,
    )
    assert thread(cast.a_officer, request) == [
        ("refusal", "b_officer", "Outside the scope of the agreement.")
    ]


def test_request_refuse_needs_a_reason(cast):
    request = send(cast)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.request_refuse(
            actor=cast.b_officer, request=request, refusal_reason="", expected_version=1
        )
    assert exc.value.message_dict == {"refusal_reason": ["This field cannot be blank."]}
    assert state(request) == before


def test_request_refuse_while_waiting_for_a_clarification_stops_the_pause(cast):
    request = send(cast)
    services.clarification_ask(
        actor=cast.b_officer, request=request, body="?", expected_version=1, now=T
    )
    request = services.request_refuse(
        actor=cast.b_officer,
        request=request,
        refusal_reason="No clarification came.",
        expected_version=2,
        now=T + 40 * DAY,
    )
    assert (request.status, request.paused_at) == (RequestStatus.REFUSED, None)


def test_request_refuse_refused_to_the_sender(cast):
    request = send(cast)
    with pytest.raises(PermissionDenied):
        services.request_refuse(
            actor=cast.a_coordinator, request=request, refusal_reason="No.", expected_version=1
        )


# --- close --------------------------------------------------------------------------------


@pytest.mark.parametrize("response", ["answer", "refuse"])
def test_request_close_by_sender_after_a_response(cast, response):
    request = send(cast)
    if response == "answer":
        services.request_answer(
            actor=cast.b_officer, request=request, body="Yes.", expected_version=1, now=T
        )
    else:
        services.request_refuse(
            actor=cast.b_officer, request=request, refusal_reason="No.", expected_version=1
        )
    request = services.request_close(
        actor=cast.a_officer, request=request, expected_version=2, now=T + 2 * DAY
    )
    assert (request.status, request.closed_at, request.version) == (
        RequestStatus.CLOSED,
        T + 2 * DAY,
        3,
    )


def test_request_close_refused_before_a_response(cast):
    request = send(cast)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.request_close(actor=cast.a_officer, request=request, expected_version=1)
    assert exc.value.message_dict == {"status": ["A request cannot go from Sent to Closed."]}
    assert state(request) == before


def test_request_close_refused_to_the_receiver_and_readers(cast):
    request = send(cast)
    services.request_answer(
        actor=cast.b_officer, request=request, body="Yes.", expected_version=1, now=T
    )
    for user in (cast.b_officer, cast.a_reader):
        with pytest.raises(PermissionDenied):
            services.request_close(actor=user, request=request, expected_version=2)


# --- stale versions -----------------------------------------------------------------------

STALE_CALLS = {
    "acknowledge": ("b_officer", services.request_acknowledge, {}),
    "clarification_ask": ("b_officer", services.clarification_ask, {"body": "?"}),
    "clarification_provide": ("a_officer", services.clarification_provide, {"body": "!"}),
    "answer": ("b_officer", services.request_answer, {"body": "Yes.", "delay_reason": "x"}),
    "refuse": ("b_officer", services.request_refuse, {"refusal_reason": "No."}),
    "close": ("a_officer", services.request_close, {}),
}


@pytest.mark.parametrize("call", list(STALE_CALLS))
def test_state_changes_detect_a_stale_version(cast, call):
    request = send(cast)
    services.request_acknowledge(
        actor=cast.b_officer, request=request, expected_version=1, now=T + HOUR
    )
    before = state(request)
    who, service, kwargs = STALE_CALLS[call]
    with pytest.raises(ConflictError) as exc:
        service(actor=getattr(cast, who), request=request, expected_version=1, **kwargs)
    assert (exc.value.current_version, exc.value.changed) == (
        2,
        {"status": "acknowledged", "acknowledged_at": "2025-03-03T10:00:00Z"},
    )
    assert state(request) == before


# --- the thread ---------------------------------------------------------------------------


def test_message_post_by_both_cells_is_shared(cast):
    request = send(cast)
    services.message_post(actor=cast.b_officer, request=request, body="Working on it.")
    services.message_post(actor=cast.a_officer, request=request, body="Thank you.")
    expected = [
        ("message", "b_officer", "Working on it."),
        ("message", "a_officer", "Thank you."),
    ]
    assert thread(cast.a_reader, request) == expected
    assert thread(cast.b_coordinator, request) == expected
    assert thread(cast.c_officer, request) == []
    assert list(LiaisonMessage.objects.values_list("owning_party__code", "scope", "marking")) == [
        ("NL-POL", "shared", "TLP:AMBER"),
        ("MA-DGSN", "shared", "TLP:AMBER"),
    ]


def test_internal_note_is_never_seen_by_the_other_party(cast):
    request = send(cast)
    note = services.message_post(
        actor=cast.a_officer, request=request, body="Chase them on Friday.", kind=MessageKind.NOTE
    )
    services.message_post(
        actor=cast.b_officer, request=request, body="Low priority for us.", kind=MessageKind.NOTE
    )
    assert (note.scope, note.owning_party) == (Scope.INTERNAL, cast.a)
    assert thread(cast.a_coordinator, request) == [("note", "a_officer", "Chase them on Friday.")]
    assert thread(cast.b_officer, request) == [("note", "b_officer", "Low priority for us.")]
    assert note not in selectors.message_visible_to(cast.b_coordinator)
    assert list(selectors.message_visible_to(cast.c_officer)) == []


def test_message_post_refuses_kinds_that_belong_to_a_state_change(cast):
    request = send(cast)
    before = state(request)
    with pytest.raises(ValidationError) as exc:
        services.message_post(
            actor=cast.b_officer, request=request, body="Yes.", kind=MessageKind.ANSWER
        )
    assert exc.value.message_dict == {
        "kind": ["Post a message or an internal note; other kinds come with a status."]
    }
    assert state(request) == before


def test_message_post_needs_a_body(cast):
    request = send(cast)
    with pytest.raises(ValidationError) as exc:
        services.message_post(actor=cast.a_officer, request=request, body="")
    assert exc.value.message_dict == {"body": ["This field cannot be blank."]}


def test_message_post_refused_to_readers_and_unknown_to_outsiders(cast):
    request = send(cast)
    with pytest.raises(PermissionDenied):
        services.message_post(actor=cast.a_reader, request=request, body="Hello.")
    with pytest.raises(NotFound):
        services.message_post(actor=cast.c_officer, request=request, body="Hello.")
    assert LiaisonMessage.objects.count() == 0


def test_refusal_during_clarification_does_not_count_the_wait_as_lateness(cast):
    request = send(cast)  # due T + 30 days
    request = services.clarification_ask(
        actor=cast.b_officer, request=request, body="Which file?", expected_version=1, now=T
    )
    request = services.request_refuse(
        actor=cast.b_officer,
        request=request,
        refusal_reason="Outside our competence.",
        expected_version=2,
        now=T + 40 * DAY,
    )
    assert (request.status, request.paused_at, request.due_at, request.answered_at) == (
        RequestStatus.REFUSED,
        None,
        T + 70 * DAY,
        T + 40 * DAY,
    )
