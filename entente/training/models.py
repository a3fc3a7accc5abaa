from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Party
from entente.agreements.models import Agreement, area_link
from entente.core.models import PartyOwned, Translated, one_of, unique_per
from entente.training.enums import TrainingKind, TrainingStatus


class TrainingActivity(Translated, PartyOwned):
    """A course, visit, workshop, secondment or conference one party hosts for another."""

    search_fields = ("title", "place", "evaluation")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="trainings")
    area = area_link("trainings")
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=300)
    host_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="hosted_trainings")
    sending_party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="sent_trainings"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TrainingStatus.choices, default=TrainingStatus.PLANNED
    )
    evaluation = models.TextField(_("evaluation"), blank=True)

    class Meta(PartyOwned.Meta):
        ordering = ["starts_on", "pk"]
        verbose_name_plural = _("training activities")
        constraints = [
            *PartyOwned.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(host_party=F("sending_party")),
                name="%(app_label)s_%(class)s_host_not_sender",
            ),
            one_of("status", TrainingStatus.values),
        ]
        indexes = [
            # training list and calendar by start; API list: ORDER BY starts_on DESC, id DESC
            models.Index(fields=["starts_on", "id"], name="training_activity_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:training-detail", args=[self.public_id])


class TrainingParticipation(models.Model):
    """How many officers of one party take part in a training activity."""

    activity = models.ForeignKey(
        TrainingActivity, on_delete=models.CASCADE, related_name="participations"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(_("participants"))
    names = models.TextField(_("names"), blank=True, help_text=_("Optional, one per line."))

    class Meta:
        constraints = [
            unique_per("activity", "party"),
        ]

    def __str__(self) -> str:
        return f"{self.count} from {self.party}"
