import datetime as dt

import pytest
from django.utils import timezone

from entente.agreements import selectors as agreement_selectors
from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_change_status, commitment_create
from entente.audit.models import AuditEvent
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.meetings import selectors
from entente.meetings.models import AgendaItem, Attendance, Decision, Meeting
from entente.meetings.services.agenda import agenda_carry_over, agenda_item_add
from entente.meetings.services.attendance import attendance_set
from entente.meetings.services.decisions import (
    decision_change_status,
    decision_record,
    decision_to_commitments,
)
from entente.meetings.services.meetings import (
    meeting_change_status,
    meeting_create,
    meeting_update,
    minutes_record,
)
from entente.testing import ContactFactory, agreement_between, with_handling

UTC = dt.UTC


def new_meeting(cast, actor=None, **kwargs) -> Meeting:
    """A shared joint committee in Rabat, in the past, by default."""
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "kind": "joint_committee",
        "title": {"en": "First joint committee", "fr": "Premier comité mixte"},
        "starts_at": dt.datetime(2023, 3, 14, 10, 0),
        "ends_at": dt.datetime(2023, 3, 14, 16, 0),
        "time_zone": "Africa/Casablanca",
        "host_party": cast.a,
        "place": "Rabat",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return meeting_create(**with_handling(defaults | kwargs))


def future_meeting(cast, **kwargs) -> Meeting:
    starts = timezone.now() + dt.timedelta(days=30)
    return new_meeting(cast, starts_at=starts, ends_at=starts + dt.timedelta(hours=3), **kwargs)


def new_commitment(cast, title, actor=None, **kwargs) -> Commitment:
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": title},
        "responsible_party": cast.a,
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return commitment_create(**with_handling(defaults | kwargs))


def events_of(record) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).values_list("action", "actor_name")
    )


def counts() -> tuple[int, ...]:
    return (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        Attendance.objects.count(),
        Decision.objects.count(),
        Commitment.objects.count(),
        AuditEvent.objects.count(),
    )


# --- meetings -----------------------------------------------------------------------------


def test_meeting_create_reads_naive_times_in_the_meeting_time_zone(cast):
    meeting = new_meeting(cast)
    assert meeting.owning_party == cast.a
    assert (meeting.starts_at, meeting.ends_at) == (
        dt.datetime(2023, 3, 14, 9, 0, tzinfo=UTC),
        dt.datetime(2023, 3, 14, 15, 0, tzinfo=UTC),
    )
    assert (meeting.title_en, meeting.title_fr, meeting.version, meeting.status) == (
        "First joint committee",
        "Premier comité mixte",
        1,
        "planned",
    )
    assert events_of(meeting) == [("create", "a_officer")]


def test_meeting_create_by_the_other_party_is_owned_by_it(cast):
    meeting = new_meeting(cast, actor=cast.b_officer, host_party=cast.b)
    assert (meeting.owning_party, meeting.host_party) == (cast.b, cast.b)


# An outsider does not see the agreement: it does not exist for them.
@pytest.mark.parametrize(
    ("who", "error"), [("a_reader", PermissionDenied), ("c_officer", NotFound)]
)
def test_meeting_create_refused_for_readers_and_outsiders(cast, who, error):
    before = counts()
    with pytest.raises(error):
        new_meeting(cast, actor=getattr(cast, who))
    assert counts() == before


def test_meeting_create_refused_under_an_agreement_the_actor_cannot_see(cast):
    internal = agreement_between(cast.a, cast.b, scope="internal")
    with pytest.raises(NotFound):
        new_meeting(cast, actor=cast.b_officer, agreement=internal)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"ends_at": dt.datetime(2023, 3, 14, 10, 0)},
            {"ends_at": ["The meeting must end after it starts."]},
        ),
        ({"time_zone": "Mars/Olympus"}, {"time_zone": ["Unknown time zone."]}),
        ({"time_zone": ""}, {"time_zone": ["Unknown time zone."]}),
        ({"starts_at": dt.date(2023, 3, 14)}, {"starts_at": ["Give a date and a time."]}),
        ("host_c", {"host_party": ["The host party is not a party to the agreement."]}),
        ({"title": {"fr": "Comité"}}, {"title_en": ["Give the text in the reference language."]}),
        (
            {"marking": "TLP:RED"},
            {"marking": ["Only a coordinator of the owning party may mark a record TLP:RED."]},
        ),
    ],
)
def test_meeting_create_refuses_invalid_input_and_leaves_nothing(cast, changes, errors):
    if changes == "host_c":
        changes = {"host_party": cast.c}
    before = counts()
    with pytest.raises(ValidationError) as exc:
        new_meeting(cast, **changes)
    assert exc.value.message_dict == errors
    assert counts() == before


