import datetime as dt

import pytest
from django.utils import timezone

from entente.agreements.models import CooperationArea
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.testing import agreement_between, with_handling
from entente.training.enums import TrainingKind, TrainingStatus
from entente.training.models import TrainingActivity, TrainingParticipation
from entente.training.selectors import (
    get_training_for_user,
    reciprocity_balance,
    training_visible_to,
)
from entente.training.services import (
    participation_set,
    training_change_status,
    training_create,
    training_record_evaluation,
    training_update,
)

PAST = dt.date(2023, 3, 6)


def create(cast, actor=None, **fields) -> TrainingActivity:
    values = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "kind": TrainingKind.COURSE,
        "title": {"en": "Forensic imaging course"},
        "host_party": cast.a,
        "sending_party": cast.b,
        "starts_on": PAST,
        "ends_on": PAST + dt.timedelta(days=4),
        "scope": Scope.SHARED,
        "marking": Marking.GREEN,
    }
    return training_create(**with_handling(values | fields))


def advance(training, actor, *statuses) -> TrainingActivity:
    for status in statuses:
        training = training_change_status(
            actor=actor, training=training, status=status, expected_version=training.version
        )
    return training


def held(cast, actor=None, **fields) -> TrainingActivity:
    actor = actor or cast.a_officer
    return advance(create(cast, actor, **fields), actor, "confirmed", "held")


def area(agreement, code="training") -> CooperationArea:
    return CooperationArea.objects.create(agreement=agreement, code=code, name_en=code)


def refused_without_trace(call):
    """Run a call that must fail, and check it wrote neither records nor audit events."""
    trainings, participations = (
        TrainingActivity.objects.count(),
        TrainingParticipation.objects.count(),
    )
    events = AuditEvent.objects.count()
    with pytest.raises((ValidationError, PermissionDenied, NotFound, ConflictError)) as exc:
        call()
    assert TrainingActivity.objects.count() == trainings
    assert TrainingParticipation.objects.count() == participations
    assert AuditEvent.objects.count() == events
    return exc


# --- selectors --------------------------------------------------------------------------


def test_training_visible_to_shared_and_own_internal(cast):
    shared = create(cast, title={"en": "Shared"})
    a_internal = create(cast, title={"en": "A internal"}, scope=Scope.INTERNAL)
    b_internal = create(cast, cast.b_officer, title={"en": "B internal"}, scope=Scope.INTERNAL)
    assert list(training_visible_to(cast.a_officer)) == [shared, a_internal]
    assert list(training_visible_to(cast.a_reader)) == [shared, a_internal]
    assert list(training_visible_to(cast.b_officer)) == [shared, b_internal]
    assert list(training_visible_to(cast.c_officer)) == []


def test_get_training_for_user_other_party_internal_not_found(cast):
    training = create(cast, scope=Scope.INTERNAL)
    assert get_training_for_user(cast.a_reader, training.public_id) == training
    with pytest.raises(NotFound):
        get_training_for_user(cast.b_officer, training.public_id)
    with pytest.raises(NotFound):
        get_training_for_user(cast.c_officer, training.public_id)


def test_get_training_for_user_write_only_owner_writers(cast):
    training = create(cast)
    assert get_training_for_user(cast.a_officer, training.public_id, write=True) == training
    with pytest.raises(PermissionDenied):
        get_training_for_user(cast.a_reader, training.public_id, write=True)
    with pytest.raises(PermissionDenied):
        get_training_for_user(cast.b_officer, training.public_id, write=True)


def test_training_visible_to_red_only_named_recipients(cast):
    training = create(
        cast, cast.a_coordinator, marking=Marking.RED, red_recipients=[cast.a_officer]
    )
    assert set(training.red_recipients.all()) == {cast.a_coordinator, cast.a_officer}
    assert list(training_visible_to(cast.a_coordinator)) == [training]
    assert list(training_visible_to(cast.a_officer)) == [training]
    assert list(training_visible_to(cast.a_reader)) == []
    assert list(training_visible_to(cast.b_officer)) == []
    with pytest.raises(NotFound):
        get_training_for_user(cast.a_reader, training.public_id)


