from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Contact, Party
from entente.agreements.models import Agreement, Commitment
from entente.core.models import PartyOwned, PublicIdentified, Translated, one_of, unique_per
from entente.meetings.enums import AttendanceStatus, DecisionStatus, MeetingKind, MeetingStatus


class Meeting(Translated, PartyOwned):
    """A joint committee, expert meeting, visit or call held under an agreement."""

    search_fields = ("title", "place", "minutes")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, help_text=_("The meeting's own time zone.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    host_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="hosted_meetings")
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta(PartyOwned.Meta):
        ordering = ["starts_at", "pk"]
        constraints = [
            *PartyOwned.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            one_of("status", MeetingStatus.values),
        ]
        indexes = [
            # meeting list and calendar by start; API list: ORDER BY starts_at DESC, id DESC
            models.Index(fields=["starts_at", "id"], name="meetings_meeting_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.public_id])


def attendance_status() -> models.CharField:
    """Whether someone invited to a meeting came: the same field for a contact and a guest."""
    return models.CharField(
        _("status"),
        max_length=16,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )


class Attendance(PublicIdentified):
    """A contact invited to a meeting, and whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="attendance")
    status = attendance_status()

    class Meta:
        constraints = [
            unique_per("meeting", "contact"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} at {self.meeting}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.meeting.public_id]) + "#attendance"


class AgendaItem(PartyOwned):
    """A point on a meeting's agenda, proposed by either party to a shared meeting and
    owned by the proposer's party; possibly carried over from an earlier meeting.

    The meeting's owning party orders the agenda; `position` is unique per meeting and
    counts items the reader may not see, so pages and the API show `visible_position`.
    """

    agreement_path = "meeting__agreement"

    search_fields = ("title", "notes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    carried_commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    carried_decision = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )

    class Meta(PartyOwned.Meta):
        ordering = ["meeting", "position"]
        constraints = [
            *PartyOwned.Meta.constraints,
            unique_per("meeting", "position"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.meeting.public_id]) + "#agenda"


class Guest(PublicIdentified):
    """Someone at a meeting who is in neither party's directory, named with their
    organisation; seen with the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    status = attendance_status()

    class Meta:
        ordering = ["meeting", "name", "pk"]
        constraints = [
            one_of("status", AttendanceStatus.values),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.meeting.public_id]) + "#attendance"


class Decision(PublicIdentified):
    """A decision taken at a meeting; it may give rise to commitments."""

    search_fields = ("text",)

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    commitments = models.ManyToManyField(
        Commitment, blank=True, related_name="source_decisions", verbose_name=_("commitments")
    )

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            unique_per("meeting", "number"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.number}"

    def get_absolute_url(self) -> str:
        return (
            reverse("meetings:meeting-detail", args=[self.meeting.public_id])
            + f"#decision-{self.public_id}"
        )
