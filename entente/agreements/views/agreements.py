"""Pages that keep an agreement on the web: the agreement itself, its lifecycle events,
clauses, cooperation areas and signatories.

The same services as the API's, through the same doors: each page loads its record or
agreement with `write=True` where the service will want a writer, so a reader is told
403 before filling in a form, and an outsider 404. The services decide the rest; their
refusals go next to the field they name, a stale version shows the shared conflict box.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.translator import NotRegistered, translator

from entente.accounts.models import Party
from entente.agreements.forms import (
    AgreementEventForm,
    AgreementForm,
    AreaForm,
    ClauseForm,
    SignatoryForm,
)
from entente.agreements.selectors import (
    get_agreement_event_for_user,
    get_agreement_for_user,
    get_area_for_user,
    get_clause_for_user,
    get_signatory_for_user,
    require_party_to,
)
from entente.agreements.services import agreements as agreements_services
from entente.core.access import require_coordinator, require_owner_writer
from entente.core.enums import Language
from entente.core.errors import ConflictError
from entente.core.pages import conflict_rows, done, rebound, saved, signed_in


def _parties(agreement):
    # Parties are public records; these are the ones of this agreement.
    return Party.objects.filter(agreement_roles__agreement=agreement).order_by("code")


def _language(request) -> str:
    return request.LANGUAGE_CODE if request.LANGUAGE_CODE in Language.values else Language.EN


def _at(agreement, anchor: str = "") -> str:
    url = agreement.get_absolute_url()
    return f"{url}#{anchor}" if anchor else url


def _conflict(record, changed: dict) -> list[dict[str, str]]:
    """What someone else changed; the untranslated columns only mirror one language,
    the per-language ones say it."""
    try:
        mirrored = set(translator.get_options_for_model(type(record)).all_fields)
    except NotRegistered:
        mirrored = set()
    return conflict_rows(record, {k: v for k, v in changed.items() if k not in mirrored})


# Fieldsets of each form: (legend, field names); names a form lacks are left out.
AGREEMENT_FIELDSETS = [
    (gettext_lazy("What"), "instrument_type reference_language"),
    (gettext_lazy("Title"), "title_en title_fr title_nl title_ar"),
    (gettext_lazy("Summary"), "summary_en summary_fr summary_nl summary_ar"),
    (gettext_lazy("Parties"), "parties"),
    (gettext_lazy("Dates"), "place signed_on in_force_on expires_on"),
    (gettext_lazy("Duration"), "duration_months renewal notice_period_days is_binding"),
    (gettext_lazy("Request deadlines"), "urgent_response_hours normal_response_days"),
    (gettext_lazy("Sources"), "source_references"),
    (gettext_lazy("Handling"), "scope marking"),
]
EVENT_FIELDSETS = [
    (gettext_lazy("What and when"), "kind date date_precision certainty party"),
    (gettext_lazy("Source"), "source note"),
    (gettext_lazy("Handling"), "scope marking"),
]
CLAUSE_FIELDSETS = [
    (gettext_lazy("Article"), "number reference_language"),
    (gettext_lazy("Heading"), "heading_en heading_fr heading_nl heading_ar"),
    (gettext_lazy("Text"), "text_en text_fr text_nl text_ar"),
    (gettext_lazy("Handling"), "scope marking"),
]
AREA_FIELDSETS = [
    (gettext_lazy("Area"), "code reference_language"),
    (gettext_lazy("Name"), "name_en name_fr name_nl name_ar"),
]
SIGNATORY_FIELDSETS = [(gettext_lazy("Signatory"), "party name function")]


def _render(request, form, fieldsets, *, heading, agreement=None, record=None, **context):
    groups = []
    for legend, names in fieldsets:
        present = [name for name in names.split() if name in form.fields]
        if present:
            groups.append((legend, " ".join(present)))
    status = context.pop("status", 400 if form.is_bound and form.errors else 200)
    context |= {
        "form": form,
        "fieldsets": groups,
        "heading": heading,
        "agreement": agreement,
        "record": record,
        "cancel": _at(agreement, context.pop("anchor", "")) if agreement else None,
    }
    return render(request, "agreements/agreement_part_form.html", context, status=status)


def _edit(form, record, update, reload, form_kwargs: dict):
    """Save an edit form through `update(changes, version)`: (the record saved, or None
    with the form to show again and, when someone else was first, the conflict rows of
    the record as `reload()` reads it now through its door)."""

    def save():
        changes = form.changes(record)
        if not changes:
            return record
        return update(changes, form.cleaned_data.get("version"))

    try:
        return saved(form, save), form, None
    except ConflictError as error:
        current = reload()
        again = rebound(form, error.current_version, editing=True, **form_kwargs)
        return None, again, _conflict(current, error.changed)


# --- the agreement --------------------------------------------------------------------


@signed_in("GET", "POST")
def agreement_create(request):
    membership = require_coordinator(request.user)
    form = AgreementForm(
        request.POST or None,
        parties=Party.objects.order_by("code"),
        initial={"reference_language": _language(request), "parties": [membership.party_id]},
    )
    if request.method == "POST":
        agreement = saved(
            form,
            lambda: agreements_services.agreement_create(
                actor=request.user,
                title=form.texts("title"),
                parties=form.cleaned_data["parties"],
                scope=form.cleaned_data["scope"],
                marking=form.cleaned_data["marking"],
                **form.values(),
                **{f"summary_{code}": text for code, text in form.texts("summary").items()},
            ),
        )
        if agreement is not None:
            return done(request, _("The agreement is recorded."), agreement.get_absolute_url())
    return _render(request, form, AGREEMENT_FIELDSETS, heading=_("Record an agreement"))


@signed_in("GET", "POST")
def agreement_edit(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = AgreementForm(request.POST or None, editing=True)
    conflict = None
    if request.method == "POST":
        updated, form, conflict = _edit(
            form,
            agreement,
            lambda changes, version: agreements_services.agreement_update(
                actor=request.user, agreement=agreement, expected_version=version, **changes
            ),
            lambda: get_agreement_for_user(request.user, pk),
            {},
        )
        if updated is not None:
            return done(request, _("The agreement is saved."), updated.get_absolute_url())
    else:
        form.initial = form.initial_for(agreement)
    return _render(
        request,
        form,
        AGREEMENT_FIELDSETS,
        heading=_("Edit the agreement"),
        agreement=agreement,
        record=agreement,
        conflict=conflict,
        **({"status": 409} if conflict is not None else {}),
    )


# --- lifecycle events -----------------------------------------------------------------


@signed_in("GET", "POST")
def event_create(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    require_party_to(request.user, agreement)
    form = AgreementEventForm(request.POST or None, parties=_parties(agreement))
    if request.method == "POST":
        event = saved(
            form,
            lambda: agreements_services.agreement_event_record(
                actor=request.user,
                agreement=agreement,
                scope=form.cleaned_data["scope"],
                marking=form.cleaned_data["marking"],
                **form.values(),
            ),
        )
        if event is not None:
            return done(request, _("The event is recorded."), _at(agreement, "timeline"))
    return _render(
        request,
        form,
        EVENT_FIELDSETS,
        heading=_("Record a lifecycle event"),
        agreement=agreement,
        anchor="timeline",
    )


@signed_in("GET", "POST")
def event_edit(request, pk):
    event = get_agreement_event_for_user(request.user, pk, write=True)
    agreement = event.agreement
    choices = {"parties": _parties(agreement)}
    form = AgreementEventForm(request.POST or None, editing=True, **choices)
    conflict = None
    if request.method == "POST":
        updated, form, conflict = _edit(
            form,
            event,
            lambda changes, version: agreements_services.agreement_event_update(
                actor=request.user, event=event, expected_version=version, **changes
            ),
            lambda: get_agreement_event_for_user(request.user, pk),
            choices,
        )
        if updated is not None:
            return done(request, _("The event is saved."), _at(agreement, "timeline"))
    else:
        form.initial = form.initial_for(event)
    return _render(
        request,
        form,
        EVENT_FIELDSETS,
        heading=_("Edit the lifecycle event"),
        agreement=agreement,
        record=event,
        anchor="timeline",
        conflict=conflict,
        **({"status": 409} if conflict is not None else {}),
    )


# --- clauses --------------------------------------------------------------------------


@signed_in("GET", "POST")
def clause_create(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = ClauseForm(request.POST or None, initial={"reference_language": _language(request)})
    if request.method == "POST":
        clause = saved(
            form,
            lambda: agreements_services.clause_create(
                actor=request.user,
                agreement=agreement,
                number=form.cleaned_data["number"],
                reference_language=form.cleaned_data["reference_language"],
                heading=form.texts("heading"),
                text=form.texts("text"),
                scope=form.cleaned_data["scope"],
                marking=form.cleaned_data["marking"],
            ),
        )
        if clause is not None:
            return done(request, _("The clause is recorded."), clause.get_absolute_url())
    return _render(
        request, form, CLAUSE_FIELDSETS, heading=_("Add a clause"), agreement=agreement,
        anchor="clauses",
    )  # fmt: skip


@signed_in("GET", "POST")
def clause_edit(request, pk):
    clause = get_clause_for_user(request.user, pk, write=True)
    require_owner_writer(request.user, clause, coordinator=True)
    form = ClauseForm(request.POST or None, editing=True)
    conflict = None
    if request.method == "POST":
        updated, form, conflict = _edit(
            form,
            clause,
            lambda changes, version: agreements_services.clause_update(
                actor=request.user, clause=clause, expected_version=version, **changes
            ),
            lambda: get_clause_for_user(request.user, pk),
            {},
        )
        if updated is not None:
            return done(request, _("The clause is saved."), updated.get_absolute_url())
    else:
        form.initial = form.initial_for(clause)
    return _render(
        request,
        form,
        CLAUSE_FIELDSETS,
        heading=_("Edit the clause"),
        agreement=clause.agreement,
        record=clause,
        anchor="clauses",
        conflict=conflict,
        **({"status": 409} if conflict is not None else {}),
    )


# --- cooperation areas ----------------------------------------------------------------


@signed_in("GET", "POST")
def area_create(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = AreaForm(request.POST or None, initial={"reference_language": _language(request)})
    if request.method == "POST":
        area = saved(
            form,
            lambda: agreements_services.area_create(
                actor=request.user,
                agreement=agreement,
                code=form.cleaned_data["code"],
                name=form.texts("name"),
                reference_language=form.cleaned_data["reference_language"],
            ),
        )
        if area is not None:
            return done(request, _("The cooperation area is recorded."), _at(agreement, "areas"))
    return _render(
        request, form, AREA_FIELDSETS, heading=_("Add a cooperation area"), agreement=agreement,
        anchor="areas",
    )  # fmt: skip


@signed_in("GET", "POST")
def area_edit(request, pk):
    area = get_area_for_user(request.user, pk, write=True)
    form = AreaForm(request.POST or None, editing=True)
    if request.method == "POST":
        updated, form, _conflict_rows = _edit(
            form,
            area,
            lambda changes, _version: agreements_services.area_update(
                actor=request.user, area=area, **changes
            ),
            lambda: get_area_for_user(request.user, pk),
            {},
        )
        if updated is not None:
            return done(request, _("The cooperation area is saved."), _at(area.agreement, "areas"))
    else:
        form.initial = form.initial_for(area)
    return _render(
        request,
        form,
        AREA_FIELDSETS,
        heading=_("Edit the cooperation area"),
        agreement=area.agreement,
        anchor="areas",
    )


# --- signatories ----------------------------------------------------------------------


@signed_in("GET", "POST")
def signatory_add(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    form = SignatoryForm(request.POST or None, parties=_parties(agreement))
    if request.method == "POST":
        signatory = saved(
            form,
            lambda: agreements_services.signatory_add(
                actor=request.user, agreement=agreement, **form.cleaned_data
            ),
        )
        if signatory is not None:
            return done(request, _("The signatory is recorded."), _at(agreement, "parties"))
    return _render(
        request, form, SIGNATORY_FIELDSETS, heading=_("Add a signatory"), agreement=agreement,
        anchor="parties",
    )  # fmt: skip


@signed_in("GET", "POST")
def signatory_edit(request, pk):
    signatory = get_signatory_for_user(request.user, pk, write=True)
    agreement = signatory.agreement
    initial = {"party": signatory.party, "name": signatory.name, "function": signatory.function}
    form = SignatoryForm(request.POST or None, parties=_parties(agreement), initial=initial)
    if request.method == "POST":
        updated = saved(
            form,
            lambda: agreements_services.signatory_update(
                actor=request.user,
                signatory=signatory,
                **{k: v for k, v in form.cleaned_data.items() if v != initial[k]},
            ),
        )
        if updated is not None:
            return done(request, _("The signatory is saved."), _at(agreement, "parties"))
    return _render(
        request,
        form,
        SIGNATORY_FIELDSETS,
        heading=_("Edit the signatory"),
        agreement=agreement,
        anchor="parties",
        removable=signatory,
    )


@signed_in("POST")
def signatory_remove(request, pk):
    signatory = get_signatory_for_user(request.user, pk, write=True)
    agreement = signatory.agreement
    agreements_services.signatory_remove(actor=request.user, signatory=signatory)
    messages.success(request, _("The signatory is removed."))
    return HttpResponseRedirect(_at(agreement, "parties"))
