"""Pages that keep an agreement on the web: the agreement itself, its lifecycle events,
clauses, cooperation areas and signatories.

The same services as the API's, through the same doors: each page loads its record or
agreement with `write=True` where the service will want a writer, so a reader is told
403 before filling in a form, and an outsider 404. The services decide the rest; their
refusals go next to the field they name, a stale version shows the shared conflict box.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from entente.accounts.models import Party
from entente.agreements.forms import (
    AgreementEventForm,
    AgreementForm,
    AreaForm,
    ClauseForm,
    SignatoryForm,
)
from entente.agreements.models import Agreement, Clause
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
from entente.core.models import Handling, PartyOwned
from entente.core.pages import conflict_rows, form_page, form_shown, signed_in

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


@dataclass(frozen=True)
class _Part:
    """The form pages of the agreement, or of one kind of its parts: the fieldsets of
    its form [(legend, field names)] (its handling, where it has one, comes last:
    HANDLING), the anchor of the part on the agreement's page, the headings of its
    create and edit pages and what each says once saved; its form and the service that
    records one (`record`); for `_edit`, the door that reads one (`get_<part>_for_user`)
    and the service that changes it, given it as `noun`; and, when a saved one is shown
    on a page of its own rather than on the agreement's, that page (`url`)."""

    fieldsets: list
    anchor: str
    create: "StrOrPromise"
    edit: "StrOrPromise"
    created: "StrOrPromise"
    saved: "StrOrPromise"
    form: type
    record: Any = None  # None: the page calls its own service (agreement_create)
    door: Any = None  # None: the part has an edit page of its own (signatory_edit)
    update: Any = None
    noun: str = ""
    url: Any = None


def _in_languages(text: str) -> str:
    """The fields of a text in every language, in the order texts fall back on one
    another: "title_en title_fr title_nl title_ar"."""
    return " ".join(f"{text}_{code}" for code in settings.MODELTRANSLATION_FALLBACK_LANGUAGES)


# Scope and marking, on the forms that record a party-owned part.
HANDLING = (_("Handling"), "scope marking")

AGREEMENT = _Part(
    [
        (_("What"), "instrument_type reference_language"),
        (_("Title"), _in_languages("title")),
        (_("Summary"), _in_languages("summary")),
        (_("Parties"), "parties"),
        (_("Dates"), "place signed_on in_force_on expires_on"),
        (_("Duration"), "duration_months renewal notice_period_days is_binding"),
        (_("Request deadlines"), "urgent_response_hours normal_response_days"),
        (_("Sources"), "source_references"),
    ],
    "",
    _("Record an agreement"),
    _("Edit the agreement"),
    _("The agreement is recorded."),
    _("The agreement is saved."),
    form=AgreementForm,
    door=get_agreement_for_user,
    update=agreements_services.agreement_update,
    noun="agreement",
    url=Agreement.get_absolute_url,
)
EVENT = _Part(
    [
        (_("What and when"), "kind date date_precision certainty party"),
        (_("Source"), "source note"),
    ],
    "timeline",
    _("Record a lifecycle event"),
    _("Edit the lifecycle event"),
    _("The event is recorded."),
    _("The event is saved."),
    form=AgreementEventForm,
    door=get_agreement_event_for_user,
    record=agreements_services.agreement_event_record,
    update=agreements_services.agreement_event_update,
    noun="event",
)
CLAUSE = _Part(
    [
        (_("Article"), "number reference_language"),
        (_("Heading"), _in_languages("heading")),
        (_("Text"), _in_languages("text")),
    ],
    "clauses",
    _("Add a clause"),
    _("Edit the clause"),
    _("The clause is recorded."),
    _("The clause is saved."),
    form=ClauseForm,
    door=get_clause_for_user,
    record=agreements_services.clause_create,
    update=agreements_services.clause_update,
    noun="clause",
    url=Clause.get_absolute_url,
)
AREA = _Part(
    [(_("Area"), "code reference_language"), (_("Name"), _in_languages("name"))],
    "areas",
    _("Add a cooperation area"),
    _("Edit the cooperation area"),
    _("The cooperation area is recorded."),
    _("The cooperation area is saved."),
    form=AreaForm,
    door=get_area_for_user,
    record=agreements_services.area_create,
    update=agreements_services.area_update,
    noun="area",
)
SIGNATORY = _Part(
    [(_("Signatory"), "party name function")],
    "parties",
    _("Add a signatory"),
    _("Edit the signatory"),
    _("The signatory is recorded."),
    _("The signatory is saved."),
    form=SignatoryForm,
    record=agreements_services.signatory_add,
)


def _page(request, part: _Part, heading, *, agreement=None, record=None, **extra):
    """How the form of the agreement or of one of its parts is shown (`form_page`'s
    `show`): the fieldsets the form has, and a way back to the agreement."""

    def show(form, *, status=None, conflict=None, **_current):
        groups = []
        for legend, names in [*part.fieldsets, HANDLING]:
            present = [name for name in names.split() if name in form.fields]
            if present:
                groups.append((legend, " ".join(present)))
        context = extra | {
            "fieldsets": groups,
            "heading": heading,
            "agreement": agreement,
            # Only party-owned records carry a marking to show.
            "record": record if isinstance(record, PartyOwned) else None,
            "cancel": _at(agreement, part.anchor) if agreement else None,
            "conflict": conflict,
        }
        return form_shown(request, "agreements/agreement_part_form.html", form, status, **context)

    return show


