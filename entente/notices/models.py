"""Notices to one user about one record, and each user's choice of channel per kind.

A notice is personal (its recipient's, not a party's), so it is not party-owned; the
record it is about is always re-read through that record's own door before it is shown
or mailed, so a notice never shows what its recipient may no longer see.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.models import PublicIdentified
from entente.notices.enums import Channel, EmailState, NoticeKind


class Notice(PublicIdentified):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    # The record's public id: it is read through its own door, by type and this id.
    target_id = models.UUIDField()
    # What makes the notice unique for its recipient ("request_due:<public id>:25"):
    # the constraint below is what keeps two `remind` runs from creating it twice.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=8, choices=EmailState.choices, default=EmailState.PENDING
    )
    # Mailed with the recipient's daily digest rather than on its own.
    digest = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notices_notice_unique_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_state"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.key}"


class NoticePreference(models.Model):
    """How a user is told of one kind of notice; without a row: e-mail at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.IMMEDIATE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notices_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.channel}"


class DigestSent(models.Model):
    """A user's daily digest of one day (in their time zone), sent or being sent: the
    unique row is what lets only one `remind` run send it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notices_digest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class Follow(models.Model):
    """A user following a record: they are told of what happens to it (comments, progress
    reports, changes). Personal, like a notice: the record is named by its public id and
    read through its own door whenever a notice about it is made or shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"], name="notices_follow_once"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.user} follows {self.target_type_id}:{self.target_id}"


class EventCursor(models.Model):
    """The last audit event `remind` has turned into notices: one row, locked while a run
    reads the events after it and moved in the same transaction, so that two runs (two
    servers) never read the same event twice."""

    seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit events up to #{self.seq}"
