from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.transitions import Workflow


class TrainingKind(models.TextChoices):
    COURSE = "course", _("Course")
    STUDY_VISIT = "study_visit", _("Study visit")
    WORKSHOP = "workshop", _("Workshop")
    SECONDMENT = "secondment", _("Secondment")
    CONFERENCE = "conference", _("Conference")


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


TRAINING_WORKFLOW = Workflow(
    TrainingStatus,
    {
        TrainingStatus.PLANNED: {TrainingStatus.CONFIRMED, TrainingStatus.CANCELLED},
        TrainingStatus.CONFIRMED: {
            TrainingStatus.HELD,
            TrainingStatus.CANCELLED,
            TrainingStatus.PLANNED,
        },
        TrainingStatus.HELD: set(),
        TrainingStatus.CANCELLED: {TrainingStatus.PLANNED},
    },
    message=_("A training activity cannot go from %(old)s to %(new)s."),
    requires={
        TrainingStatus.HELD: (
            lambda training: training.starts_on <= timezone.localdate(),
            _("An activity that has not started cannot be held."),
        )
    },
)