def test_training_visible_to_query_count_does_not_grow(cast, django_assert_num_queries):
    for n in range(3):
        create(cast, title={"en": f"Course {n}"}, area=area(cast.agreement, f"area-{n}"))
    with django_assert_num_queries(1):
        labels = [
            (t.agreement.pk, t.area.code, t.host_party.code, t.sending_party.code)
            for t in training_visible_to(cast.a_officer)
        ]
    assert labels == [(cast.agreement.pk, f"area-{n}", "MA-DGSN", "NL-POL") for n in range(3)]


# --- training_create --------------------------------------------------------------------


def test_training_create_by_officer(cast):
    training_area = area(cast.agreement)
    events = AuditEvent.objects.count()
    training = create(
        cast,
        title={"en": "Forensic imaging course", "fr": "Cours d'imagerie"},
        area=training_area,
        place=" Rabat ",
        scope=Scope.INTERNAL,
        marking=Marking.AMBER,
    )
    training.refresh_from_db()
    assert (
        training.owning_party,
        training.status,
        training.version,
        training.title_en,
        training.title_fr,
        training.place,
        training.area,
        training.scope,
        training.marking,
    ) == (
        cast.a,
        TrainingStatus.PLANNED,
        1,
        "Forensic imaging course",
        "Cours d'imagerie",
        "Rabat",
        training_area,
        Scope.INTERNAL,
        Marking.AMBER,
    )
    event = AuditEvent.objects.get(seq=events + 1)
    assert (event.action, event.target_type, event.target_id, event.actor) == (
        "create",
        "training.trainingactivity",
        str(training.pk),
        cast.a_officer,
    )


def test_training_create_by_other_party_owned_by_it(cast):
    training = create(cast, cast.b_officer, host_party=cast.b, sending_party=cast.a)
    assert training.owning_party == cast.b


# An outsider does not see the agreement: it does not exist for them.
@pytest.mark.parametrize(
    ("actor", "error"), [("a_reader", PermissionDenied), ("c_officer", NotFound)]
)
def test_training_create_refused_to_reader_and_outsider(cast, actor, error):
    assert refused_without_trace(lambda: create(cast, getattr(cast, actor))).type is error


def test_training_create_ends_before_start_refused(cast):
    exc = refused_without_trace(lambda: create(cast, ends_on=PAST - dt.timedelta(days=1)))
    assert exc.value.message_dict == {"ends_on": ["The activity cannot end before it starts."]}


def test_training_create_one_day_activity(cast):
    assert create(cast, ends_on=PAST).ends_on == PAST


def test_training_create_host_as_sender_refused(cast):
    exc = refused_without_trace(lambda: create(cast, sending_party=cast.a))
    assert exc.value.message_dict == {
        "sending_party": ["The sending party cannot be the host party."]
    }


def test_training_create_parties_outside_agreement_refused(cast):
    exc = refused_without_trace(lambda: create(cast, host_party=cast.c))
    assert exc.value.message_dict == {
        "host_party": ["The host party is not a party to the agreement."]
    }
    exc = refused_without_trace(lambda: create(cast, sending_party=cast.c))
    assert exc.value.message_dict == {
        "sending_party": ["The sending party is not a party to the agreement."]
    }


def test_training_create_area_of_other_agreement_refused(cast):
    other = area(agreement_between(cast.a, cast.b, title_en="Other"))
    exc = refused_without_trace(lambda: create(cast, area=other))
    assert exc.value.message_dict == {"area": ["The area belongs to another agreement."]}


def test_training_create_title_in_reference_language_required(cast):
    exc = refused_without_trace(
        lambda: create(cast, title={"en": "Course"}, reference_language="fr")
    )
    assert exc.value.message_dict == {"title_fr": ["Give the text in the reference language."]}


def test_training_create_red_without_recipients_refused(cast):
    exc = refused_without_trace(lambda: create(cast, cast.a_coordinator, marking=Marking.RED))
    assert exc.value.message_dict == {
        "red_recipients": ["Name at least one recipient for TLP:RED."]
    }