def test_meeting_internal_is_hidden_from_the_other_party(cast):
    internal = new_meeting(cast, scope="internal", title={"en": "Internal preparation"})
    shared = new_meeting(cast, title={"en": "Joint committee"})
    assert list(selectors.meeting_visible_to(cast.a_reader)) == [internal, shared]
    assert list(selectors.meeting_visible_to(cast.b_officer)) == [shared]
    assert list(selectors.meeting_visible_to(cast.c_officer)) == []
    with pytest.raises(NotFound):
        selectors.get_meeting_for_user(cast.b_officer, internal.public_id)
    with pytest.raises(NotFound):
        selectors.get_meeting_for_user(cast.c_officer, shared.public_id)
    assert selectors.get_meeting_for_user(cast.b_officer, shared.public_id) == shared
    assert selectors.get_meeting_for_user(cast.a_officer, shared.public_id, write=True) == shared


@pytest.mark.parametrize("who", ["a_reader", "b_officer", "b_coordinator"])
def test_get_meeting_for_write_refused_to_non_owner_writers(cast, who):
    shared = new_meeting(cast)
    with pytest.raises(PermissionDenied):
        selectors.get_meeting_for_user(getattr(cast, who), shared.public_id, write=True)


def test_meeting_red_is_seen_only_by_named_recipients(cast):
    red = new_meeting(
        cast, actor=cast.a_coordinator, marking="TLP:RED", red_recipients=[cast.a_officer]
    )
    assert set(red.red_recipients.all()) == {cast.a_coordinator, cast.a_officer}
    seen_by = {
        name
        for name in ["a_coordinator", "a_officer", "a_reader", "b_coordinator", "b_officer"]
        if selectors.meeting_visible_to(getattr(cast, name)).filter(pk=red.pk).exists()
    }
    assert seen_by == {"a_coordinator", "a_officer"}
    with pytest.raises(NotFound):
        selectors.get_meeting_for_user(cast.a_reader, red.public_id)


def test_meeting_update_changes_schedule_and_title(cast):
    meeting = new_meeting(cast)
    updated = meeting_update(
        actor=cast.a_officer,
        meeting=meeting,
        expected_version=1,
        title={"nl": "Eerste gemengde commissie"},
        time_zone="Europe/Amsterdam",
        starts_at=dt.datetime(2023, 3, 15, 10, 0),
        ends_at=dt.datetime(2023, 3, 15, 12, 0),
        host_party=cast.b,
        place="The Hague",
    )
    assert (
        updated.version,
        updated.title_en,
        updated.title_nl,
        updated.starts_at,
        updated.ends_at,
        updated.host_party,
        updated.place,
    ) == (
        2,
        "First joint committee",
        "Eerste gemengde commissie",
        dt.datetime(2023, 3, 15, 9, 0, tzinfo=UTC),
        dt.datetime(2023, 3, 15, 11, 0, tzinfo=UTC),
        cast.b,
        "The Hague",
    )
    assert events_of(meeting) == [("create", "a_officer"), ("update", "a_officer")]


def test_meeting_update_checks_the_merged_schedule(cast):
    meeting = new_meeting(cast)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        meeting_update(
            actor=cast.a_officer,
            meeting=meeting,
            expected_version=1,
            ends_at=dt.datetime(2023, 3, 14, 8, 0, tzinfo=UTC),
        )
    assert exc.value.message_dict == {"ends_at": ["The meeting must end after it starts."]}
    assert counts() == before


def test_meeting_update_refuses_protected_fields(cast):
    meeting = new_meeting(cast)
    with pytest.raises(ValidationError) as exc:
        meeting_update(
            actor=cast.a_officer,
            meeting=meeting,
            expected_version=1,
            status="held",
            owning_party=cast.b,
            scope="internal",
        )
    assert exc.value.message_dict == {
        "owning_party": ["This field cannot be changed here."],
        "scope": ["This field cannot be changed here."],
        "status": ["This field cannot be changed here."],
    }


