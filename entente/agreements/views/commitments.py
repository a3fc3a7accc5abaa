"""Pages of commitments: the commitment list with its bulk status change, and each
commitment's page with its forms. Files on them are entente.attachments' to upload and
serve.

Records come only through the selectors (`*_visible_to`, `get_*_for_user`) and change
only through the services; a service's ValidationError is shown next to its field.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.accounts.models import Party, Unit
from entente.accounts.selectors import contact_visible_to
from entente.agreements.enums import COMMITMENT_WORKFLOW, CommitmentStatus, ReportStatus
from entente.agreements.filters import commitment_filter
from entente.agreements.forms import (
    LANGUAGES,
    BulkStatusForm,
    CommitmentCreateForm,
    CommitmentEditForm,
    CommitmentStatusForm,
    ProgressReportForm,
    PublishForm,
    ReportAnswerForm,
)
from entente.agreements.selectors import (
    area_visible_to,
    can_report,
    clause_visible_to,
    clauses_after_change,
    commitment_links,
    commitment_visible_to,
    get_agreement_for_user,
    get_commitment_for_user,
    get_progress_report_for_user,
    reports_of,
    require_commitment_owner,
    require_party_to,
    require_responsible_writer,
)
from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_update,
)
from entente.agreements.services.reports import (
    progress_report_accept,
    progress_report_answer,
    progress_report_submit,
)
from entente.audit.services import write_transaction
from entente.core.access import (
    can_write,
    membership_of,
    require_writer,
)
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.core.models import Handling
from entente.core.pages import (
    apply_errors,
    conflict_rows,
    done,
    first_error,
    rebound,
    safe_next,
    saved,
    signed_in,
)
from entente.core.pagination import page_of

# --- commitment list and bulk status change ---------------------------------------------


@signed_in("GET")
def commitment_list(request):
    user = request.user
    filterset = commitment_filter(request.GET, request)
    page = page_of(request, filterset.qs)
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


@signed_in("POST")
def commitment_bulk_status(request):
    """Change the status of every selected commitment, or of none of them."""
    require_writer(request.user)
    back = safe_next(request, reverse("agreements:commitment-list"))
    form = BulkStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(back)
    try:
        versions = form.versions(request.POST)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(back)
    visible = commitment_visible_to(request.user).filter(public_id__in=versions)
    found = {str(c.public_id): c for c in visible}
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


@signed_in("GET")
def commitment_detail(request, pk):
    return _render_commitment(request, get_commitment_for_user(request.user, pk))


def _render_commitment(request, commitment, *, status=200, **overrides):
    """The commitment's page; `overrides` put a form sent with its errors in place of
    the empty one (a report, an answer to report `answered`)."""
    user = request.user
    membership = membership_of(user)
    writable = can_write(user, commitment)
    choices = COMMITMENT_WORKFLOW.choices_from(commitment.status)
    status_form = None
    if writable:
        status_form = CommitmentStatusForm(initial={"version": commitment.version})
        status_form.fields["status"].choices = [("", _("Keep the status")), *choices]
    reports = list(reports_of(user, commitment))
    answered = overrides.pop("answered", None)
    for report in reports:
        if writable and report.status == ReportStatus.SUBMITTED:
            report.answer_form = (
                overrides.pop("answer_form")
                if answered == report.pk
                else ReportAnswerForm(
                    initial={"version": report.version}, auto_id=f"report-{report.public_id}-%s"
                )
            )
    report_form = None
    if can_report(user, commitment):
        report_form = overrides.pop("report_form", None) or ProgressReportForm(
            initial={"scope": commitment.scope, "progress": commitment.progress},
            statuses=choices,
            auto_id="report-%s",
        )
    contact = None
    if commitment.responsible_contact_id:
        contact = contact_visible_to(user).filter(pk=commitment.responsible_contact_id).first()
    context = {
        "commitment": commitment,
        "record": commitment,
        "clauses": clause_visible_to(user).filter(commitments=commitment),
        "links": commitment_links(user, commitment),
        "contact": contact,
        "indicator_values": commitment.indicator_values.all(),
        "can_write": writable,
        "status_form": status_form,
        "can_publish": writable and membership.is_coordinator and commitment.scope == "internal",
        "publish_form": PublishForm(initial={"version": commitment.version}),
        "reports": reports,
        "report_form": report_form,
        **overrides,
    }
    return render(request, "agreements/commitment_detail.html", context, status=status)


def _reports_url(commitment, anchor: str = "reports") -> str:
    return reverse("agreements:commitment-detail", args=[commitment.public_id]) + f"#{anchor}"


@signed_in("POST")
def progress_report_create(request, pk):
    """The responsible party reports on the commitment, with its evidence files."""
    commitment = get_commitment_for_user(request.user, pk)
    require_responsible_writer(request.user, commitment)
    form = ProgressReportForm(
        request.POST,
        request.FILES,
        statuses=COMMITMENT_WORKFLOW.choices_from(commitment.status),
        auto_id="report-%s",
    )
    report = saved(
        form,
        lambda: progress_report_submit(
            actor=request.user, commitment=commitment, **form.cleaned_data
        ),
    )
    if report is None:
        return _render_commitment(request, commitment, status=400, report_form=form)
    return done(
        request, _("Your report is sent."), _reports_url(commitment, f"report-{report.public_id}")
    )


def _answer_report(request, pk, service, message: str):
    """Accept or answer a report: `service` with the form's answer and version; the
    commitment's page again with the refusal (400) or what changed meanwhile (409)."""
    report = get_progress_report_for_user(request.user, pk)
    commitment = report.commitment
    require_commitment_owner(request.user, commitment)
    form = ReportAnswerForm(request.POST, auto_id=f"report-{report.public_id}-%s")
    try:
        answered = saved(
            form,
            lambda: service(
                actor=request.user,
                report=report,
                answer=form.cleaned_data["answer"],
                expected_version=form.cleaned_data["version"],
            ),
        )
    except ConflictError as exc:
        current = get_progress_report_for_user(request.user, pk)
        return _render_commitment(
            request,
            commitment,
            status=409,
            conflict=conflict_rows(current, exc.changed),
        )
    if answered is None:
        return _render_commitment(
            request, commitment, status=400, answered=report.pk, answer_form=form
        )
    return done(request, message, _reports_url(commitment, f"report-{report.public_id}"))