def test_training_create_unknown_kind_refused(cast):
    exc = refused_without_trace(lambda: create(cast, kind="picnic"))
    assert exc.value.message_dict == {"kind": ["Value 'picnic' is not a valid choice."]}


# --- training_update --------------------------------------------------------------------


def test_training_update_changes_fields(cast):
    training = create(cast)
    updated = training_update(
        actor=cast.a_officer,
        training=training,
        expected_version=1,
        kind=TrainingKind.WORKSHOP,
        host_party=cast.b,
        sending_party=cast.a,
        ends_on=PAST + dt.timedelta(days=1),
        place="The Hague",
    )
    updated.refresh_from_db()
    assert (
        updated.kind,
        updated.host_party,
        updated.sending_party,
        updated.ends_on,
        updated.place,
        updated.version,
    ) == (TrainingKind.WORKSHOP, cast.b, cast.a, PAST + dt.timedelta(days=1), "The Hague", 2)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.before, event.after["version"]) == (
        "update",
        {
            "kind": "course",
            "host_party_id": cast.a.pk,
            "sending_party_id": cast.b.pk,
            "ends_on": "2023-03-10",
            "place": "",
            "version": 1,
            "updated_at": event.before["updated_at"],
        },
        2,
    )


def test_training_update_title_merges_languages(cast):
    training = create(cast, title={"en": "Course", "fr": "Cours"})
    updated = training_update(
        actor=cast.a_officer, training=training, expected_version=1, title={"nl": "Cursus"}
    )
    assert (updated.title_en, updated.title_fr, updated.title_nl) == ("Course", "Cours", "Cursus")


def test_training_update_reference_language_needs_its_title(cast):
    training = create(cast)
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer, training=training, expected_version=1, reference_language="ar"
        )
    )
    assert exc.value.message_dict == {"title_ar": ["Give the text in the reference language."]}


@pytest.mark.parametrize(
    ("actor", "error"),
    [("a_reader", PermissionDenied), ("b_officer", PermissionDenied), ("c_officer", NotFound)],
)
def test_training_update_refused_to_others(cast, actor, error):
    training = create(cast)
    exc = refused_without_trace(
        lambda: training_update(
            actor=getattr(cast, actor), training=training, expected_version=1, place="x"
        )
    )
    assert exc.type is error


def test_training_update_merged_dates_checked(cast):
    training = create(cast)
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer,
            training=training,
            expected_version=1,
            starts_on=PAST + dt.timedelta(days=5),
        )
    )
    assert exc.value.message_dict == {"ends_on": ["The activity cannot end before it starts."]}


def test_training_update_host_as_sender_refused(cast):
    training = create(cast)
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer, training=training, expected_version=1, host_party=cast.b
        )
    )
    assert exc.value.message_dict == {
        "sending_party": ["The sending party cannot be the host party."]
    }


def test_training_update_party_outside_agreement_and_foreign_area_refused(cast):
    training = create(cast)
    foreign = area(agreement_between(cast.a, cast.b, title_en="Other"))
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer,
            training=training,
            expected_version=1,
            sending_party=cast.c,
            area=foreign,
        )
    )
    assert exc.value.message_dict == {
        "sending_party": ["The sending party is not a party to the agreement."],
        "area": ["The area belongs to another agreement."],
    }


def test_training_update_protected_fields_refused(cast):
    training = create(cast)
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer,
            training=training,
            expected_version=1,
            owning_party=cast.b,
            status="held",
            scope=Scope.INTERNAL,
            version=7,
            evaluation="Good",
        )
    )
    refusal = ["This field cannot be changed here."]
    assert exc.value.message_dict == {
        "evaluation": refusal,
        "owning_party": refusal,
        "scope": refusal,
        "status": refusal,
        "version": refusal,
    }


