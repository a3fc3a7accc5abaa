from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to attach.")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(mb)d MB. The file takes the scope, marking and recipients of the record."
        ) % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
