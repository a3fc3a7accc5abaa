from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.transitions import Workflow


class MeetingKind(models.TextChoices):
    JOINT_COMMITTEE = "joint_committee", _("Joint committee")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    EXPERT_MEETING = "expert_meeting", _("Expert meeting")
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


MEETING_WORKFLOW = Workflow(
    MeetingStatus,
    {
        MeetingStatus.PLANNED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
        MeetingStatus.HELD: set(),
        MeetingStatus.CANCELLED: {MeetingStatus.PLANNED},
    },
    message=_("A meeting cannot go from %(old)s to %(new)s."),
    requires={
        MeetingStatus.HELD: (
            lambda meeting: meeting.starts_at <= timezone.now(),
            _("A meeting cannot be held before it starts."),
        )
    },
)


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ATTENDED = "attended", _("Attended")
    EXCUSED = "excused", _("Excused")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IMPLEMENTED = "implemented", _("Implemented")
    DROPPED = "dropped", _("Dropped")


# A decision may be reopened after it was marked implemented or dropped by mistake.
DECISION_WORKFLOW = Workflow(
    DecisionStatus,
    {
        DecisionStatus.OPEN: {DecisionStatus.IMPLEMENTED, DecisionStatus.DROPPED},
        DecisionStatus.IMPLEMENTED: {DecisionStatus.OPEN},
        DecisionStatus.DROPPED: {DecisionStatus.OPEN},
    },
    message=_("A decision cannot go from %(old)s to %(new)s."),
)