def test_training_update_stale_version_conflict(cast):
    training = create(cast)
    training_update(actor=cast.a_officer, training=training, expected_version=1, place="Rabat")
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer, training=training, expected_version=1, place="Fes"
        )
    )
    assert (exc.value.current_version, exc.value.changed) == (2, {"place": "Rabat"})


def test_training_update_party_with_participants_kept(cast):
    agreement = agreement_between(cast.a, cast.b, cast.c, title_en="Three parties")
    training = create(cast, agreement=agreement)
    participation_set(actor=cast.a_officer, training=training, party=cast.b, count=3)
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer, training=training, expected_version=1, sending_party=cast.c
        )
    )
    assert exc.value.message_dict == {
        "sending_party": ["Participants are recorded for a party this change removes."]
    }


def test_training_update_held_activity_cannot_move_to_future(cast):
    training = held(cast)
    exc = refused_without_trace(
        lambda: training_update(
            actor=cast.a_officer,
            training=training,
            expected_version=training.version,
            starts_on=timezone.localdate() + dt.timedelta(days=1),
            ends_on=timezone.localdate() + dt.timedelta(days=2),
        )
    )
    assert exc.value.message_dict == {"starts_on": ["A held activity cannot start in the future."]}


# --- training_change_status -------------------------------------------------------------


def test_training_change_status_through_workflow(cast):
    training = create(cast)
    training = advance(training, cast.a_officer, "confirmed", "held")
    training.refresh_from_db()
    assert (training.status, training.version) == (TrainingStatus.HELD, 3)
    actions = list(
        AuditEvent.objects.filter(target_id=str(training.pk)).values_list("action", "after")
    )
    assert actions[1:] == [
        (
            "status",
            {"status": "confirmed", "version": 2, "updated_at": actions[1][1]["updated_at"]},
        ),
        ("status", {"status": "held", "version": 3, "updated_at": actions[2][1]["updated_at"]}),
    ]


def test_training_change_status_held_on_start_day(cast):
    today = timezone.localdate()
    training = held(cast, starts_on=today, ends_on=today)
    assert training.status == TrainingStatus.HELD


def test_training_change_status_cancelled_and_replanned(cast):
    training = advance(create(cast), cast.a_officer, "cancelled", "planned")
    assert training.status == TrainingStatus.PLANNED


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ([], "held", "A training activity cannot go from Planned to Held."),
        (
            ["confirmed", "held"],
            "cancelled",
            "A training activity cannot go from Held to Cancelled.",
        ),
        ([], "bogus", "A training activity cannot go from Planned to bogus."),
    ],
)
def test_training_change_status_invalid_transition_refused(cast, path, target, message):
    training = advance(create(cast), cast.a_officer, *path)
    exc = refused_without_trace(
        lambda: training_change_status(
            actor=cast.a_officer,
            training=training,
            status=target,
            expected_version=training.version,
        )
    )
    assert exc.value.message_dict == {"status": [message]}


def test_training_change_status_held_before_start_refused(cast):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    training = advance(
        create(cast, starts_on=tomorrow, ends_on=tomorrow), cast.a_officer, "confirmed"
    )
    exc = refused_without_trace(
        lambda: training_change_status(
            actor=cast.a_officer, training=training, status="held", expected_version=2
        )
    )
    assert exc.value.message_dict == {
        "status": ["An activity that has not started cannot be held."]
    }


@pytest.mark.parametrize("actor", ["a_reader", "b_officer"])
def test_training_change_status_refused_to_others(cast, actor):
    training = create(cast)
    refused_without_trace(
        lambda: training_change_status(
            actor=getattr(cast, actor), training=training, status="confirmed", expected_version=1
        )
    )


def test_training_change_status_stale_version_conflict(cast):
    training = create(cast)
    training_update(actor=cast.a_officer, training=training, expected_version=1, place="Rabat")
    exc = refused_without_trace(
        lambda: training_change_status(
            actor=cast.a_officer, training=training, status="confirmed", expected_version=1
        )
    )
    assert exc.value.current_version == 2


# --- participation_set ------------------------------------------------------------------


