"""Notices from what happened (the audit chain after `remind`'s cursor): the right people,
once, never about a record they may not see; authors and commenters follow by themselves."""

import datetime as dt

import pytest

from entente.agreements.services.agreements import record_publish
from entente.agreements.services.commitments import commitment_create
from entente.agreements.services.reports import progress_report_submit
from entente.comments.services import comment_add
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.liaison.services import clarification_ask, request_answer, request_refuse
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.decisions import decision_record, decision_to_commitments
from entente.meetings.services.meetings import meeting_create, meeting_update, minutes_record
from entente.notices.enums import NoticeKind
from entente.notices.models import Follow, Notice
from entente.notices.services import record_follow, record_unfollow, remind
from entente.notices.tests.test_remind import quiet, send, told

T = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
A_CELL = {"a_coordinator", "a_officer", "a_reader"}


@pytest.fixture
def now(time_machine):
    """The wall clock at T (the audit chain dates its events by it)."""
    time_machine.move_to(T, tick=False)
    return T


def commitment(cast, title="Joint exercise", **fields):
    return commitment_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        title={"en": title},
        responsible_party=cast.a,
        handling=Handling(scope=fields.pop("scope", Scope.SHARED)),
        **fields,
    )


def meeting(cast, **fields):
    return meeting_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="joint_committee",
        title={"en": "Joint committee"},
        starts_at=T + 60 * HOUR,
        ends_at=T + 64 * HOUR,
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        place="Rabat",
        handling=Handling(scope=Scope.SHARED),
        **fields,
    )


def test_replies_to_a_request_are_told_to_the_sending_cell(cast, now):
    answered, refused, asked = (send(cast, subject) for subject in ("One", "Two", "Three"))
    remind(now, quiet)
    request_answer(actor=cast.b_officer, request=answered, body="Yes", expected_version=1)
    request_refuse(actor=cast.b_officer, request=refused, refusal_reason="No", expected_version=1)
    clarification_ask(actor=cast.b_coordinator, request=asked, body="Who?", expected_version=1)
    assert remind(now + HOUR, quiet).created == 9
    for kind, request in (
        (NoticeKind.REQUEST_ANSWERED, answered),
        (NoticeKind.REQUEST_REFUSED, refused),
        (NoticeKind.REQUEST_CLARIFICATION, asked),
    ):
        assert told(kind) == {(user, request.public_id) for user in A_CELL}
    assert remind(now + 2 * HOUR, quiet).created == 0


def test_followers_are_told_of_comments_and_reports_they_may_see(cast, now):
    followed = commitment(cast)
    record_follow(actor=cast.b_officer, record=followed)
    remind(now, quiet)
    shared = comment_add(actor=cast.a_officer, record=followed, text="Planned for June.")
    internal = comment_add(
        actor=cast.a_officer, record=followed, text="Budget?", scope=Scope.INTERNAL
    )
    report = progress_report_submit(actor=cast.a_officer, commitment=followed, progress=40)
    remind(now + HOUR, quiet)
    # The author (a_coordinator) follows their commitment; b_officer never hears of the
    # internal comment; a_officer, who commented, follows it now but wrote all three.
    assert told(NoticeKind.COMMENT) == {
        ("a_coordinator", shared.public_id),
        ("a_coordinator", internal.public_id),
        ("b_officer", shared.public_id),
    }
    assert told(NoticeKind.PROGRESS_REPORT) == {
        ("a_coordinator", report.public_id),
        ("b_officer", report.public_id),
    }
    assert set(Follow.objects.values_list("user__username", flat=True)) == {
        "a_coordinator",
        "a_officer",
        "b_officer",
    }
    record_unfollow(actor=cast.b_officer, record=followed)
    later = comment_add(actor=cast.a_officer, record=followed, text="Moved to July.")
    remind(now + 2 * HOUR, quiet)
    assert told(NoticeKind.COMMENT) - {("a_coordinator", later.public_id)} == {
        ("a_coordinator", shared.public_id),
        ("a_coordinator", internal.public_id),
        ("b_officer", shared.public_id),
    }


def test_a_followed_meeting_coming_up_changed_its_agenda_and_minutes(cast, now, time_machine):
    held = meeting(cast)
    record_follow(actor=cast.b_officer, record=held)
    remind(now, quiet)
    assert told(NoticeKind.MEETING_SOON) == set()
    # Within two days of its start: its followers (its author among them) are told once.
    remind(now + 13 * HOUR, quiet)
    remind(now + 14 * HOUR, quiet)
    assert told(NoticeKind.MEETING_SOON) == {
        ("a_officer", held.public_id),
        ("b_officer", held.public_id),
    }
    held = meeting_update(
        actor=cast.a_officer, meeting=held, expected_version=1, title={"en": "JC"}
    )
    held = meeting_update(actor=cast.a_officer, meeting=held, expected_version=2, place="Tangier")
    item = agenda_item_add(actor=cast.a_officer, meeting=held, title="Opening")
    remind(now + 15 * HOUR, quiet)
    # A new title is no news; a new place is. a_officer, the author, did both.
    assert told(NoticeKind.MEETING_CHANGED) == {("b_officer", held.public_id)}
    assert told(NoticeKind.MEETING_AGENDA) == {("b_officer", item.public_id)}
    time_machine.move_to(T + 3 * 24 * HOUR, tick=False)
    minutes_record(
        actor=cast.a_officer, meeting=held, minutes={"en": "Agreed."}, expected_version=3
    )
    remind(T + 3 * 24 * HOUR, quiet)
    assert told(NoticeKind.MEETING_MINUTES) == {("b_officer", held.public_id)}


def test_a_decision_tells_the_party_it_assigns(cast, now, time_machine):
    held = meeting(cast)
    time_machine.move_to(T + 3 * 24 * HOUR, tick=False)
    decision = decision_record(actor=cast.a_officer, meeting=held, text="Exercise in May.")
    made = decision_to_commitments(
        actor=cast.a_officer,
        decision=decision,
        commitments=[
            {"title": {"en": "Host the exercise"}, "responsible_party": cast.b, "scope": "shared"}
        ],
    )
    remind(T + 3 * 24 * HOUR, quiet)
    assert told(NoticeKind.DECISION_ASSIGNED) == {
        ("b_coordinator", made[0].public_id),
        ("b_officer", made[0].public_id),
    }


def test_a_record_newly_shared_is_told_to_the_other_parties(cast, now):
    draft = commitment(cast, scope=Scope.INTERNAL)
    remind(now, quiet)
    record_publish(actor=cast.a_coordinator, record=draft, expected_version=1)
    remind(now + HOUR, quiet)
    # c_officer's party is not party to the agreement: the door keeps them out.
    assert told(NoticeKind.RECORD_SHARED) == {
        ("b_coordinator", draft.public_id),
        ("b_officer", draft.public_id),
    }


def test_events_older_than_a_week_are_history_not_news(cast, now):
    followed = commitment(cast)
    comment_add(actor=cast.a_officer, record=followed, text="Planned for June.")
    assert remind(now + 8 * 24 * HOUR, quiet).created == 0
    assert Notice.objects.count() == 0
    # The follows are made all the same.
    assert Follow.objects.count() == 2