@signed_in("POST")
def progress_report_accept_view(request, pk):
    return _answer_report(
        request,
        pk,
        progress_report_accept,
        _("The report is accepted and applied to the commitment."),
    )


@signed_in("POST")
def progress_report_answer_view(request, pk):
    return _answer_report(request, pk, progress_report_answer, _("Your answer is sent."))


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


@signed_in("GET", "POST")
def commitment_create_view(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
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
                    handling=Handling(scope=data["scope"], marking=data["marking"]),
                    **{name: data[name] for name in COMMITMENT_FIELDS},
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Commitment recorded."))
                return redirect("agreements:commitment-detail", pk=commitment.public_id)
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
    initial["clauses"] = list(commitment.clauses.all())
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


@signed_in("GET", "POST")
def commitment_edit(request, pk):
    commitment = get_commitment_for_user(request.user, pk, write=True)
    choices = _form_choices(request.user, commitment.agreement)
    conflict, status = None, 200
    if request.method == "POST":
        form = CommitmentEditForm(request.POST, **choices)
        if form.is_valid():
            changes = _changes(commitment, form.cleaned_data)
            clauses = clauses_after_change(request.user, commitment, form.cleaned_data["clauses"])
            if not changes and clauses is None:
                messages.info(request, _("Nothing was changed."))
                return redirect("agreements:commitment-detail", pk=commitment.public_id)
            try:
                commitment_update(
                    actor=request.user,
                    commitment=commitment,
                    expected_version=form.cleaned_data["version"],
                    clauses=clauses,
                    **changes,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except ConflictError as exc:
                current = get_commitment_for_user(request.user, pk)
                conflict, status = conflict_rows(current, exc.changed), 409
                form = rebound(form, current.version, **choices)
            else:
                messages.success(request, _("Commitment saved."))
                return redirect("agreements:commitment-detail", pk=commitment.public_id)
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


@signed_in("GET", "POST")
def commitment_status(request, pk):
    commitment = get_commitment_for_user(request.user, pk, write=True)
    conflict, status = None, 200
    if request.method == "POST":
        form = CommitmentStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["status"]:
                    commitment_change_status(
                        actor=request.user,
                        commitment=commitment,
                        status=data["status"],
                        progress=data["progress"],
                        expected_version=data["version"],
                    )
                else:  # the progress alone, the status kept
                    commitment_update(
                        actor=request.user,
                        commitment=commitment,
                        progress=data["progress"],
                        expected_version=data["version"],
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            except ConflictError as exc:
                current = get_commitment_for_user(request.user, pk)
                conflict, status = conflict_rows(current, exc.changed), 409
                form = rebound(form, current.version)
            else:
                messages.success(
                    request, _("Status changed.") if data["status"] else _("Progress saved.")
                )
                return redirect("agreements:commitment-detail", pk=commitment.public_id)
    else:
        form = CommitmentStatusForm(initial={"version": commitment.version})
        choices = COMMITMENT_WORKFLOW.choices_from(commitment.status)
        form.fields["status"].choices = [("", _("Keep the status")), *choices]
    return render(
        request,
        "agreements/commitment_status.html",
        {"form": form, "commitment": commitment, "record": commitment, "conflict": conflict},
        status=status,
    )