def test_participation_set_creates_then_updates(cast):
    training = create(cast)
    events = AuditEvent.objects.count()
    first = participation_set(
        actor=cast.a_officer, training=training, party=cast.b, count=3, names="Jansen\n"
    )
    second = participation_set(actor=cast.a_officer, training=training, party=cast.b, count=5)
    assert list(
        TrainingParticipation.objects.values_list("pk", "activity", "party", "count", "names")
    ) == [(first.pk, training.pk, cast.b.pk, 5, "")]
    assert second.pk == first.pk
    recorded = list(
        AuditEvent.objects.filter(seq__gt=events).values_list(
            "action", "target_id", "before", "after"
        )
    )
    row = {"id": first.pk, "activity_id": training.pk, "party_id": cast.b.pk}
    assert recorded == [
        ("participation", str(training.pk), None, row | {"count": 3, "names": "Jansen"}),
        (
            "participation",
            str(training.pk),
            row | {"count": 3, "names": "Jansen"},
            row | {"count": 5, "names": ""},
        ),
    ]


def test_participation_set_host_party_and_zero_allowed(cast):
    training = create(cast)
    participation = participation_set(
        actor=cast.a_officer, training=training, party=cast.a, count=0
    )
    assert (participation.party, participation.count) == (cast.a, 0)


def test_participation_set_party_not_in_activity_refused(cast):
    training = create(cast)
    exc = refused_without_trace(
        lambda: participation_set(actor=cast.a_officer, training=training, party=cast.c, count=1)
    )
    assert exc.value.message_dict == {"party": ["Only the host and the sending party take part."]}


def test_participation_set_negative_count_refused(cast):
    training = create(cast)
    exc = refused_without_trace(
        lambda: participation_set(actor=cast.a_officer, training=training, party=cast.b, count=-1)
    )
    assert exc.value.message_dict == {"count": ["The number of participants cannot be negative."]}


@pytest.mark.parametrize(
    ("actor", "error"),
    [("a_reader", PermissionDenied), ("b_officer", PermissionDenied), ("c_officer", NotFound)],
)
def test_participation_set_refused_to_others(cast, actor, error):
    training = create(cast)
    exc = refused_without_trace(
        lambda: participation_set(
            actor=getattr(cast, actor), training=training, party=cast.b, count=2
        )
    )
    assert exc.type is error


# --- training_record_evaluation ---------------------------------------------------------


def test_training_record_evaluation_on_held_activity(cast):
    training = held(cast)
    training = training_record_evaluation(
        actor=cast.a_officer,
        training=training,
        evaluation=" Useful; repeat in 2024. ",
        expected_version=3,
    )
    training.refresh_from_db()
    assert (training.evaluation, training.version) == ("Useful; repeat in 2024.", 4)
    assert AuditEvent.objects.order_by("-seq").first().action == "evaluation"


def test_training_record_evaluation_before_held_refused(cast):
    training = advance(create(cast), cast.a_officer, "confirmed")
    exc = refused_without_trace(
        lambda: training_record_evaluation(
            actor=cast.a_officer, training=training, evaluation="Good", expected_version=2
        )
    )
    assert exc.value.message_dict == {"evaluation": ["Only a held activity can be evaluated."]}


@pytest.mark.parametrize("actor", ["a_reader", "b_officer"])
def test_training_record_evaluation_refused_to_others(cast, actor):
    training = held(cast)
    refused_without_trace(
        lambda: training_record_evaluation(
            actor=getattr(cast, actor), training=training, evaluation="x", expected_version=3
        )
    )


def test_training_record_evaluation_stale_version_conflict(cast):
    training = held(cast)
    exc = refused_without_trace(
        lambda: training_record_evaluation(
            actor=cast.a_officer, training=training, evaluation="x", expected_version=2
        )
    )
    assert exc.value.current_version == 3


# --- reciprocity_balance ----------------------------------------------------------------


