import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.models import OnRecord, acting_user
from entente.core.registry import record_page_url


def stored_name(instance, filename: str) -> str:
    """A random name in storage: the uploaded name (kept in `filename` only) would tell
    whoever sees the storage, a backup or the audit trail what the file is about."""
    return f"attachments/{uuid.uuid4().hex}"


class Attachment(OnRecord):
    """A file on a record of an agreement (or the agreement itself), fingerprinted with
    its SHA-256; seen exactly when its record is, whose scope, marking and recipients it
    copies (entente.attachments.services.attachments_follow)."""

    search_fields = ("filename",)

    # By name: the domain apps sit above this one.
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=stored_name)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = acting_user(_("uploaded by"))

    class Meta(OnRecord.Meta):
        ordering = ["-created_at"]
        indexes = [
            # record page: the attachments of one record
            models.Index(fields=["target_type", "target_id"], name="attachments_attach_target"),
        ]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        """The page of the record the file is on, at its attachments."""
        target = self.target
        page = (target and record_page_url(target)) or self.agreement.get_absolute_url()
        # A record shown inside another's page (a report) already names its place there.
        return page if "#" in page else f"{page}#attachments"
