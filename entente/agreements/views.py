"""Pages of agreements and commitments: the portfolio, the agreement page, the commitment
list with its bulk status change, commitment pages, attachments and publishing.

Records come only through the selectors (`*_visible_to`, `get_*_for_user`) and change
only through the services; a service's ValidationError is shown next to its field.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from entente.accounts.models import Party, Unit
from entente.accounts.selectors import contact_visible_to
from entente.agreements.enums import COMMITMENT_TRANSITIONS, CommitmentStatus
from entente.agreements.filters import CommitmentFilter
from entente.agreements.forms import (
    LANGUAGES,
    AttachmentForm,
    BulkStatusForm,
    CommitmentCreateForm,
    CommitmentEditForm,
    CommitmentStatusForm,
    PublishForm,
)
from entente.agreements.selectors import (
    area_visible_to,
    attachments_of,
    clause_visible_to,
    commitment_visible_to,
    get_agreement_for_user,
    get_attachment_for_user,
    get_commitment_for_user,
    require_party_to,
)
from entente.agreements.services import (
    attachment_add,
    commitment_change_status,
    commitment_create,
    commitment_update,
)
from entente.audit.services import write_transaction
from entente.core.access import (
    can_write,
    membership_of,
    require_writer,
)
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError

PAGE_SIZE = 25


# --- helpers ----------------------------------------------------------------------------


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, field_messages in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return _("The form is not valid.")


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def _field_for(model, attname: str):
    for field in model._meta.concrete_fields:
        if attname in (field.name, field.attname):
            return field
    return None


def conflict_rows(record, changed: dict) -> list[dict]:
    """What someone else changed, as (label, current value) rows for the conflict message."""
    rows = []
    for attname, value in changed.items():
        field = _field_for(type(record), attname)
        if field is not None and field.is_relation:
            value = getattr(record, field.name)
        label = field.verbose_name if field is not None else attname
        rows.append({"field": str(label), "value": _display(value)})
    return rows


# --- commitment list and bulk status change ---------------------------------------------


@login_required
@require_GET
def commitment_list(request):
    user = request.user
    queryset = commitment_visible_to(user).order_by(F("due_date").asc(nulls_last=True), "pk")
    filterset = CommitmentFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, filterset.qs)
    membership = membership_of(user)
    own = membership.party_id if membership else None
    for commitment in page.object_list:
        commitment.selectable = (
            membership is not None and membership.can_write and (commitment.owning_party_id == own)
        )
    return render(
        request,
        "agreements/commitment_list.html",
        {
            "filter": filterset,
            "page": page,
            "bulk_form": BulkStatusForm(auto_id="bulk-%s"),
            "can_bulk": any(c.selectable for c in page.object_list),
        },
    )


@login_required
@require_POST
def commitment_bulk_status(request):
    """Change the status of every selected commitment, or of none of them."""
    require_writer(request.user)
    back = _safe_next(request, reverse("agreements:commitment-list"))
    form = BulkStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    try:
        versions = form.versions(request.POST)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(back)
    found = {c.pk: c for c in commitment_visible_to(request.user).filter(pk__in=versions)}
    if len(found) != len(versions):
        raise NotFound(_("No such record."))
    status = form.cleaned_data["status"]
    current = None
    try:
        with write_transaction():
            for pk, version in versions.items():
                current = found[pk]
                commitment_change_status(
                    actor=request.user, commitment=current, status=status, expected_version=version
                )
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        messages.error(request, _bulk_failure(current, exc))
        return redirect(back)
    count = len(versions)
    messages.success(
        request,
        ngettext(
            "%(count)d commitment set to “%(status)s”.",
            "%(count)d commitments set to “%(status)s”.",
            count,
        )
        % {"count": count, "status": CommitmentStatus(status).label},
    )
    return redirect(back)


def _bulk_failure(commitment, exc) -> str:
    if isinstance(exc, ConflictError):
        reason = _("it was changed by someone else meanwhile; reload the list and try again.")
    elif isinstance(exc, ValidationError):
        reason = " ".join(exc.messages)
    else:
        reason = str(exc) or _("you may not change it.")
    return _("Nothing was changed. “%(title)s” could not be changed: %(reason)s") % {
        "title": commitment.title,
        "reason": reason,
    }


# --- commitment pages -------------------------------------------------------------------


@login_required
@require_GET
def commitment_detail(request, pk):
    commitment = get_commitment_for_user(request.user, pk)
    return _render_commitment(request, commitment)


def _status_choices(commitment) -> list[tuple[str, str]]:
    allowed = COMMITMENT_TRANSITIONS.get(commitment.status, frozenset())
    return [(value, label) for value, label in CommitmentStatus.choices if value in allowed]


def _render_commitment(request, commitment, *, upload_form=None):
    user = request.user
    membership = membership_of(user)
    writable = can_write(user, commitment)
    status_form = None
    if writable and _status_choices(commitment):
        status_form = CommitmentStatusForm(initial={"version": commitment.version})
        status_form.fields["status"].choices = _status_choices(commitment)
    contact = None
    if commitment.responsible_contact_id:
        contact = contact_visible_to(user).filter(pk=commitment.responsible_contact_id).first()
    is_party = membership is not None and (
        commitment.agreement.agreement_parties.filter(party_id=membership.party_id).exists()
    )
    context = {
        "commitment": commitment,
        "record": commitment,
        "clauses": clause_visible_to(user).filter(commitments=commitment),
        "contact": contact,
        "indicator_values": commitment.indicator_values.all(),
        "attachments": attachments_of(user, commitment),
        "upload_form": upload_form or AttachmentForm(),
        "can_add": is_party and membership.can_write,
        "can_write": writable,
        "status_form": status_form,
        "can_publish": writable and membership.is_coordinator and commitment.scope == "internal",
        "publish_form": PublishForm(initial={"version": commitment.version}),
    }
    return render(request, "agreements/commitment_detail.html", context)


def _form_choices(user, agreement) -> dict:
    parties = Party.objects.filter(agreement_roles__agreement=agreement).order_by("code")
    return {
        "parties": parties,
        "units": Unit.objects.filter(party__in=parties).select_related("party"),
        "contacts": contact_visible_to(user).filter(unit__party__in=parties).order_by("name"),
        "areas": area_visible_to(user).filter(agreement=agreement).order_by("name", "pk"),
        "clauses": clause_visible_to(user).filter(agreement=agreement),
    }


# Form fields passed to the services as they are (texts and clauses are handled apart).
COMMITMENT_FIELDS = (
    "reference_language",
    "responsible_party",
    "responsible_unit",
    "responsible_contact",
    "area",
    "kind",
    "recurrence",
    "due_date",
    "progress",
    "indicator",
    "indicator_unit",
    "baseline",
    "target",
    "evidence_links",
)


def _texts(form, name: str) -> dict[str, str]:
    return {code: text for code, text in form.texts(name).items() if text.strip()}


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create_view(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    require_writer(request.user)
    require_party_to(request.user, agreement)
    choices = _form_choices(request.user, agreement)
    if request.method == "POST":
        form = CommitmentCreateForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                commitment = commitment_create(
                    actor=request.user,
                    agreement=agreement,
                    title=_texts(form, "title"),
                    description=_texts(form, "description"),
                    clauses=data["clauses"],
                    scope=data["scope"],
                    marking=data["marking"],
                    **{name: data[name] for name in COMMITMENT_FIELDS},
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Commitment recorded."))
                return redirect("agreements:commitment-detail", pk=commitment.pk)
    else:
        membership = membership_of(request.user)
        form = CommitmentCreateForm(
            initial={
                "reference_language": request.LANGUAGE_CODE,
                "responsible_party": membership.party_id,
            },
            **choices,
        )
    return render(
        request,
        "agreements/commitment_form.html",
        {"form": form, "agreement": agreement, "commitment": None},
    )


def _edit_initial(commitment) -> dict:
    initial = {name: getattr(commitment, name) for name in COMMITMENT_FIELDS}
    for code in LANGUAGES:
        initial[f"title_{code}"] = getattr(commitment, f"title_{code}") or ""
        initial[f"description_{code}"] = getattr(commitment, f"description_{code}") or ""
    initial["clauses"] = list(commitment.clauses.values_list("pk", flat=True))
    initial["version"] = commitment.version
    return initial


def _changes(commitment, data: dict) -> dict:
    """The submitted values that differ from the stored ones."""
    names = [*COMMITMENT_FIELDS]
    for code in LANGUAGES:
        names += [f"title_{code}", f"description_{code}"]
    changes = {}
    for name in names:
        old, new = getattr(commitment, name), data[name]
        if name.startswith(("title_", "description_")):
            new = new.strip() or None
        if (old or None) != (new or None) and old != new:
            changes[name] = new
    return changes


def _clause_change(user, commitment, chosen) -> list | None:
    """The new clause list, keeping links to clauses the user cannot see; None if unchanged."""
    current = set(commitment.clauses.values_list("pk", flat=True))
    visible = set(clause_visible_to(user).filter(pk__in=current).values_list("pk", flat=True))
    wanted = {c.pk for c in chosen} | (current - visible)
    if wanted == current:
        return None
    return list(clause_visible_to(user).filter(pk__in=wanted)) + list(
        commitment.clauses.exclude(pk__in=visible)
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk):
    commitment = get_commitment_for_user(request.user, pk, write=True)
    choices = _form_choices(request.user, commitment.agreement)
    conflict, status = None, 200
    if request.method == "POST":
        form = CommitmentEditForm(request.POST, **choices)
        if form.is_valid():
            changes = _changes(commitment, form.cleaned_data)
            clauses = _clause_change(request.user, commitment, form.cleaned_data["clauses"])
            if not changes and clauses is None:
                messages.info(request, _("Nothing was changed."))
                return redirect("agreements:commitment-detail", pk=commitment.pk)
            try:
                commitment_update(
                    actor=request.user,
                    commitment=commitment,
                    expected_version=form.cleaned_data["version"],
                    clauses=clauses,
                    **changes,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except ConflictError as exc:
                current = get_commitment_for_user(request.user, pk)
                conflict, status = conflict_rows(current, exc.changed), 409
                form = _rebound(form, current.version, **choices)
            else:
                messages.success(request, _("Commitment saved."))
                return redirect("agreements:commitment-detail", pk=commitment.pk)
    else:
        form = CommitmentEditForm(initial=_edit_initial(commitment), **choices)
    return render(
        request,
        "agreements/commitment_form.html",
        {
            "form": form,
            "agreement": commitment.agreement,
            "commitment": commitment,
            "record": commitment,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_status(request, pk):
    commitment = get_commitment_for_user(request.user, pk, write=True)
    conflict, status = None, 200
    if request.method == "POST":
        form = CommitmentStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                commitment_change_status(
                    actor=request.user,
                    commitment=commitment,
                    status=data["status"],
                    progress=data["progress"],
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except ConflictError as exc:
                current = get_commitment_for_user(request.user, pk)
                conflict, status = conflict_rows(current, exc.changed), 409
                form = _rebound(form, current.version)
            else:
                messages.success(request, _("Status changed."))
                return redirect("agreements:commitment-detail", pk=commitment.pk)
    else:
        form = CommitmentStatusForm(initial={"version": commitment.version})
        form.fields["status"].choices = _status_choices(commitment) or CommitmentStatus.choices
    return render(
        request,
        "agreements/commitment_status.html",
        {"form": form, "commitment": commitment, "record": commitment, "conflict": conflict},
        status=status,
    )


def _rebound(form, version: int, **kwargs):
    """The form as submitted, moved to the record's current version: the user's input is
    kept and what changed meanwhile is shown, so saving again is a deliberate overwrite."""
    data = form.data.copy()
    data["version"] = str(version)
    rebound = type(form)(data, **kwargs)
    rebound.is_valid()
    return rebound


# --- attachments ------------------------------------------------------------------------


def _render_agreement(request, agreement, *, upload_form=None):
    # Stopgap until the attachments app replaces this upload view: the agreement page
    # moved up to reports (issue 8), so it is reached here without a module-level import.
    from entente.reports.agreement_views import render_agreement

    return render_agreement(request, agreement, upload_form=upload_form)


UPLOAD_TARGETS = {
    "agreement": (get_agreement_for_user, _render_agreement, "reports:agreement-detail"),
    "commitment": (get_commitment_for_user, _render_commitment, "agreements:commitment-detail"),
}


@login_required
@require_POST
def attachment_upload(request, kind, pk):
    if kind not in UPLOAD_TARGETS:
        raise NotFound(_("No such record."))
    get_target, render_target, url_name = UPLOAD_TARGETS[kind]
    target = get_target(request.user, pk)
    require_writer(request.user)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment_add(actor=request.user, target=target, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("File attached."))
            return HttpResponseRedirect(reverse(url_name, args=[target.pk]) + "#attachments")
    return render_target(request, target, upload_form=form)


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = get_attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise NotFound(_("No such record.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Marked material stays out of shared caches and the browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response
