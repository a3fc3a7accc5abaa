"""Pages for training activities: list, detail, create, edit and the workflow forms.

Records come from the selectors (404 when not visible, 403 when not writable) and every
change goes through entente.training.services (or attachment_add for files).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.agreements.selectors import (
    agreement_visible_to,
    attachment_visible_to,
    get_agreement_for_user,
    get_attachment_for_user,
    require_party_to,
)
from entente.agreements.services import attachment_add
from entente.audit.services import changes_since
from entente.core.access import can_write, membership_of, require_writer
from entente.core.errors import ConflictError, ValidationError
from entente.training import services
from entente.training.enums import TRAINING_TRANSITIONS, TrainingStatus
from entente.training.filters import TrainingFilter
from entente.training.forms import (
    AttachmentForm,
    EvaluationForm,
    ParticipationForm,
    TrainingCreateForm,
    TrainingEditForm,
    TrainingStatusForm,
)
from entente.training.models import TrainingActivity
from entente.training.selectors import get_training_for_user, training_visible_to

PAGE_SIZE = 25

# ?sort= value -> ordering; anything else falls back to the default.
SORTS = {
    "starts_on": ("starts_on", "pk"),
    "-starts_on": ("-starts_on", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "status": ("status", "starts_on", "pk"),
    "-status": ("-status", "starts_on", "pk"),
    "host": ("host_party__code", "starts_on", "pk"),
    "-host": ("-host_party__code", "starts_on", "pk"),
}
DEFAULT_SORT = "-starts_on"


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal next to the fields it names; the rest above the form."""
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def describe_changes(record, changed: dict) -> list[dict]:
    """[{"field": label, "value": current value}] for a ConflictError's `changed`."""
    by_attname = {f.attname: f for f in type(record)._meta.concrete_fields}
    rows = []
    for attname in changed:
        field = by_attname.get(attname)
        if field is None:
            continue
        if field.choices:
            value = getattr(record, f"get_{field.name}_display")()
        else:
            value = getattr(record, field.name)
        rows.append({"field": field.verbose_name, "value": "" if value is None else value})
    return rows


# --- list -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def training_list(request):
    filterset = TrainingFilter(
        request.GET or None, queryset=training_visible_to(request.user), request=request
    )
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else DEFAULT_SORT
    trainings = filterset.qs.order_by(*SORTS[sort])
    page = Paginator(trainings, PAGE_SIZE).get_page(request.GET.get("page"))
    membership = membership_of(request.user)
    creatable = []
    if membership is not None and membership.can_write:
        creatable = agreement_visible_to(request.user).filter(
            agreement_parties__party_id=membership.party_id
        )
    context = {
        "filter": filterset,
        "page": page,
        "sort": sort,
        "creatable": creatable,
        "filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
        "filtered_beyond_search": any(
            v for k, v in request.GET.items() if k not in ("sort", "page", "q")
        ),
    }
    return render(request, "training/training_list.html", context)


# --- detail and its forms ---------------------------------------------------------------


