from django.db import models
from django.utils.translation import gettext_lazy as _


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


TRAINING_TRANSITIONS: dict[str, frozenset[str]] = {
    TrainingStatus.PLANNED: frozenset({TrainingStatus.CONFIRMED, TrainingStatus.CANCELLED}),
    TrainingStatus.CONFIRMED: frozenset(
        {TrainingStatus.HELD, TrainingStatus.CANCELLED, TrainingStatus.PLANNED}
    ),
    TrainingStatus.HELD: frozenset(),
    TrainingStatus.CANCELLED: frozenset({TrainingStatus.PLANNED}),
}
