"""Pages of agreements and commitments: the portfolio, the agreement page, the commitment
list with its bulk status change, commitment pages, attachments and publishing.

Records come only through the selectors (`*_visible_to`, `get_*_for_user`) and change
only through the services; a service's ValidationError is shown next to its field.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, OuterRef
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from entente.accounts.models import Party, Unit
from entente.accounts.selectors import contact_visible_to
from entente.agreements.enums import COMMITMENT_TRANSITIONS, CommitmentStatus
from entente.agreements.filters import AgreementFilter, CommitmentFilter
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
    agreement_event_visible_to,
    agreement_portfolio,
    agreement_visible_to,
    area_visible_to,
    attachments_of,
    clause_visible_to,
    clauses_with_commitments,
    commitment_visible_to,
    count_of,
    get_agreement_event_for_user,
    get_agreement_for_user,
    get_attachment_for_user,
    get_clause_for_user,
    get_commitment_for_user,
    require_party_to,
)
from entente.agreements.services import (
    attachment_add,
    commitment_change_status,
    commitment_create,
    commitment_update,
    record_publish,
)
from entente.audit.services import write_transaction
from entente.core.access import (
    can_write,
    membership_of,
    party_id_of,
    require_coordinator,
    require_writer,
)
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.liaison.clock import OPEN_STATUSES as OPEN_REQUEST_STATUSES
from entente.liaison.selectors import liaison_request_visible_to
from entente.meetings.selectors import get_meeting_for_user, meeting_visible_to
from entente.training.selectors import get_training_for_user, training_visible_to

PAGE_SIZE = 25
SECTION_SIZE = 20
# Notice to end or renew an agreement is flagged this long before it is due.
NOTICE_WARNING = dt.timedelta(days=90)


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


def _notice(agreement, today: dt.date) -> dict | None:
    """When notice to end (or not renew) the agreement is due, and how close that is."""
    if agreement.expires_on is None:
        return None
    notice_by = None
    if agreement.notice_period_days:
        notice_by = agreement.expires_on - dt.timedelta(days=agreement.notice_period_days)
    if agreement.expires_on < today:
        state = "expired"
    elif notice_by is not None and notice_by < today:
        state = "notice_passed"
    elif notice_by is not None and notice_by <= today + NOTICE_WARNING:
        state = "notice_soon"
    else:
        state = "ok"
    return {"expires_on": agreement.expires_on, "notice_by": notice_by, "state": state}


def _party_ids(agreement) -> set[int]:
    return {ap.party_id for ap in agreement.agreement_parties.all()}


# --- portfolio --------------------------------------------------------------------------


@login_required
@require_GET
def agreement_list(request):
    user = request.user
    open_requests = liaison_request_visible_to(user).filter(
        agreement=OuterRef("pk"), status__in=OPEN_REQUEST_STATUSES
    )
    queryset = (
        agreement_portfolio(user)
        .annotate(open_requests=count_of(open_requests))
        .order_by(F("signed_on").desc(nulls_last=True), "title", "pk")
    )
    filterset = AgreementFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, filterset.qs)
    own, today = party_id_of(user), timezone.localdate()
    for agreement in page.object_list:
        agreement.counterparts = [
            ap.party for ap in agreement.agreement_parties.all() if ap.party_id != own
        ]
        agreement.notice = _notice(agreement, today)
        agreement.deadline_overdue = (
            agreement.next_deadline is not None and agreement.next_deadline < today
        )
    return render(
        request,
        "agreements/agreement_list.html",
        {"filter": filterset, "page": page, "today": today},
    )


# --- agreement page ---------------------------------------------------------------------


@login_required
@require_GET
def agreement_detail(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    return _render_agreement(request, agreement)


def _render_agreement(request, agreement, *, upload_form=None):
    user = request.user
    membership = membership_of(user)
    is_party = membership is not None and membership.party_id in _party_ids(agreement)
    is_coordinator = membership is not None and membership.is_coordinator
    own = membership.party_id if membership else None
    events = list(
        agreement_event_visible_to(user).filter(agreement=agreement).select_related("owning_party")
    )
    for event in events:
        event.publishable = (
            is_coordinator and event.owning_party_id == own and event.scope == "internal"
        )
    clauses = list(clauses_with_commitments(user, agreement).select_related("owning_party"))
    for clause in clauses:
        clause.publishable = (
            is_coordinator and clause.owning_party_id == own and clause.scope == "internal"
        )
    related = agreement_visible_to(user)
    sections = {
        "commitments": commitment_visible_to(user).filter(agreement=agreement),
        "meetings": meeting_visible_to(user).filter(agreement=agreement).order_by("-starts_at"),
        "trainings": training_visible_to(user).filter(agreement=agreement).order_by("-starts_on"),
        "requests": liaison_request_visible_to(user)
        .filter(agreement=agreement)
        .order_by("-sent_at"),
    }
    context = {
        "agreement": agreement,
        "record": agreement,
        "notice": _notice(agreement, timezone.localdate()),
        "events": events,
        "parties": agreement.agreement_parties.all(),
        "signatories": agreement.signatories.select_related("party"),
        "clauses": clauses,
        "areas": area_visible_to(user).filter(agreement=agreement),
        "parent": related.filter(pk=agreement.parent_id).first() if agreement.parent_id else None,
        "children": list(related.filter(parent=agreement).order_by("title")),
        "attachments": attachments_of(user, agreement),
        "upload_form": upload_form or AttachmentForm(),
        "can_add": is_party and membership.can_write,
        "can_publish": is_coordinator
        and agreement.owning_party_id == own
        and agreement.scope == "internal",
        "publish_form": PublishForm(initial={"version": agreement.version}),
    }
    for name, queryset in sections.items():
        context[name] = list(queryset[:SECTION_SIZE])
        context[f"{name}_total"] = (
            queryset.count() if len(context[name]) == SECTION_SIZE else len(context[name])
        )
    return render(request, "agreements/agreement_detail.html", context)


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

UPLOAD_TARGETS = {
    "agreement": (get_agreement_for_user, _render_agreement, "agreements:agreement-detail"),
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


# --- publishing -------------------------------------------------------------------------

PUBLISHABLE = {
    "agreement": get_agreement_for_user,
    "commitment": get_commitment_for_user,
    "clause": get_clause_for_user,
    "event": get_agreement_event_for_user,
    "meeting": get_meeting_for_user,
    "training": get_training_for_user,
}

# Records with a page of their own; clauses and events live on their agreement's page.
RECORD_PAGES = {
    "agreement": "agreements:agreement-detail",
    "commitment": "agreements:commitment-detail",
    "meeting": "meetings:meeting-detail",
    "training": "training:training-detail",
}


def _record_url(kind: str, record) -> str:
    if kind in RECORD_PAGES:
        return reverse(RECORD_PAGES[kind], args=[record.pk])
    anchor = "#timeline" if kind == "event" else f"#clause-{record.pk}"
    return reverse("agreements:agreement-detail", args=[record.agreement_id]) + anchor


@login_required
@require_POST
def record_publish_view(request, kind, pk):
    """A coordinator shares an internal record of their party with the other parties."""
    if kind not in PUBLISHABLE:
        raise NotFound(_("No such record."))
    record = PUBLISHABLE[kind](request.user, pk, write=True)
    require_coordinator(request.user)
    back = _record_url(kind, record)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    try:
        record_publish(
            actor=request.user, record=record, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError:
        messages.error(
            request,
            _("The record was changed by someone else meanwhile; review it and publish again."),
        )
    else:
        messages.success(request, _("Published: the other parties to the agreement now see it."))
    return redirect(back)
