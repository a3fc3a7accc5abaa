"""Progress reports, through the services: the responsible party reports on a commitment
another party owns, the owner accepts it onto the commitment or answers it."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from entente.accounts.enums import Role
from entente.agreements.models import Commitment, IndicatorValue, ProgressReport
from entente.agreements.selectors import progress_report_visible_to, reports_of
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_update,
)
from entente.agreements.services.reports import (
    progress_report_accept,
    progress_report_answer,
    progress_report_submit,
)
from entente.attachments.models import Attachment
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.testing import member, with_handling

pytestmark = pytest.mark.django_db

NOT_RESPONSIBLE = "Only the party responsible for this commitment reports on it."
NOT_OWNER = "Only the party that owns the commitment accepts or answers its reports."
READ_ONLY = "Your role does not allow changes."


def a_commitment(cast, **fields) -> Commitment:
    """Owned by A, B responsible, shared: the case the reports exist for."""
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": "Train forty officers"},
        "responsible_party": cast.b,
        "due_date": dt.date(2031, 6, 30),
        "scope": Scope.SHARED,
    }
    return commitment_create(**with_handling(defaults | fields))


def evidence(name="minutes.pdf", content=b"%PDF-1.4 evidence\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def report(cast, commitment, actor=None, **fields) -> ProgressReport:
    defaults = {"actor": actor or cast.b_officer, "commitment": commitment, "progress": 40}
    return progress_report_submit(**(defaults | fields))


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def counts(settings) -> tuple:
    """What a refused write must leave as it was: rows, files in storage, the chain."""
    return (
        ProgressReport.objects.count(),
        Attachment.objects.count(),
        IndicatorValue.objects.count(),
        AuditEvent.objects.count(),
        stored_files(settings),
    )


def refusal(exc) -> dict | str:
    error = exc.value
    return error.message_dict if hasattr(error, "error_dict") else str(error)


# --- reporting --------------------------------------------------------------------------


def test_the_responsible_party_reports_with_evidence(cast, settings):
    commitment = a_commitment(cast, marking=Marking.GREEN)
    before = AuditEvent.objects.count()
    made = report(
        cast,
        commitment,
        progress=60,
        proposed_status="in_progress",
        period_start=dt.date(2031, 1, 1),
        period_end=dt.date(2031, 3, 31),
        indicator_value=Decimal("12.5"),
        note="Two courses held.",
        files=[evidence()],
    )
    made.refresh_from_db()
    assert (
        made.owning_party,
        made.reporter,
        made.scope,
        made.marking,
        made.status,
        made.progress,
        made.proposed_status,
        made.indicator_value,
        made.note,
        made.version,
    ) == (
        cast.b,
        cast.b_officer,
        "shared",
        "TLP:GREEN",
        "submitted",
        60,
        "in_progress",
        Decimal("12.50"),
        "Two courses held.",
        1,
    )
    [attachment] = Attachment.objects.all()
    assert (attachment.target, attachment.filename, attachment.owning_party, attachment.scope) == (
        made,
        "minutes.pdf",
        cast.b,
        "shared",
    )
    assert attachment.file.read() == b"%PDF-1.4 evidence\n"
    events = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.action, e.target_type, e.actor_name) for e in events] == [
        ("create", "agreements.progressreport", "b_officer"),
        ("create", "attachments.attachment", "b_officer"),
    ]
    # The commitment is the owner's: a report changes nothing on it until accepted.
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("planned", 0, 1)


def test_a_report_is_shared_as_its_commitment_unless_kept_internal(cast):
    shared = report(cast, a_commitment(cast))
    internal = report(cast, a_commitment(cast), scope=Scope.INTERNAL)
    b_own = commitment_create(
        actor=cast.b_officer,
        agreement=cast.agreement,
        title={"en": "B's own"},
        responsible_party=cast.b,
    )
    on_internal = report(cast, b_own)
    assert [(r.scope, r.owning_party.code) for r in (shared, internal, on_internal)] == [
        ("shared", "NL-POL"),
        ("internal", "NL-POL"),
        ("internal", "NL-POL"),
    ]


def test_a_red_commitment_passes_its_recipients_to_its_reports(cast):
    commitment = a_commitment(
        cast,
        actor=cast.a_coordinator,
        marking=Marking.RED,
        red_recipients=[cast.b_officer],
    )
    made = report(cast, commitment)
    assert (made.marking, sorted(u.username for u in made.red_recipients.all())) == (
        "TLP:RED",
        ["a_coordinator", "b_officer"],
    )
    assert list(progress_report_visible_to(cast.b_coordinator)) == []
    assert list(progress_report_visible_to(cast.a_officer)) == []
    assert list(progress_report_visible_to(cast.a_coordinator)) == [made]


def test_who_may_report(cast, settings):
    commitment = a_commitment(cast)
    b_reader = member("b_reader", cast.b, Role.READER, cast.b_cell)
    before = counts(settings)
    with pytest.raises(PermissionDenied) as refused:
        report(cast, commitment, actor=b_reader, files=[evidence()])
    assert refusal(refused) == READ_ONLY
    with pytest.raises(PermissionDenied) as refused:
        report(cast, commitment, actor=cast.a_officer, files=[evidence()])
    assert refusal(refused) == NOT_RESPONSIBLE
    with pytest.raises(NotFound):
        report(cast, commitment, actor=cast.c_officer, files=[evidence()])
    assert counts(settings) == before
    hidden = a_commitment(cast, scope=Scope.INTERNAL)
    before = counts(settings)
    with pytest.raises(NotFound):
        report(cast, hidden, files=[evidence()])
    assert counts(settings) == before
    report(cast, commitment, actor=cast.b_coordinator)
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"proposed_status": "planned"},
            {"proposed_status": ["A commitment cannot go from Planned to Planned."]},
        ),
        (
            {"proposed_status": "done", "progress": 50},
            {
                "progress": [
                    "A commitment that is done has a progress of 100; give 100 or no progress."
                ]
            },
        ),
        ({"progress": 101}, {"progress": ["Progress is a percentage from 0 to 100."]}),
        (
            {"period_start": dt.date(2031, 1, 1), "indicator_value": Decimal(3)},
            {"period_end": ["An indicator value needs its period start, end and value."]},
        ),
        (
            {
                "period_start": dt.date(2031, 2, 1),
                "period_end": dt.date(2031, 1, 1),
                "indicator_value": Decimal(3),
            },
            {"period_end": ["The period cannot end before it starts."]},
        ),
        ({"note": "nul \x00"}, {"note": ["Null characters are not allowed."]}),
        ({"scope": "public"}, {"scope": ["Unknown scope."]}),
    ],
)
def test_bad_reports_are_refused_naming_the_field_and_leave_nothing(cast, settings, fields, errors):
    commitment = a_commitment(cast)
    before = counts(settings)
    with pytest.raises(ValidationError) as refused:
        report(cast, commitment, files=[evidence()], **fields)
    assert refusal(refused) == errors
    assert counts(settings) == before


def test_a_status_the_workflow_no_longer_allows_is_refused(cast, settings):
    commitment = a_commitment(cast)
    commitment = commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="cancelled", expected_version=1
    )
    before = counts(settings)
    with pytest.raises(ValidationError) as refused:
        report(cast, commitment, proposed_status="in_progress", files=[evidence()])
    assert refusal(refused) == {
        "proposed_status": ["A commitment cannot go from Cancelled to In progress."]
    }
    assert counts(settings) == before


def test_a_file_refused_after_another_leaves_no_file_behind(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    commitment = a_commitment(cast)
    before = counts(settings)
    too_big = evidence("scan.pdf", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as refused:
        report(cast, commitment, files=[evidence(), too_big])
    assert refusal(refused) == {"file": ["The file is larger than the limit of 1 MB."]}
    assert counts(settings) == before


# --- who sees a report ------------------------------------------------------------------


def test_the_other_party_never_sees_an_internal_report(cast):
    commitment = a_commitment(cast)
    shared = report(cast, commitment, note="Shared")
    report(cast, commitment, scope=Scope.INTERNAL, note="Internal", files=[evidence()])
    assert [r.note for r in reports_of(cast.a_officer, commitment)] == ["Shared"]
    assert [r.note for r in reports_of(cast.a_reader, commitment)] == ["Shared"]
    assert [r.note for r in reports_of(cast.b_officer, commitment)] == ["Internal", "Shared"]
    assert list(progress_report_visible_to(cast.c_officer)) == []
    assert [r.visible_evidence for r in reports_of(cast.a_officer, commitment)] == [[]]
    with pytest.raises(NotFound):
        progress_report_accept(
            actor=cast.a_officer,
            report=ProgressReport.objects.get(note="Internal"),
            expected_version=1,
        )
    assert shared.status == "submitted"


# --- the owner's answer -----------------------------------------------------------------


def test_the_owner_accepts_a_report_onto_the_commitment(cast, settings):
    commitment = a_commitment(cast)
    made = report(
        cast,
        commitment,
        progress=70,
        proposed_status="in_progress",
        period_start=dt.date(2031, 1, 1),
        period_end=dt.date(2031, 3, 31),
        indicator_value=Decimal(12),
    )
    before = AuditEvent.objects.count()
    accepted = progress_report_accept(
        actor=cast.a_officer, report=made, expected_version=1, answer="Thank you."
    )
    assert (
        accepted.status,
        accepted.answer,
        accepted.answered_by,
        accepted.version,
    ) == ("accepted", "Thank you.", cast.a_officer, 2)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("in_progress", 70, 2)
    assert list(commitment.indicator_values.values_list("period_end", "actual", "note")) == [
        (dt.date(2031, 3, 31), Decimal("12.00"), "From the report of NL-POL")
    ]
    events = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.action, e.target_type, e.actor_name) for e in events] == [
        ("status", "agreements.progressreport", "a_officer"),
        ("status", "agreements.commitment", "a_officer"),
        ("indicator", "agreements.commitment", "a_officer"),
    ]
    assert (events[0].before["status"], events[0].after["status"]) == ("submitted", "accepted")
    assert (events[1].after["status"], events[1].after["progress"]) == ("in_progress", 70)


def test_accepting_progress_alone_keeps_the_status(cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=30)
    progress_report_accept(actor=cast.a_coordinator, report=made, expected_version=1)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("planned", 30, 2)
    event = AuditEvent.objects.filter(target_type="agreements.commitment").last()
    assert (event.action, event.before, event.after["progress"]) == (
        "update",
        {"progress": 0, "version": 1, "updated_at": event.before["updated_at"]},
        30,
    )


def test_accepting_a_move_the_commitment_no_longer_allows_changes_nothing(cast, settings):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=100, proposed_status="done", files=[evidence()])
    commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="cancelled", expected_version=1
    )
    before = counts(settings)
    with pytest.raises(ValidationError) as refused:
        progress_report_accept(actor=cast.a_officer, report=made, expected_version=1)
    assert refusal(refused) == {
        "proposed_status": ["A commitment cannot go from Cancelled to Done."]
    }
    assert counts(settings) == before
    made.refresh_from_db()
    commitment.refresh_from_db()
    assert (made.status, made.version, commitment.status, commitment.progress) == (
        "submitted",
        1,
        "cancelled",
        0,
    )


def test_the_owner_answers_a_report(cast):
    commitment = a_commitment(cast)
    made = report(cast, commitment, progress=90, proposed_status="in_progress")
    with pytest.raises(ValidationError) as refused:
        progress_report_answer(actor=cast.a_officer, report=made, expected_version=1, answer="  ")
    assert refusal(refused) == {"answer": ["Write the answer."]}
    answered = progress_report_answer(
        actor=cast.a_officer, report=made, expected_version=1, answer="Send the attendance list."
    )
    assert (answered.status, answered.answer, answered.answered_by) == (
        "answered",
        "Send the attendance list.",
        cast.a_officer,
    )
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("planned", 0, 1)
    with pytest.raises(ValidationError) as refused:
        progress_report_accept(actor=cast.a_officer, report=answered, expected_version=2)
    assert refusal(refused) == {"status": ["A report cannot go from Answered to Accepted."]}


def test_who_may_answer(cast, settings):
    commitment = a_commitment(cast)
    made = report(cast, commitment)
    before = counts(settings)
    for who, error, message in [
        ("b_officer", PermissionDenied, NOT_OWNER),
        ("b_coordinator", PermissionDenied, NOT_OWNER),
        ("a_reader", PermissionDenied, READ_ONLY),
        ("c_officer", NotFound, "No such record."),
    ]:
        for service in (progress_report_accept, progress_report_answer):
            with pytest.raises(error) as refused:
                service(actor=getattr(cast, who), report=made, expected_version=1, answer="x")
            assert (who, refusal(refused)) == (who, message)
    assert counts(settings) == before


def test_a_stale_answer_is_a_conflict(cast):
    made = report(cast, a_commitment(cast))
    progress_report_answer(actor=cast.a_officer, report=made, expected_version=1, answer="First.")
    with pytest.raises(ConflictError):
        progress_report_accept(actor=cast.a_coordinator, report=made, expected_version=1)


# --- done means 100 % (issue 11: progress without a status change) ---------------------


def test_done_with_another_progress_is_refused_not_changed(cast):
    commitment = a_commitment(cast, responsible_party=cast.a)
    with pytest.raises(ValidationError) as refused:
        commitment_change_status(
            actor=cast.a_officer,
            commitment=commitment,
            status="done",
            progress=50,
            expected_version=1,
        )
    assert refusal(refused) == {
        "progress": ["A commitment that is done has a progress of 100; give 100 or no progress."]
    }
    done = commitment_change_status(
        actor=cast.a_officer, commitment=commitment, status="done", expected_version=1
    )
    assert (done.status, done.progress) == ("done", 100)
    with pytest.raises(ValidationError) as refused:
        commitment_update(actor=cast.a_officer, commitment=done, expected_version=2, progress=80)
    assert list(refusal(refused)) == ["progress"]


def test_progress_is_updated_without_a_status_change(cast):
    commitment = a_commitment(cast, responsible_party=cast.a)
    updated = commitment_update(
        actor=cast.a_officer, commitment=commitment, expected_version=1, progress=50
    )
    assert (updated.status, updated.progress, updated.version) == ("planned", 50, 2)
