from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from entente.core.models import OnRecord, acting_user
from entente.core.registry import record_page_url


class Comment(OnRecord):
    """A comment in the thread of a commitment, a meeting or a training, written by one
    user of a party to its agreement and owned by their party: seen only when its record
    is seen and its own scope, marking and recipients allow it."""

    search_fields = ("text",)

    # By name: the domain apps sit above this one.
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.PROTECT, related_name="comments"
    )
    author = acting_user(_("author"))
    text = models.TextField(_("comment"))

    class Meta(OnRecord.Meta):
        ordering = ["created_at", "pk"]
        constraints = [
            *OnRecord.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(text=""), name="%(app_label)s_%(class)s_text_not_empty"
            ),
        ]
        indexes = [
            # record page: the thread of one record, oldest first
            models.Index(
                fields=["target_type", "target_id", "created_at"], name="comments_comment_thread"
            ),
        ]

    def __str__(self) -> str:
        return Truncator(self.text).chars(60)

    def get_absolute_url(self) -> str:
        """The page of the record the comment is on, at the comment."""
        target = self.target
        page = (target and record_page_url(target)) or self.agreement.get_absolute_url()
        return f"{page.split('#')[0]}#comment-{self.public_id}"
