"""`{% attachments_panel record as panel %}`: what `attachments/_attachments.html` shows."""

from django import template
from django.urls import reverse

from entente.attachments.forms import AttachmentForm
from entente.attachments.selectors import attachments_of, can_attach

register = template.Library()


@register.simple_tag(takes_context=True)
def attachments_panel(context, record) -> dict:
    """The files on `record` the user may see, and the upload form when they may add one."""
    user = context["request"].user
    addable = can_attach(user, record)
    return {
        "attachments": list(attachments_of(user, record)),
        "form": AttachmentForm() if addable else None,
        "upload_url": reverse(
            "attachments:upload", args=[record._meta.label_lower, record.public_id]
        )
        if addable
        else None,
    }
