"""A stored file as an HTTP answer, the same for the web page and the API."""

from django.http import FileResponse
from django.utils.translation import gettext as _

from entente.attachments.models import Attachment
from entente.core.errors import NotFound
from entente.core.http import etag_for


def file_response(attachment: Attachment) -> FileResponse:
    """The file as a download, under the name it was uploaded with; 404 when the file is
    gone from storage. Never sniffed into another type, never kept by any cache: marked
    material stays out of shared caches and the browser's disk cache."""
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise NotFound(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = etag_for(attachment)
    return response
