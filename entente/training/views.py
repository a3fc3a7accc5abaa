"""Pages for training activities: list, detail, create, edit and the workflow forms.

Records come from the selectors (404 when not visible, 403 when not writable) and every
change goes through entente.training.services.
"""

from collections.abc import Callable

from django.contrib import messages
from django.forms import BaseForm
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.agreements.selectors import (
    agreement_visible_to,
    get_agreement_for_user,
    require_party_to,
)
from entente.core.access import can_write, membership_of
from entente.core.errors import ConflictError, ValidationError
from entente.core.filters import menu_of
from entente.core.pages import apply_errors, conflict_rows, rebound, signed_in
from entente.core.pagination import page_of
from entente.training import services
from entente.training.enums import TRAINING_WORKFLOW, TrainingStatus
from entente.training.filters import training_filter, training_sort
from entente.training.forms import (
    EvaluationForm,
    ParticipationForm,
    TrainingCreateForm,
    TrainingEditForm,
    TrainingStatusForm,
)
from entente.training.models import TrainingActivity
from entente.training.selectors import get_training_for_user

# --- list -----------------------------------------------------------------------------


@signed_in("GET", "HEAD")
def training_list(request):
    filterset = training_filter(request.GET, request)
    sort = training_sort(request.GET)
    trainings = filterset.qs
    page = page_of(request, trainings)
    membership = membership_of(request.user)
    creatable = menu_of([])
    if membership is not None and membership.can_write:
        creatable = menu_of(
            agreement_visible_to(request.user).filter(
                agreement_parties__party_id=membership.party_id
            )
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
            EvaluationForm(training=training),
        )
    context = {
        "training": training,
        "record": training,
        "can_write": writable,
        "transitions": bool(TRAINING_WORKFLOW.allowed_from(training.status)),
        "can_evaluate": training.status == TrainingStatus.HELD,
        "participations": training.participations.select_related("party").order_by("party__code"),
        **forms,
    }
    return render(request, "training/training_detail.html", context, status=status)


@signed_in("GET", "HEAD")
def training_detail(request, pk):
    return _detail(request, get_training_for_user(request.user, pk))


def _conflict(request, pk, exc: ConflictError) -> tuple[TrainingActivity, list[dict]]:
    """The training as it is now, and what someone else changed since the form was loaded."""
    current = get_training_for_user(request.user, pk)
    return current, conflict_rows(current, exc.changed)


# The forms on an activity's page, each posted to trainings/<pk>/<name>/ (URL name
# "training-<name>"): the form, the service it calls, and what is said when it is done.
DETAIL_FORMS: dict[str, tuple[Callable[..., BaseForm], Callable[..., object], Promise]] = {
    "status": (
        TrainingStatusForm,
        services.training_change_status,
        gettext_lazy("The status was changed."),
    ),
    "participation": (
        ParticipationForm,
        services.participation_set,
        gettext_lazy("The participants were recorded."),
    ),
    "evaluation": (
        EvaluationForm,
        services.training_record_evaluation,
        gettext_lazy("The evaluation was saved."),
    ),
}


@signed_in("POST")
def training_form(request, pk, which: str):
    """One of the detail page's forms posted: its service called with its fields (the
    version as `expected_version`) and back to the page, or the page again with the
    form's errors (400) or with what someone else changed meanwhile (409)."""
    form_class, service, done = DETAIL_FORMS[which]
    training = get_training_for_user(request.user, pk, write=True)
    form = form_class(request.POST, training=training)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        if "version" in fields:
            fields["expected_version"] = fields.pop("version")
        try:
            service(actor=request.user, training=training, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            current, changes = _conflict(request, pk, exc)
            # The input is kept; saving it again is a choice made after seeing the change.
            form = rebound(form, current.version, training=current)
            return _detail(
                request, current, status=409, conflict=changes, **{f"{which}_form": form}
            )
        else:
            messages.success(request, str(done))
            return redirect("training:training-detail", pk=pk)
    return _detail(request, training, status=400, **{f"{which}_form": form})


# --- create and edit ------------------------------------------------------------------


def _form_page(request, form, agreement, *, training=None, conflict=None, status=200):
    context = {
        "form": form,
        "agreement": agreement,
        "training": training,
        "creating": training is None,
        "conflict": conflict,
    }
    return render(request, "training/training_form.html", context, status=status)


@signed_in("GET", "HEAD", "POST")
def training_create(request, agreement_pk):
    agreement = get_agreement_for_user(request.user, agreement_pk)
    require_party_to(request.user, agreement)
    form = TrainingCreateForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(
                actor=request.user, agreement=agreement, **form.service_fields()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The training was created."))
            return redirect("training:training-detail", pk=training.public_id)
    return _form_page(request, form, agreement, status=400 if form.is_bound else 200)


@signed_in("GET", "HEAD", "POST")
def training_edit(request, pk):
    training = get_training_for_user(request.user, pk, write=True)
    agreement = training.agreement
    if request.method != "POST":
        form = TrainingEditForm(initial=TrainingEditForm.initial_for(training), agreement=agreement)
        return _form_page(request, form, agreement, training=training)
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
            apply_errors(form, exc)
        except ConflictError as exc:
            current, conflict = _conflict(request, pk, exc)
            # The user's text stays in the form; saving again is a deliberate choice
            # made after seeing what changed, so it carries the current version.
            form = rebound(form, current.version, agreement=agreement)
        else:
            messages.success(request, _("The training was saved."))
            return redirect("training:training-detail", pk=pk)
    status = 409 if conflict is not None else 400
    return _form_page(request, form, agreement, training=training, conflict=conflict, status=status)
