"""`entente export AGREEMENT --format json|csv|xlsx -o FILE --user USERNAME`."""

from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from entente.agreements.commands import (
    add_agreement_file_arguments,
    reader_and_agreement,
    write_output,
)
from entente.agreements.models import Agreement
from entente.core.errors import ValidationError
from entente.exports.files import ExportFile, export_agreement, export_list
from entente.exports.lists import COMMITMENTS
from entente.exports.writers import FORMATS


class Command(BaseCommand):
    help = (
        "Export an agreement as a user sees it: the whole agreement as JSON, or its "
        "commitments as CSV or XLSX."
    )

    def add_arguments(self, parser):
        add_agreement_file_arguments(
            parser, user_help="Whose view to export: only what they may see."
        )
        parser.add_argument("--format", required=True, help="json, csv or xlsx.")

    def handle(self, *args, agreement, format, output, user, **options):
        if format not in ("json", *FORMATS):
            raise CommandError(f"--format must be json, csv or xlsx, not {format!r}")
        reader, found = reader_and_agreement(user, agreement)
        try:
            export = _export(reader, found, format)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        write_output(self, output, export.chunks)


def _export(user, agreement: Agreement, fmt: str) -> ExportFile:
    if fmt == "json":
        return export_agreement(user=user, agreement=agreement)
    data = QueryDict(mutable=True)
    data["agreement"] = str(agreement.public_id)
    # The list's filters read who is asking, and what was asked, from the request, as on
    # the page.
    request = SimpleNamespace(user=user, GET=data)
    return export_list(COMMITMENTS, data=data, request=request, fmt=fmt)