def test_meeting_update_detects_stale_version(cast):
    meeting = new_meeting(cast)
    meeting_update(actor=cast.a_officer, meeting=meeting, expected_version=1, place="Fes")
    before = counts()
    with pytest.raises(ConflictError) as exc:
        meeting_update(
            actor=cast.a_coordinator, meeting=meeting, expected_version=1, place="Tangier"
        )
    assert (exc.value.current_version, exc.value.changed) == (2, {"place": "Fes"})
    assert counts() == before


def test_meeting_update_with_nothing_to_change_records_nothing(cast):
    meeting = new_meeting(cast)
    before = counts()
    same = meeting_update(actor=cast.a_officer, meeting=meeting, expected_version=1)
    assert (same, same.version) == (meeting, 1)
    assert counts() == before
    assert events_of(meeting) == [("create", "a_officer")]


@pytest.mark.parametrize("who", ["a_reader", "b_officer"])
def test_meeting_update_refused_to_reader_and_other_party(cast, who):
    meeting = new_meeting(cast)
    with pytest.raises(PermissionDenied):
        meeting_update(actor=getattr(cast, who), meeting=meeting, expected_version=1, place="Fes")
    with pytest.raises(PermissionDenied):
        meeting_update(actor=getattr(cast, who), meeting=meeting, expected_version=1)


def test_meeting_change_status_held_once_started(cast):
    meeting = new_meeting(cast)
    held = meeting_change_status(
        actor=cast.a_officer, meeting=meeting, status="held", expected_version=1
    )
    assert (held.status, held.version) == ("held", 2)
    assert events_of(meeting) == [("create", "a_officer"), ("status", "a_officer")]
    with pytest.raises(ValidationError) as exc:
        meeting_change_status(
            actor=cast.a_officer, meeting=held, status="cancelled", expected_version=2
        )
    assert exc.value.message_dict == {"status": ["A meeting cannot go from Held to Cancelled."]}


def test_meeting_change_status_refuses_held_before_start(cast):
    meeting = future_meeting(cast)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        meeting_change_status(
            actor=cast.a_officer, meeting=meeting, status="held", expected_version=1
        )
    assert exc.value.message_dict == {"status": ["A meeting cannot be held before it starts."]}
    assert counts() == before


def test_meeting_change_status_cancel_and_reinstate(cast):
    meeting = future_meeting(cast)
    cancelled = meeting_change_status(
        actor=cast.a_officer, meeting=meeting, status="cancelled", expected_version=1
    )
    planned = meeting_change_status(
        actor=cast.a_officer, meeting=cancelled, status="planned", expected_version=2
    )
    assert (planned.status, planned.version) == ("planned", 3)
    with pytest.raises(ConflictError):
        meeting_change_status(
            actor=cast.a_officer, meeting=meeting, status="cancelled", expected_version=1
        )
    with pytest.raises(PermissionDenied):
        meeting_change_status(
            actor=cast.a_reader, meeting=planned, status="cancelled", expected_version=3
        )


def test_minutes_record_per_language(cast):
    meeting = new_meeting(cast)
    recorded = minutes_record(
        actor=cast.a_officer,
        meeting=meeting,
        minutes={"en": "The parties agreed.", "fr": "Les parties ont convenu."},
        expected_version=1,
    )
    assert (recorded.minutes_en, recorded.minutes_fr, recorded.version) == (
        "The parties agreed.",
        "Les parties ont convenu.",
        2,
    )
    assert events_of(meeting)[-1] == ("minutes", "a_officer")
    with pytest.raises(ConflictError):
        minutes_record(
            actor=cast.a_officer, meeting=meeting, minutes={"en": "Other"}, expected_version=1
        )
    with pytest.raises(PermissionDenied):
        minutes_record(
            actor=cast.a_reader, meeting=recorded, minutes={"en": "X"}, expected_version=2
        )


def test_minutes_record_refused_before_the_meeting(cast):
    meeting = future_meeting(cast)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        minutes_record(
            actor=cast.a_officer, meeting=meeting, minutes={"en": "Draft"}, expected_version=1
        )
    assert exc.value.message_dict == {"minutes": ["The meeting has not started yet."]}
    assert counts() == before


# --- agenda -------------------------------------------------------------------------------


