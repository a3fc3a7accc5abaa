from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.transitions import Workflow


class InstrumentType(models.TextChoices):
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    MOU = "mou", _("Memorandum of understanding")
    AGREEMENT = "agreement", _("Agreement")
    TREATY = "treaty", _("Treaty")
    PROTOCOL = "protocol", _("Protocol")
    EXCHANGE_OF_NOTES = "exchange_of_notes", _("Exchange of notes")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


# Lifecycle moves an agreement may make; anything else is refused by the services.
AGREEMENT_WORKFLOW = Workflow(
    AgreementStatus,
    {
        AgreementStatus.DRAFT: {AgreementStatus.SIGNED, AgreementStatus.TERMINATED},
        AgreementStatus.SIGNED: {
            AgreementStatus.IN_FORCE,
            AgreementStatus.TERMINATED,
            AgreementStatus.EXPIRED,
        },
        AgreementStatus.IN_FORCE: {
            AgreementStatus.SUSPENDED,
            AgreementStatus.EXPIRED,
            AgreementStatus.TERMINATED,
        },
        AgreementStatus.SUSPENDED: {AgreementStatus.IN_FORCE, AgreementStatus.TERMINATED},
        AgreementStatus.EXPIRED: set(),
        AgreementStatus.TERMINATED: set(),
    },
    message=_("An agreement cannot go from %(old)s to %(new)s."),
)


class PartyRole(models.TextChoices):
    PARTY = "party", _("Party")
    OBSERVER = "observer", _("Observer")


class Renewal(models.TextChoices):
    NONE = "none", _("No renewal")
    TACIT = "tacit", _("Tacit renewal")
    EXPLICIT = "explicit", _("Explicit renewal")


class EventKind(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    INITIALED = "initialed", _("Initialed")
    SIGNED = "signed", _("Signed")
    RATIFIED = "ratified", _("Ratified / approved")
    ENTERED_INTO_FORCE = "entered_into_force", _("Entered into force")
    PROVISIONALLY_APPLIED = "provisionally_applied", _("Provisionally applied")
    AMENDED = "amended", _("Amended")
    RENEWED = "renewed", _("Renewed")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Certainty(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the text or an official source")
    REPORTED = "reported", _("Reported by the press")
    UNCERTAIN = "uncertain", _("Uncertain or contradictory")


class CommitmentKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    RECURRING = "recurring", _("Recurring")


class Recurrence(models.TextChoices):
    NONE = "", _("None")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Every six months")
    YEARLY = "yearly", _("Yearly")


class CommitmentStatus(models.TextChoices):
    """Stored statuses; "overdue" is derived from the due date, never stored."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DEFERRED = "deferred", _("Deferred")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_COMMITMENT_STATUSES = frozenset({CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS})

COMMITMENT_WORKFLOW = Workflow(
    CommitmentStatus,
    {
        CommitmentStatus.PLANNED: {
            CommitmentStatus.IN_PROGRESS,
            CommitmentStatus.DONE,
            CommitmentStatus.DEFERRED,
            CommitmentStatus.CANCELLED,
        },
        CommitmentStatus.IN_PROGRESS: {
            CommitmentStatus.DONE,
            CommitmentStatus.DEFERRED,
            CommitmentStatus.CANCELLED,
        },
        CommitmentStatus.DEFERRED: {
            CommitmentStatus.PLANNED,
            CommitmentStatus.IN_PROGRESS,
            CommitmentStatus.CANCELLED,
        },
        CommitmentStatus.DONE: {CommitmentStatus.IN_PROGRESS},
        CommitmentStatus.CANCELLED: set(),
    },
    message=_("A commitment cannot go from %(old)s to %(new)s."),
)


class ReportStatus(models.TextChoices):
    """Where a progress report stands with the commitment's owner."""

    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ANSWERED = "answered", _("Answered")


# The owner answers a report once: by accepting it, or with a note.
REPORT_WORKFLOW = Workflow(
    ReportStatus,
    {
        ReportStatus.SUBMITTED: {ReportStatus.ACCEPTED, ReportStatus.ANSWERED},
        ReportStatus.ACCEPTED: set(),
        ReportStatus.ANSWERED: set(),
    },
    message=_("A report cannot go from %(old)s to %(new)s."),
)
