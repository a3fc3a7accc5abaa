"""Progress reports: the responsible party's writers report on a commitment whoever owns
it; the owner's writers accept a proposed status or answer.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.agreements.enums import (
    COMMITMENT_WORKFLOW,
    REPORT_WORKFLOW,
    CommitmentStatus,
    ReportStatus,
)
from entente.agreements.models import (
    Commitment,
    ProgressReport,
)
from entente.agreements.selectors import (
    require_commitment_owner,
    require_responsible_writer,
)
from entente.agreements.services.commitments import (
    check_done_progress,
    commitment_change_status,
    commitment_record_indicator,
    commitment_update,
)
from entente.attachments.services import attachment_add
from entente.audit.services import (
    audited_create,
    audited_transition,
    write_transaction,
)
from entente.core.access import (
    require_visible,
)
from entente.core.enums import Marking, Scope
from entente.core.models import ownership

# --- progress reports -------------------------------------------------------------------


def progress_report_submit(
    *,
    actor,
    commitment: Commitment,
    progress: int,
    proposed_status: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    indicator_value: Decimal | None = None,
    note: str = "",
    scope: str | None = None,
    files: Iterable[UploadedFile] = (),
) -> ProgressReport:
    """The responsible party reports on a commitment, whoever owns it: a report owned by
    the reporter's party, with its evidence files, all written or none. It is shared
    when the commitment is, unless `scope` says otherwise, and carries the commitment's
    marking and TLP:RED recipients."""
    require_responsible_writer(actor, commitment)
    _check_report(commitment, progress, proposed_status, period_start, period_end, indicator_value)
    scope = commitment.scope if scope is None else scope
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Unknown scope.")})
    recipients = list(commitment.red_recipients.all()) if commitment.marking == Marking.RED else []
    report = ProgressReport(
        commitment=commitment,
        **ownership(
            actor.membership.party_id, scope, commitment.marking, commitment.is_illustrative
        ),
        reporter=actor,
        progress=progress,
        proposed_status=proposed_status or "",
        period_start=period_start,
        period_end=period_end,
        indicator_value=indicator_value,
        note=note,
    )
    stored = []
    try:
        with write_transaction():
            audited_create(actor=actor, instance=report, m2m={"red_recipients": recipients})
            for upload in files:
                stored.append(attachment_add(actor=actor, target=report, upload=upload))
    except BaseException:
        # The rows are rolled back; the files already in storage must go with them.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return report


def _check_report(commitment, progress, proposed_status, period_start, period_end, value) -> None:
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    if proposed_status:
        if not COMMITMENT_WORKFLOW.can(commitment.status, proposed_status):
            raise ValidationError(
                {
                    "proposed_status": str(COMMITMENT_WORKFLOW.message)
                    % {
                        "old": COMMITMENT_WORKFLOW.label(commitment.status),
                        "new": COMMITMENT_WORKFLOW.label(proposed_status),
                    }
                }
            )
        if proposed_status == CommitmentStatus.DONE:
            check_done_progress(progress)
    given = {"period_start": period_start, "period_end": period_end, "indicator_value": value}
    if any(v is not None for v in given.values()):
        missing = [name for name, v in given.items() if v is None]
        if missing:
            raise ValidationError(
                {
                    name: _("An indicator value needs its period start, end and value.")
                    for name in missing
                }
            )
        if period_end < period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


def progress_report_accept(
    *, actor, report: ProgressReport, expected_version: int, answer: str = ""
) -> ProgressReport:
    """The commitment's owner accepts a report: its progress, proposed status and
    indicator value are applied to the commitment by the commitment's own services, in
    the same transaction, so a move the workflow refuses leaves the report submitted."""
    require_visible(actor, report)
    require_commitment_owner(actor, report.commitment)
    with write_transaction():
        report = _answered(actor, report, ReportStatus.ACCEPTED, expected_version, answer)
        commitment = Commitment.objects.get(pk=report.commitment_id)
        if report.proposed_status:
            try:
                commitment_change_status(
                    actor=actor,
                    commitment=commitment,
                    status=report.proposed_status,
                    progress=report.progress,
                    expected_version=commitment.version,
                )
            except ValidationError as error:
                messages = error.message_dict
                raise ValidationError(
                    {{"status": "proposed_status"}.get(k, k): v for k, v in messages.items()}
                ) from None
        elif report.progress != commitment.progress:
            commitment_update(
                actor=actor,
                commitment=commitment,
                expected_version=commitment.version,
                progress=report.progress,
            )
        if report.indicator_value is not None and report.period_start and report.period_end:
            commitment_record_indicator(
                actor=actor,
                commitment=commitment,
                period_start=report.period_start,
                period_end=report.period_end,
                actual=report.indicator_value,
                note=_("From the report of %(party)s") % {"party": report.owning_party.code},
            )
    return report


def progress_report_answer(
    *, actor, report: ProgressReport, expected_version: int, answer: str
) -> ProgressReport:
    """The commitment's owner answers a report with a note, leaving the commitment as it
    is."""
    require_visible(actor, report)
    require_commitment_owner(actor, report.commitment)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    return _answered(actor, report, ReportStatus.ANSWERED, expected_version, answer)


def _answered(actor, report, status: str, expected_version: int, answer: str) -> ProgressReport:
    return audited_transition(
        actor=actor,
        instance=report,
        workflow=REPORT_WORKFLOW,
        status=status,
        expected_version=expected_version,
        changes={"answer": answer, "answered_by": actor, "answered_at": timezone.now()},
    )