def test_agenda_item_add_numbers_items_and_audits_them_not_the_meeting(cast):
    meeting = future_meeting(cast)
    first = agenda_item_add(actor=cast.a_officer, meeting=meeting, title=" Opening ")
    commitment = new_commitment(cast, "Designate a contact cell")
    second = agenda_item_add(
        actor=cast.a_officer,
        meeting=meeting,
        title="Contact cells",
        notes="Progress report",
        carried_commitment=commitment,
    )
    assert [(i.position, i.title, i.notes, i.carried_commitment) for i in (first, second)] == [
        (1, "Opening", "", None),
        (2, "Contact cells", "Progress report", commitment),
    ]
    assert events_of(first) == [("create", "a_officer")]
    meeting.refresh_from_db()
    assert meeting.version == 1
    assert events_of(meeting) == [("create", "a_officer")]


@pytest.mark.parametrize(
    ("who", "error", "message"),
    [
        ("a_reader", PermissionDenied, "Your role does not allow changes."),
        ("c_officer", NotFound, "No such record."),
    ],
)
def test_agenda_item_add_refused_to_reader_and_outsider(cast, who, error, message):
    meeting = future_meeting(cast)
    with pytest.raises(error) as exc:
        agenda_item_add(actor=getattr(cast, who), meeting=meeting, title="Opening")
    assert str(exc.value) == message
    assert AgendaItem.objects.count() == 0


def test_agenda_item_add_refuses_commitments_of_other_agreements_or_not_visible(cast):
    meeting = future_meeting(cast)
    other = agreement_between(cast.a, cast.c)
    elsewhere = new_commitment(cast, "Elsewhere", agreement=other)
    b_internal = new_commitment(
        cast, "B only", actor=cast.b_officer, responsible_party=cast.b, scope="internal"
    )
    before = counts()
    for commitment in (elsewhere, b_internal):
        with pytest.raises(ValidationError) as exc:
            agenda_item_add(
                actor=cast.a_officer, meeting=meeting, title="X", carried_commitment=commitment
            )
        assert exc.value.message_dict == {
            "carried_commitment": ["Choose a commitment of this meeting's agreement."]
        }
    assert counts() == before


def test_agenda_item_add_refuses_the_same_commitment_twice(cast):
    meeting = future_meeting(cast)
    commitment = new_commitment(cast, "Designate a contact cell")
    agenda_item_add(actor=cast.a_officer, meeting=meeting, title="X", carried_commitment=commitment)
    with pytest.raises(ValidationError) as exc:
        agenda_item_add(
            actor=cast.a_officer, meeting=meeting, title="Y", carried_commitment=commitment
        )
    assert exc.value.message_dict == {
        "carried_commitment": ["This commitment is already on the agenda."]
    }


def test_agenda_item_add_refuses_a_decision_of_a_later_meeting(cast):
    earlier = new_meeting(cast)
    later = new_meeting(
        cast,
        starts_at=dt.datetime(2023, 9, 1, 10, 0),
        ends_at=dt.datetime(2023, 9, 1, 12, 0),
    )
    decision = decision_record(actor=cast.a_officer, meeting=later, text="Exchange")
    with pytest.raises(ValidationError) as exc:
        agenda_item_add(actor=cast.a_officer, meeting=earlier, title="X", carried_decision=decision)
    assert exc.value.message_dict == {
        "carried_decision": ["Choose a decision of an earlier meeting under this agreement."]
    }


def test_agenda_item_carrying_an_internal_commitment_is_hidden_from_the_other_party(cast):
    meeting = future_meeting(cast)
    opening = agenda_item_add(actor=cast.a_officer, meeting=meeting, title="Opening")
    internal = new_commitment(cast, "Internal", scope="internal")
    hidden = agenda_item_add(
        actor=cast.a_officer, meeting=meeting, title="Internal", carried_commitment=internal
    )
    assert list(selectors.agenda_item_visible_to(cast.a_reader)) == [opening, hidden]
    assert list(selectors.agenda_item_visible_to(cast.b_officer)) == [opening]
    with pytest.raises(NotFound):
        selectors.get_agenda_item_for_user(cast.b_officer, hidden.public_id)
    with pytest.raises(PermissionDenied):
        selectors.get_agenda_item_for_user(cast.b_officer, opening.public_id, write=True)


# --- carry-over ---------------------------------------------------------------------------


