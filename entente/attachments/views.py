"""The upload and the download of files on any record's page.

The upload form sits on the record's own page (`attachments/_attachments.html`); the
answer is always a redirect back to that page, with what happened as a message: this
app cannot show another app's page, so a refused file is reported there, not next to
the field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from entente.attachments.downloads import file_response
from entente.attachments.forms import AttachmentForm
from entente.attachments.selectors import get_attachable_for_user, get_attachment_for_user
from entente.attachments.services import attachment_add
from entente.core.access import require_writer
from entente.core.errors import ValidationError
from entente.core.pages import first_error, safe_next
from entente.core.registry import record_page_url

SECTION = "#attachments"


@login_required
@require_POST
def attachment_upload(request, record_type, pk):
    record = get_attachable_for_user(request.user, record_type, pk)
    require_writer(request.user)
    back = safe_next(request, record_page_url(record) or "/")
    if "#" not in back:
        back += SECTION
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(back)
    try:
        attachment_add(actor=request.user, target=record, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File attached."))
    return redirect(back)


@login_required
@require_safe
def attachment_download(request, pk):
    return file_response(get_attachment_for_user(request.user, pk))