def _detail(request, training: TrainingActivity, *, status: int = 200, **forms):
    writable = can_write(request.user, training)
    if writable:
        forms.setdefault("status_form", TrainingStatusForm(training=training))
        forms.setdefault("participation_form", ParticipationForm(training=training))
        forms.setdefault(
            "evaluation_form",
            EvaluationForm(
                initial={"evaluation": training.evaluation, "version": training.version}
            ),
        )
    membership = membership_of(request.user)
    if membership is not None and membership.can_write:
        forms.setdefault("attachment_form", AttachmentForm())
    attachments = attachment_visible_to(request.user).filter(
        target_type=ContentType.objects.get_for_model(TrainingActivity), target_id=training.pk
    )
    context = {
        "training": training,
        "record": training,
        "can_write": writable,
        "transitions": bool(TRAINING_TRANSITIONS.get(training.status)),
        "can_evaluate": training.status == TrainingStatus.HELD,
        "participations": training.participations.select_related("party").order_by("party__code"),
        "attachments": attachments.select_related("uploaded_by"),
        **forms,
    }
    return render(request, "training/training_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def training_detail(request, pk):
    return _detail(request, get_training_for_user(request.user, pk))


def _require_version(training: TrainingActivity, version: int) -> None:
    """A form made stale by someone else's change is a conflict, whatever else it says.

    The services check the workflow before the version, so without this a stale form
    would be refused as an impossible move instead of showing what changed."""
    if version != training.version:
        raise ConflictError(
            expected_version=version,
            current_version=training.version,
            changed=changes_since(training, version),
        )


def _conflict_message(request, training, exc: ConflictError) -> list[dict]:
    current = get_training_for_user(request.user, training.pk)
    messages.error(
        request,
        _("Someone else changed this training while you were editing it; nothing was saved."),
    )
    return describe_changes(current, exc.changed)


@login_required
@require_POST
def training_status(request, pk):
    training = get_training_for_user(request.user, pk, write=True)
    form = TrainingStatusForm(request.POST, training=training)
    if form.is_valid():
        try:
            _require_version(training, form.cleaned_data["version"])
            services.training_change_status(
                actor=request.user,
                training=training,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            changes = _conflict_message(request, training, exc)
            current = get_training_for_user(request.user, pk)
            return _detail(request, current, status=409, conflict=changes)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("training:training-detail", pk=pk)
    return _detail(request, training, status=400, status_form=form)


@login_required
@require_POST
def training_participation(request, pk):
    training = get_training_for_user(request.user, pk, write=True)
    form = ParticipationForm(request.POST, training=training)
    if form.is_valid():
        try:
            services.participation_set(actor=request.user, training=training, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The participants were recorded."))
            return redirect("training:training-detail", pk=pk)
    return _detail(request, training, status=400, participation_form=form)


@login_required
@require_POST
def training_evaluation(request, pk):
    training = get_training_for_user(request.user, pk, write=True)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            _require_version(training, form.cleaned_data["version"])
            services.training_record_evaluation(
                actor=request.user,
                training=training,
                evaluation=form.cleaned_data["evaluation"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            changes = _conflict_message(request, training, exc)
            current = get_training_for_user(request.user, pk)
            # Keep the user's text; saving it again is a choice made after seeing the change.
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = EvaluationForm(data)
            return _detail(request, current, status=409, conflict=changes, evaluation_form=form)
        else:
            messages.success(request, _("The evaluation was saved."))
            return redirect("training:training-detail", pk=pk)
    return _detail(request, training, status=400, evaluation_form=form)


@login_required
@require_POST
def training_attachment_add(request, pk):
    training = get_training_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment_add(actor=request.user, target=training, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The file was attached."))
            return redirect("training:training-detail", pk=pk)
    return _detail(request, training, status=400, attachment_form=form)


@login_required
@require_http_methods(["GET", "HEAD"])
def training_attachment_download(request, pk, attachment_pk):
    training = get_training_for_user(request.user, pk)
    attachment = get_attachment_for_user(request.user, attachment_pk)
    is_on_training = (
        attachment.target_type.model_class() is TrainingActivity
        and attachment.target_id == training.pk
    )
    if not is_on_training:
        raise Http404(_("No such record."))
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


# --- create and edit ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def training_create(request, agreement_pk):
    agreement = get_agreement_for_user(request.user, agreement_pk)
    require_writer(request.user)
    require_party_to(request.user, agreement)
    form = TrainingCreateForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(
                actor=request.user, agreement=agreement, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The training was created."))
            return redirect("training:training-detail", pk=training.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "training/training_form.html",
        {"form": form, "agreement": agreement, "creating": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def training_edit(request, pk):
    training = get_training_for_user(request.user, pk, write=True)
    agreement = training.agreement
    if request.method != "POST":
        form = TrainingEditForm(initial=TrainingEditForm.initial_for(training), agreement=agreement)
        return render(
            request,
            "training/training_form.html",
            {"form": form, "agreement": agreement, "training": training},
        )
    form = TrainingEditForm(request.POST, agreement=agreement)
    conflict = None
    if form.is_valid():
        try:
            services.training_update(
                actor=request.user,
                training=training,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            conflict = _conflict_message(request, training, exc)
            # The user's text stays in the form; saving again is a deliberate choice
            # made after seeing what changed, so it carries the current version.
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form = TrainingEditForm(data, agreement=agreement)
            form.is_valid()
        else:
            messages.success(request, _("The training was saved."))
            return redirect("training:training-detail", pk=pk)
    return render(
        request,
        "training/training_form.html",
        {"form": form, "agreement": agreement, "training": training, "conflict": conflict},
        status=409 if conflict is not None else 400,
    )