@pytest.fixture
def history(cast):
    """An earlier and a later meeting around the one being prepared, with their records."""
    earlier = new_meeting(cast, title={"en": "First joint committee"})
    current = new_meeting(
        cast,
        title={"en": "Second joint committee"},
        starts_at=dt.datetime(2023, 9, 14, 10, 0),
        ends_at=dt.datetime(2023, 9, 14, 16, 0),
    )
    later = new_meeting(
        cast,
        title={"en": "Third joint committee"},
        starts_at=dt.datetime(2024, 1, 10, 10, 0),
        ends_at=dt.datetime(2024, 1, 10, 16, 0),
    )
    d1 = decision_record(actor=cast.a_officer, meeting=earlier, text="Train 20 officers")
    d2 = decision_record(actor=cast.a_officer, meeting=earlier, text="Share contacts")
    d2 = decision_change_status(actor=cast.a_officer, decision=d2, status="implemented")
    d3 = decision_record(actor=cast.a_officer, meeting=later, text="Later decision")
    d4 = decision_record(actor=cast.a_officer, meeting=current, text="Same meeting")
    due = dt.date(2023, 12, 31)
    shared = new_commitment(cast, "Shared plan", due_date=due)
    a_internal = new_commitment(cast, "A internal", scope="internal", due_date=dt.date(2023, 6, 1))
    b_internal = new_commitment(
        cast, "B internal", actor=cast.b_officer, responsible_party=cast.b, scope="internal"
    )
    done = new_commitment(cast, "Done already")
    done = commitment_change_status(
        actor=cast.a_officer, commitment=done, status="done", expected_version=1
    )
    carried = new_commitment(cast, "Already carried")
    agenda_item_add(
        actor=cast.a_officer, meeting=current, title="Carried", carried_commitment=carried
    )
    elsewhere = new_commitment(cast, "Elsewhere", agreement=agreement_between(cast.a, cast.c))
    return {
        "earlier": earlier,
        "current": current,
        "d1": d1,
        "d2": d2,
        "d3": d3,
        "d4": d4,
        "shared": shared,
        "a_internal": a_internal,
        "b_internal": b_internal,
        "done": done,
        "carried": carried,
        "elsewhere": elsewhere,
    }


def test_carry_over_candidates_are_open_visible_earlier_and_not_yet_on_the_agenda(cast, history):
    for_a = selectors.meeting_carry_over_candidates(cast.a_officer, history["current"])
    assert list(for_a.commitments) == [history["a_internal"], history["shared"]]
    assert list(for_a.decisions) == [history["d1"]]
    for_b = selectors.meeting_carry_over_candidates(cast.b_officer, history["current"])
    assert list(for_b.commitments) == [history["shared"], history["b_internal"]]
    assert list(for_b.decisions) == [history["d1"]]


def test_agenda_carry_over_adds_one_item_per_candidate(cast, history):
    current = history["current"]
    items = agenda_carry_over(
        actor=cast.a_coordinator,
        meeting=current,
        commitments=[history["shared"]],
        decisions=[history["d1"]],
    )
    assert [
        (i.position, i.title, i.notes, i.carried_commitment, i.carried_decision) for i in items
    ] == [
        (2, "Shared plan", "", history["shared"], None),
        (3, "Decision 1 of First joint committee", "Train 20 officers", None, history["d1"]),
    ]
    left = selectors.meeting_carry_over_candidates(cast.a_officer, current)
    assert (list(left.commitments), list(left.decisions)) == ([history["a_internal"]], [])


@pytest.mark.parametrize(
    ("chosen", "errors"),
    [
        (
            {"commitments": ["shared", "done"]},
            {
                "commitments": [
                    "Only open commitments of this agreement not yet on the agenda can be "
                    "carried over."
                ]
            },
        ),
        (
            {"commitments": ["shared", "carried"]},
            {
                "commitments": [
                    "Only open commitments of this agreement not yet on the agenda can be "
                    "carried over."
                ]
            },
        ),
        (
            {"commitments": ["shared", "b_internal"]},
            {
                "commitments": [
                    "Only open commitments of this agreement not yet on the agenda can be "
                    "carried over."
                ]
            },
        ),
        (
            {"commitments": ["shared"], "decisions": ["d1", "d3"]},
            {
                "decisions": [
                    "Only open decisions of earlier meetings not yet on the agenda can be "
                    "carried over."
                ]
            },
        ),
        ({}, {"commitments": ["Choose at least one item to carry over."]}),
    ],
)
def test_agenda_carry_over_is_all_or_nothing(cast, history, chosen, errors):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        agenda_carry_over(
            actor=cast.a_officer,
            meeting=history["current"],
            **{field: [history[name] for name in names] for field, names in chosen.items()},
        )
    assert exc.value.message_dict == errors
    assert counts() == before


