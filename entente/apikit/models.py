from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.models import unique_per


class IdempotencyKey(models.Model):
    """What is kept of a POST sent with an Idempotency-Key header, for its retries.

    A retry with the same key and body reads the records it made again (by their ids,
    through their doors) instead of making a second one. No answer body is kept. Keys
    are honoured for settings.IDEMPOTENCY_HOURS, then deleted (entente.apikit.idempotency).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    record_ids = models.JSONField(_("ids of the records made"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            unique_per("user", "key"),
        ]
        indexes = [
            # expired keys, deleted on each write: purge_expired_keys()
            models.Index(fields=["created_at"], name="apikit_idempotency_created"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