def _url(part: _Part, agreement):
    """Where a saved part is shown: its own page, or its place on the agreement's."""
    return part.url or _at(agreement, part.anchor)


def _create(request, part: _Part, agreement, form, save):
    """The page that records a part of `agreement` (or, without one, an agreement)
    through the service call `save()`."""
    show = _page(request, part, part.create, agreement=agreement)
    return form_page(request, form, save, show, message=part.created, url=_url(part, agreement))


def _recorded(request, part: _Part, agreement, **choices):
    """The page that records a part of `agreement` through its service, given the form's
    arguments; a part with texts is offered in the reader's language first."""
    form = part.form(request.POST or None, **choices)
    if "reference_language" in form.fields:
        form.initial["reference_language"] = _language(request)

    def save():
        return part.record(actor=request.user, agreement=agreement, **form.arguments())

    return _create(request, part, agreement, form, save)


def _edit(request, part: _Part, record, **choices):
    """The edit page of `record` (the agreement or one of its parts): its service
    `update` is called only when something changed, with the version the form was
    loaded at where the part carries one (areas do not: the last save wins); after a
    conflict the record is read again through its door."""
    agreement = record if isinstance(record, Agreement) else record.agreement
    form = part.form(request.POST or None, editing=True, **choices)
    if request.method != "POST":
        form.initial = form.initial_for(record)

    def save():
        changes = form.changes(record)
        if not changes:
            return record
        if "version" in form.fields:
            changes["expected_version"] = form.cleaned_data["version"]
        return part.update(actor=request.user, **{part.noun: record}, **changes)

    show = _page(request, part, part.edit, agreement=agreement, record=record)
    return form_page(
        request,
        form,
        save,
        show,
        message=part.saved,
        url=_url(part, agreement),
        reload=lambda: part.door(request.user, record.public_id),
        conflict=_conflict,
        editing=True,
        **choices,
    )


# --- the agreement --------------------------------------------------------------------


@signed_in("GET", "POST")
def agreement_create(request):
    membership = require_coordinator(request.user)
    form = AgreementForm(
        request.POST or None,
        parties=Party.objects.order_by("code"),
        initial={"reference_language": _language(request), "parties": [membership.party_id]},
    )

    def save():
        return agreements_services.agreement_create(
            actor=request.user,
            title=form.texts("title"),
            parties=form.cleaned_data["parties"],
            handling=Handling.pop_from(dict(form.cleaned_data)),
            **form.values(),
            **{f"summary_{code}": text for code, text in form.texts("summary").items()},
        )

    return _create(request, AGREEMENT, None, form, save)


@signed_in("GET", "POST")
def agreement_edit(request, pk):
    return _edit(request, AGREEMENT, get_agreement_for_user(request.user, pk, write=True))


# --- lifecycle events -----------------------------------------------------------------


@signed_in("GET", "POST")
def event_create(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    require_party_to(request.user, agreement)
    return _recorded(request, EVENT, agreement, parties=_parties(agreement))


@signed_in("GET", "POST")
def event_edit(request, pk):
    event = get_agreement_event_for_user(request.user, pk, write=True)
    return _edit(request, EVENT, event, parties=_parties(event.agreement))


# --- clauses --------------------------------------------------------------------------


@signed_in("GET", "POST")
def clause_create(request, pk):
    return _recorded(request, CLAUSE, get_agreement_for_user(request.user, pk, write=True))


@signed_in("GET", "POST")
def clause_edit(request, pk):
    clause = get_clause_for_user(request.user, pk, write=True)
    require_owner_writer(request.user, clause, coordinator=True)
    return _edit(request, CLAUSE, clause)


# --- cooperation areas ----------------------------------------------------------------


@signed_in("GET", "POST")
def area_create(request, pk):
    return _recorded(request, AREA, get_agreement_for_user(request.user, pk, write=True))


@signed_in("GET", "POST")
def area_edit(request, pk):
    return _edit(request, AREA, get_area_for_user(request.user, pk, write=True))


# --- signatories ----------------------------------------------------------------------


@signed_in("GET", "POST")
def signatory_add(request, pk):
    agreement = get_agreement_for_user(request.user, pk, write=True)
    return _recorded(request, SIGNATORY, agreement, parties=_parties(agreement))


@signed_in("GET", "POST")
def signatory_edit(request, pk):
    """Signatories carry no version; only what the form changed is saved."""
    signatory = get_signatory_for_user(request.user, pk, write=True)
    agreement = signatory.agreement
    initial = {"party": signatory.party, "name": signatory.name, "function": signatory.function}
    form = SignatoryForm(request.POST or None, parties=_parties(agreement), initial=initial)

    def save():
        return agreements_services.signatory_update(
            actor=request.user,
            signatory=signatory,
            **{k: v for k, v in form.cleaned_data.items() if v != initial[k]},
        )

    show = _page(request, SIGNATORY, SIGNATORY.edit, agreement=agreement, removable=signatory)
    url = _url(SIGNATORY, agreement)
    return form_page(request, form, save, show, message=SIGNATORY.saved, url=url)


@signed_in("POST")
def signatory_remove(request, pk):
    signatory = get_signatory_for_user(request.user, pk, write=True)
    agreement = signatory.agreement
    agreements_services.signatory_remove(actor=request.user, signatory=signatory)
    messages.success(request, _("The signatory is removed."))
    return HttpResponseRedirect(_at(agreement, "parties"))