def test_agenda_carry_over_refused_to_reader(cast, history):
    with pytest.raises(PermissionDenied):
        agenda_carry_over(
            actor=cast.a_reader, meeting=history["current"], commitments=[history["shared"]]
        )


# --- attendance ---------------------------------------------------------------------------


def test_attendance_set_invites_then_records_presence(cast):
    meeting = new_meeting(cast)
    contact = ContactFactory(unit=cast.b_cell, name="Inspector de Vries")
    invited = attendance_set(
        actor=cast.a_officer, meeting=meeting, contact=contact, status="invited"
    )
    attended = attendance_set(
        actor=cast.a_officer, meeting=meeting, contact=contact, status="attended"
    )
    again = attendance_set(
        actor=cast.a_officer, meeting=meeting, contact=contact, status="attended"
    )
    assert (attended.pk, again.pk, again.status) == (invited.pk, invited.pk, "attended")
    assert list(Attendance.objects.values_list("contact__name", "status")) == [
        ("Inspector de Vries", "attended")
    ]
    assert events_of(invited) == [("create", "a_officer"), ("status", "a_officer")]


@pytest.mark.parametrize(
    ("case", "errors"),
    [
        ("outsider", {"contact": ["The contact's party is not a party to the agreement."]}),
        ("b_internal", {"contact": ["Choose a contact from the directory."]}),
        ("future", {"status": ["Attendance can be recorded once the meeting has started."]}),
        ("bad_status", {"status": ["Value 'asleep' is not a valid choice."]}),
    ],
)
def test_attendance_set_refuses_invalid_input(cast, case, errors):
    meeting = future_meeting(cast) if case == "future" else new_meeting(cast)
    contact = {
        "outsider": lambda: ContactFactory(unit=cast.c_cell),
        "b_internal": lambda: ContactFactory(unit=cast.b_cell, scope="internal"),
    }.get(case, lambda: ContactFactory(unit=cast.a_cell))()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        attendance_set(
            actor=cast.a_officer,
            meeting=meeting,
            contact=contact,
            status="asleep" if case == "bad_status" else "attended",
        )
    assert exc.value.message_dict == errors
    assert counts() == before


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("a_reader", "Your role does not allow changes."),
        ("b_officer", "Only the party that keeps the meeting records the attendance of others."),
    ],
)
def test_attendance_set_refused_to_reader_and_other_party(cast, who, message):
    meeting = new_meeting(cast)
    contact = ContactFactory(unit=cast.a_cell)
    with pytest.raises(PermissionDenied) as exc:
        attendance_set(actor=getattr(cast, who), meeting=meeting, contact=contact, status="invited")
    assert str(exc.value) == message
    assert Attendance.objects.count() == 0


def test_attendance_set_by_the_other_party_for_its_own_contact(cast):
    meeting = new_meeting(cast)
    contact = ContactFactory(unit=cast.b_cell, name="Inspecteur Jansen")
    attendance = attendance_set(
        actor=cast.b_officer, meeting=meeting, contact=contact, status="attended"
    )
    assert [(a.contact.name, a.status) for a in selectors.attendance_visible_to(cast.a_reader)] == [
        ("Inspecteur Jansen", "attended")
    ]
    assert events_of(attendance) == [("create", "b_officer")]


def test_attendance_of_an_internal_contact_is_hidden_from_the_other_party(cast):
    meeting = new_meeting(cast)
    public = ContactFactory(unit=cast.a_cell, name="Public")
    private = ContactFactory(unit=cast.a_cell, name="Private", scope="internal")
    seen = attendance_set(actor=cast.a_officer, meeting=meeting, contact=public, status="invited")
    hidden = attendance_set(
        actor=cast.a_officer, meeting=meeting, contact=private, status="invited"
    )
    assert set(selectors.attendance_visible_to(cast.a_reader)) == {seen, hidden}
    assert list(selectors.attendance_visible_to(cast.b_officer)) == [seen]
    with pytest.raises(NotFound):
        selectors.get_attendance_for_user(cast.b_officer, hidden.public_id)


# --- decisions ----------------------------------------------------------------------------


def test_decision_record_numbers_decisions_per_meeting(cast):
    meeting = new_meeting(cast)
    first = decision_record(actor=cast.a_officer, meeting=meeting, text=" Train ")
    second = decision_record(actor=cast.a_officer, meeting=meeting, text="Share")
    assert [(d.number, d.text, d.status) for d in (first, second)] == [
        (1, "Train", "open"),
        (2, "Share", "open"),
    ]
    assert events_of(first) == [("create", "a_officer")]


