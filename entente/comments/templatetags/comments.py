"""`{% comments_panel record as panel %}`: what `comments/_comments.html` shows."""

from django import template
from django.urls import reverse

from entente.comments.forms import CommentForm
from entente.comments.selectors import can_comment, comments_of, is_author

register = template.Library()


@register.simple_tag(takes_context=True)
def comments_panel(context, record) -> dict:
    """The comments on `record` the user may see (each marked `own` when they may edit
    it), and the form when they may comment."""
    user = context["request"].user
    comments = list(comments_of(user, record))
    for comment in comments:
        # A mark for the template alone, not a field of the model.
        comment.own = is_author(user, comment)  # type: ignore[attr-defined]
    addable = can_comment(user, record)
    return {
        "comments": comments,
        "form": CommentForm(record=record) if addable else None,
        "add_url": reverse(
            "comments:comment-add", args=[record._meta.label_lower, record.public_id]
        )
        if addable
        else None,
    }
