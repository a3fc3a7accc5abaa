"""Downloads of exports: a list as its page shows it (CSV or XLSX), a whole agreement
as JSON. Each is recorded in the audit chain as the user's export."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from entente.agreements.selectors import get_agreement_for_user
from entente.core.errors import ValidationError
from entente.core.pages import signed_in
from entente.exports.files import ExportFile, export_agreement, export_list
from entente.exports.lists import LISTS


def download(export: ExportFile) -> StreamingHttpResponse:
    """The file as a download, sent as it is written, kept by no cache: marked material
    stays off shared disks."""
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@signed_in("GET")
def list_export(request, name: str):
    """The list `name` (exports.lists.LISTS): `?format=csv|xlsx` and its page's filters."""
    try:
        export = export_list(
            LISTS[name], data=request.GET, request=request, fmt=request.GET.get("format", "")
        )
    except ValidationError as exc:
        query = request.GET.copy()
        query.pop("format", None)
        back = f"{reverse(LISTS[name].page)}?{query.urlencode()}"
        context = {"message": exc.messages[0], "title": LISTS[name].title, "back": back}
        return render(request, "exports/export_refused.html", context, status=400)
    return download(export)


@signed_in("GET")
def agreement_export(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    return download(export_agreement(user=request.user, agreement=agreement))
