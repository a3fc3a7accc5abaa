"""The import on the web: upload a spreadsheet, map its columns, see the dry run, confirm."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.agreements.selectors import get_agreement_for_user
from entente.core.pages import apply_errors, signed_in
from entente.imports.forms import ROW_DEFAULTS, MappingForm, UploadForm
from entente.imports.mapping import Mapping, check_fields, mapping_from, suggested
from entente.imports.reading import read_table
from entente.imports.services import Outcome, Problem, import_table, require_importer
from entente.imports.uploads import get_upload_for_user, upload_store


@signed_in("GET", "POST")
def import_upload(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require_importer(request.user, agreement, data["kind"])
        try:
            mapping = _mapping_file(data) or Mapping(kind=data["kind"])
        except ValidationError as error:
            form.add_error("mapping", "; ".join(error.messages))
        else:
            upload = upload_store(
                request.user,
                data["file"],
                agreement=agreement,
                mapping=mapping,
                header_row=data["header_row"] or mapping.header_row,
            )
            return redirect("imports:import-map", key=upload.key)
    status = 400 if form.errors else 200
    return render(
        request, "imports/import_upload.html", {"form": form, "agreement": agreement}, status=status
    )


def _mapping_file(data) -> Mapping | None:
    if not data["mapping"]:
        return None
    try:
        parsed = json.loads(data["mapping"].read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(_("The mapping file is not JSON.")) from None
    return mapping_from(parsed | {"kind": data["kind"]}, complete=False)


@signed_in("GET", "POST")
def import_map(request, key):
    upload = get_upload_for_user(request.user, key)
    agreement = get_agreement_for_user(request.user, upload.agreement)
    problem, table = "", None
    try:
        table = read_table(upload.path, sheet=upload.mapping.sheet, header_row=upload.header_row)
    except ValidationError as error:
        problem = "; ".join(error.messages)  # the file cannot be read: said on the page
    kind = upload.mapping.record_kind
    columns = table.columns if table else []
    chosen = upload.mapping.columns or suggested(kind, columns)
    initial = {f"column_{i}": chosen.get(c, "") for i, c in enumerate(columns)}
    initial |= {name: upload.mapping.defaults.get(name) for name in ROW_DEFAULTS}
    initial = {name: value for name, value in initial.items() if value}
    form = MappingForm(request.POST or None, kind=kind, columns=columns, initial=initial)
    if request.method == "POST" and table is not None and form.is_valid():
        upload.mapping.columns = form.columns_mapped()
        upload.mapping.defaults |= form.defaults()
        try:
            check_fields(upload.mapping)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            upload.header_row = table.header_row
            upload.save()
            return redirect("imports:import-check", key=upload.key)
    context = {
        "form": form,
        "agreement": agreement,
        "upload": upload,
        "table": table,
        "problem": problem,
        "kind": kind,
    }
    return render(
        request, "imports/import_map.html", context, status=400 if form.errors or problem else 200
    )


@signed_in("GET", "POST")
def import_check(request, key):
    upload = get_upload_for_user(request.user, key)
    agreement = get_agreement_for_user(request.user, upload.agreement)
    try:
        table = read_table(upload.path, sheet=upload.mapping.sheet, header_row=upload.header_row)
        outcome = import_table(
            actor=request.user,
            agreement=agreement,
            table=table,
            mapping=upload.mapping,
            dry_run=request.method != "POST",
        )
    except ValidationError as error:  # the file as a whole: unreadable, a column gone
        outcome = Outcome(problems=[Problem(None, "", m) for m in error.messages])
    if outcome.imported:
        upload.remove()
        count = len(outcome.created)
        messages.success(
            request,
            ngettext("%(count)d record imported.", "%(count)d records imported.", count)
            % {"count": count},
        )
        return redirect(agreement.get_absolute_url())
    kind = upload.mapping.record_kind
    fields = [t for t in kind.targets if any(t.name in values for _row, values in outcome.created)]
    context = {
        "agreement": agreement,
        "upload": upload,
        "outcome": outcome,
        "fields": fields,
        "rows": [
            (row, [t.shown(values.get(t.name, "")) for t in fields])
            for row, values in outcome.created
        ],
        "kind": kind,
    }
    return render(
        request, "imports/import_check.html", context, status=400 if outcome.problems else 200
    )
