import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from entente.agreements.commands import acting_user, named_agreement
from entente.core.errors import NotFound
from entente.imports.mapping import Mapping, check_fields, load_mapping, suggested
from entente.imports.reading import read_table
from entente.imports.services import Outcome, import_table, require_importer


class Command(BaseCommand):
    help = (
        "Import commitments, meetings, trainings or contacts from an XLSX or CSV file, "
        "all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The .xlsx or .csv file.")
        parser.add_argument(
            "--agreement", required=True, help="The agreement's public id or its title."
        )
        parser.add_argument("--user", required=True, help="Username of who imports.")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="JSON mapping of the file (kind, sheet, header row, columns, values, "
            "defaults); without it, commitments with columns named as their fields.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )

    def handle(self, *args, file: Path, agreement: str, user: str, **options):
        actor = acting_user(user)
        started = time.monotonic()
        try:
            outcome = self._run(actor, file, agreement, options["mapping"], options["dry_run"])
        except NotFound as error:
            raise CommandError(str(error)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(_messages(error))) from None
        self._report(outcome, options["dry_run"], time.monotonic() - started)

    def _run(self, actor, file: Path, name: str, mapping_file, dry_run: bool) -> Outcome:
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        agreement = named_agreement(actor, name)
        mapping = load_mapping(mapping_file) if mapping_file else None
        # Who may not import hears so first, whatever else is wrong with the file.
        require_importer(actor, agreement, mapping.kind if mapping else "commitments")
        table = read_table(
            file,
            sheet=mapping.sheet if mapping else "",
            header_row=mapping.header_row if mapping else None,
        )
        if mapping is None:
            mapping = Mapping(kind="commitments")
            mapping.columns = suggested(mapping.record_kind, table.columns)
            check_fields(mapping)
        with tqdm(
            total=len(table.rows),
            desc="checking" if dry_run else "importing",
            unit="row",
            file=self.stderr._out,
            disable=None,
        ) as bar:
            return import_table(
                actor=actor,
                agreement=agreement,
                table=table,
                mapping=mapping,
                dry_run=dry_run,
                on_row=lambda: bar.update(),
            )

    def _report(self, outcome: Outcome, dry_run: bool, seconds: float) -> None:
        for row, reason in outcome.skipped:
            self.stdout.write(f"row {row}: skipped ({reason})")
        for problem in outcome.problems:
            self.stdout.write(_problem_line(problem))
        if outcome.problems:
            raise CommandError(
                f"{len(outcome.problems)} problem(s) in the file; nothing was imported."
            )
        if dry_run:
            for row, values in outcome.created:
                self.stdout.write(f"row {row}: would create {values}")
            self.stdout.write(
                f"Dry run: {len(outcome.created)} record(s) would be created; nothing written."
            )
        else:
            self.stdout.write(f"Imported {len(outcome.created)} record(s) in {seconds:.1f} s.")


def _problem_line(problem) -> str:
    where = f"row {problem.row}" if problem.row else "file"
    if problem.column:
        where += f", column “{problem.column}”"
    return f"{where}: {problem.message}"


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
    return error.messages
