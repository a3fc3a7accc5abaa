import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.models import acting_user

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One append-only, hash-chained entry in the history of every write.

    `hash` is the SHA-256 of the previous event's hash and a canonical JSON of this
    event, so altering, removing, inserting or reordering any event breaks the chain
    from that point on. Database triggers refuse UPDATE and DELETE on this table.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("at"))
    actor = acting_user(optional=True)
    actor_name = models.CharField(_("actor"), max_length=150)
    party = models.ForeignKey(
        "accounts.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("record type"), max_length=100)
    target_id = models.CharField(_("record id"), max_length=64)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            # audit trail page: the history of one record
            models.Index(fields=["target_type", "target_id", "seq"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events are append-only.")

    def canonical(self) -> str:
        """The event as canonical JSON: the exact bytes its hash covers."""
        return json.dumps(
            {
                "seq": self.seq,
                "at": self.at.isoformat(timespec="microseconds"),
                "actor": self.actor_id,
                "actor_name": self.actor_name,
                "party": self.party_id,
                "action": self.action,
                "target_type": self.target_type,
                "target_id": self.target_id,
                "before": self.before,
                "after": self.after,
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()