@pytest.mark.parametrize(
    ("case", "errors"),
    [
        ("future", {"meeting": ["The meeting has not started yet."]}),
        ("cancelled", {"meeting": ["The meeting was cancelled."]}),
        ("blank", {"text": ["This field cannot be blank."]}),
    ],
)
def test_decision_record_refuses_invalid_input(cast, case, errors):
    meeting = future_meeting(cast) if case == "future" else new_meeting(cast)
    if case == "cancelled":
        meeting = meeting_change_status(
            actor=cast.a_officer, meeting=meeting, status="cancelled", expected_version=1
        )
    before = counts()
    with pytest.raises(ValidationError) as exc:
        decision_record(
            actor=cast.a_officer, meeting=meeting, text="  " if case == "blank" else "Train"
        )
    assert exc.value.message_dict == errors
    assert counts() == before


@pytest.mark.parametrize("who", ["a_reader", "b_officer"])
def test_decision_record_refused_to_reader_and_other_party(cast, who):
    meeting = new_meeting(cast)
    with pytest.raises(PermissionDenied):
        decision_record(actor=getattr(cast, who), meeting=meeting, text="Train")


def test_decision_change_status_and_its_transitions(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    implemented = decision_change_status(
        actor=cast.a_officer, decision=decision, status="implemented"
    )
    assert implemented.status == "implemented"
    with pytest.raises(ValidationError) as exc:
        decision_change_status(actor=cast.a_officer, decision=decision, status="dropped")
    assert exc.value.message_dict == {
        "status": ["A decision cannot go from Implemented to Dropped."]
    }
    reopened = decision_change_status(actor=cast.a_officer, decision=decision, status="open")
    assert reopened.status == "open"
    assert events_of(decision) == [
        ("create", "a_officer"),
        ("status", "a_officer"),
        ("status", "a_officer"),
    ]
    with pytest.raises(PermissionDenied):
        decision_change_status(actor=cast.a_reader, decision=decision, status="dropped")


def test_decision_of_an_internal_meeting_is_hidden_from_the_other_party(cast):
    internal = new_meeting(cast, scope="internal")
    shared = new_meeting(cast)
    hidden = decision_record(actor=cast.a_officer, meeting=internal, text="Ours")
    seen = decision_record(actor=cast.a_officer, meeting=shared, text="Joint")
    assert list(selectors.decision_visible_to(cast.a_reader)) == [hidden, seen]
    assert list(selectors.decision_visible_to(cast.b_officer)) == [seen]
    assert list(selectors.decision_visible_to(cast.c_officer)) == []
    with pytest.raises(NotFound):
        selectors.get_decision_for_user(cast.b_officer, hidden.public_id)
    with pytest.raises(PermissionDenied):
        selectors.get_decision_for_user(cast.b_officer, seen.public_id, write=True)


def test_decision_to_commitments_creates_and_links_them_in_one_step(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    shared, internal = decision_to_commitments(
        actor=cast.a_coordinator,
        decision=decision,
        commitments=[
            {
                "title": {"en": "Host a training course"},
                "responsible_party": cast.a,
                "due_date": dt.date(2024, 6, 30),
                "scope": "shared",
                "marking": "TLP:GREEN",
            },
            {
                "title": {"en": "Budget the course"},
                "responsible_party": cast.a,
                "description": {"en": "Internal budgeting"},
            },
        ],
    )
    assert list(decision.commitments.order_by("pk")) == [shared, internal]
    assert [(c.title_en, c.scope, c.owning_party, c.agreement) for c in (shared, internal)] == [
        ("Host a training course", "shared", cast.a, cast.agreement),
        ("Budget the course", "internal", cast.a, cast.agreement),
    ]
    assert events_of(decision) == [("create", "a_officer"), ("commitments", "a_coordinator")]
    assert events_of(shared) == [("create", "a_coordinator")]
    b_sees = agreement_selectors.commitment_visible_to(cast.b_officer)
    assert list(b_sees.filter(source_decisions=decision)) == [shared]
    with pytest.raises(NotFound):
        agreement_selectors.get_commitment_for_user(cast.b_officer, internal.public_id)


@pytest.mark.parametrize(
    ("second", "errors"),
    [
        (
            {"title": {"en": "Outsider does it"}, "responsible_party": "c"},
            {
                "commitments.1.responsible_party": [
                    "The responsible party is not a party to the agreement."
                ]
            },
        ),
        (
            {"title": {"en": "Bad date"}, "responsible_party": "a", "due_date": "someday"},
            {
                "commitments.1.due_date": [
                    "“someday” value has an invalid date format. It must be in YYYY-MM-DD format."
                ]
            },
        ),
        (
            {"responsible_party": "a", "agreement": "a"},
            {
                "commitments.1.agreement": ["This field cannot be set here."],
                "commitments.1.title": ["This field is required."],
            },
        ),
        (
            {"title": {"fr": "Sans anglais"}, "responsible_party": "a", "status": "done"},
            {"commitments.1.status": ["This field cannot be changed here."]},
        ),
    ],
)
def test_decision_to_commitments_is_all_or_nothing(cast, second, errors):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    second = {
        k: getattr(cast, v) if k in ("responsible_party", "agreement") else v
        for k, v in second.items()
    }
    before = counts()
    with pytest.raises(ValidationError) as exc:
        decision_to_commitments(
            actor=cast.a_coordinator,
            decision=decision,
            commitments=[{"title": {"en": "Valid"}, "responsible_party": cast.a}, second],
        )
    assert exc.value.message_dict == errors
    assert counts() == before
    assert list(decision.commitments.all()) == []


def test_decision_to_commitments_by_an_officer_of_the_owning_party(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    (created,) = decision_to_commitments(
        actor=cast.a_officer,
        decision=decision,
        commitments=[{"title": {"en": "Host a course"}, "responsible_party": cast.b}],
    )
    assert (created.title_en, created.owning_party, created.responsible_party) == (
        "Host a course",
        cast.a,
        cast.b,
    )
    assert list(decision.commitments.all()) == [created]
    assert events_of(decision) == [("create", "a_officer"), ("commitments", "a_officer")]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("a_reader", PermissionDenied),
        ("b_officer", PermissionDenied),
        ("b_coordinator", PermissionDenied),
        ("c_officer", NotFound),
    ],
)
def test_decision_to_commitments_is_for_writers_of_the_owning_party(cast, who, error):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    before = counts()
    with pytest.raises(error):
        decision_to_commitments(
            actor=getattr(cast, who),
            decision=decision,
            commitments=[{"title": {"en": "X"}, "responsible_party": cast.a}],
        )
    assert counts() == before


def test_decision_to_commitments_refuses_a_dropped_decision_or_no_commitments(cast):
    meeting = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    with pytest.raises(ValidationError) as exc:
        decision_to_commitments(actor=cast.a_coordinator, decision=decision, commitments=[])
    assert exc.value.message_dict == {"commitments": ["Give at least one commitment."]}
    dropped = decision_change_status(actor=cast.a_officer, decision=decision, status="dropped")
    with pytest.raises(ValidationError) as exc:
        decision_to_commitments(
            actor=cast.a_coordinator,
            decision=dropped,
            commitments=[{"title": {"en": "X"}, "responsible_party": cast.a}],
        )
    assert exc.value.message_dict == {
        "decision": ["A dropped decision does not give rise to commitments."]
    }


def test_minutes_translation_added_later_keeps_the_reference_text(cast):
    meeting = new_meeting(cast)
    with pytest.raises(ValidationError) as exc:
        minutes_record(
            actor=cast.a_officer,
            meeting=meeting,
            minutes={"fr": "Compte rendu"},
            expected_version=1,
        )
    assert exc.value.message_dict == {"minutes_en": ["Give the text in the reference language."]}
    meeting = minutes_record(
        actor=cast.a_officer, meeting=meeting, minutes={"en": "Minutes"}, expected_version=1
    )
    meeting = minutes_record(
        actor=cast.a_officer, meeting=meeting, minutes={"fr": "Compte rendu"}, expected_version=2
    )
    assert (meeting.minutes_en, meeting.minutes_fr, meeting.version) == (
        "Minutes",
        "Compte rendu",
        3,
    )


def test_meeting_update_refuses_emptying_the_reference_title(cast):
    meeting = new_meeting(cast)
    with pytest.raises(ValidationError) as exc:
        meeting_update(actor=cast.a_officer, meeting=meeting, expected_version=1, title={"en": " "})
    assert exc.value.message_dict == {"title_en": ["Give the text in the reference language."]}
