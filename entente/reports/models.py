from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """A user's personal calendar feed: a secret URL a calendar client reads without
    signing in. Only the SHA-256 of the secret is stored; the URL is shown once, when
    the feed is made. A revoked feed stays, for the audit trail, and answers 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    key_hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed")
        constraints = [
            # calendar_feed_of(user): one working feed per user
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