@pytest.fixture
def ledger(cast):
    """Activities of both parties in 2023 and 2024, with what each should count for."""
    a, b = cast.a_officer, cast.b_officer
    y23, y24 = dt.date(2023, 5, 2), dt.date(2024, 2, 12)
    # 2023: A hosts 10 of B (its own 2 trainers do not count); B hosts 4 of A.
    t1 = held(cast, a, starts_on=y23, ends_on=y23)
    participation_set(actor=a, training=t1, party=cast.b, count=10)
    participation_set(actor=a, training=t1, party=cast.a, count=2)
    t2 = held(cast, b, host_party=cast.b, sending_party=cast.a, starts_on=y23, ends_on=y23)
    participation_set(actor=b, training=t2, party=cast.a, count=4)
    # Cancelled activities never count, whatever their participants.
    t3 = create(cast, a, starts_on=y23, ends_on=y23)
    participation_set(actor=a, training=t3, party=cast.b, count=7)
    advance(t3, a, "cancelled")
    # 2024: A held one (1 of B) and confirmed one (6 of B); B planned one (5 of A) and
    # held one internal to B (3 of A), which only B's users see.
    t4 = held(cast, a, starts_on=y24, ends_on=y24)
    participation_set(actor=a, training=t4, party=cast.b, count=1)
    t5 = advance(create(cast, a, starts_on=y24, ends_on=y24), a, "confirmed")
    participation_set(actor=a, training=t5, party=cast.b, count=6)
    t6 = create(cast, b, host_party=cast.b, sending_party=cast.a, starts_on=y24, ends_on=y24)
    participation_set(actor=b, training=t6, party=cast.a, count=5)
    t7 = held(
        cast,
        b,
        host_party=cast.b,
        sending_party=cast.a,
        starts_on=y24,
        ends_on=y24,
        scope=Scope.INTERNAL,
    )
    participation_set(actor=b, training=t7, party=cast.a, count=3)


def row(year, party, hosted=0, sent=0, planned_hosted=0, planned_sent=0):
    return {
        "year": year,
        "party": party,
        "hosted": hosted,
        "sent": sent,
        "planned_hosted": planned_hosted,
        "planned_sent": planned_sent,
    }


A_BALANCE = [
    row(2023, "MA-DGSN", hosted=10, sent=4),
    row(2023, "NL-POL", hosted=4, sent=10),
    row(2024, "MA-DGSN", hosted=1, planned_hosted=6, planned_sent=5),
    row(2024, "NL-POL", sent=1, planned_hosted=5, planned_sent=6),
]


def test_reciprocity_balance_for_party_a(cast, ledger, django_assert_num_queries):
    with django_assert_num_queries(1):
        balance = reciprocity_balance(cast.a_reader)
    assert balance == A_BALANCE


def test_reciprocity_balance_for_party_b_includes_its_internal(cast, ledger):
    assert reciprocity_balance(cast.b_officer) == [
        row(2023, "MA-DGSN", hosted=10, sent=4),
        row(2023, "NL-POL", hosted=4, sent=10),
        row(2024, "MA-DGSN", hosted=1, sent=3, planned_hosted=6, planned_sent=5),
        row(2024, "NL-POL", hosted=3, sent=1, planned_hosted=5, planned_sent=6),
    ]


def test_reciprocity_balance_outsider_sees_nothing(cast, ledger):
    assert reciprocity_balance(cast.c_officer) == []


def test_reciprocity_balance_one_agreement(cast, ledger):
    other = agreement_between(cast.a, cast.b, title_en="Other")
    training = held(cast, agreement=other, starts_on=dt.date(2022, 6, 1), ends_on=PAST)
    participation_set(actor=cast.a_officer, training=training, party=cast.b, count=8)
    assert reciprocity_balance(cast.a_officer, agreement=other) == [
        row(2022, "MA-DGSN", hosted=8),
        row(2022, "NL-POL", sent=8),
    ]
    assert reciprocity_balance(cast.a_officer, agreement=cast.agreement) == A_BALANCE
    assert reciprocity_balance(cast.a_officer) == [
        row(2022, "MA-DGSN", hosted=8),
        row(2022, "NL-POL", sent=8),
        *A_BALANCE,
    ]
