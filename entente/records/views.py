"""Pages about any record, whatever its app: its audit trail, publishing it, and the
global search.

A record is named by its type ("<app_label>.<model>", the audit event's target type) and
id, and found through the door its app registered (`entente.core.registry`): an unknown
type, a record that does not exist and a record the user may not see are the same 404.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from modeltranslation.translator import NotRegistered, translator

from entente.accounts.models import Party, Unit
from entente.agreements.forms import PublishForm
from entente.agreements.models import Agreement, CooperationArea
from entente.agreements.selectors import agreement_visible_to, area_visible_to
from entente.agreements.services.agreements import record_publish
from entente.core.access import require_coordinator
from entente.core.errors import ConflictError, NotFound, ValidationError
from entente.core.pages import first_error, signed_in
from entente.core.pagination import numbered_page
from entente.core.registry import get_record_for_user, record_page_url
from entente.records.forms import SearchForm
from entente.records.selectors import (
    HIDDEN,
    history_for,
    reads_chain,
    search_hits,
    search_results,
)

# --- global search ----------------------------------------------------------------------


@signed_in("GET")
def record_search(request):
    """Every record the user may see with the words asked for, best match first."""
    asked = request.GET.get("q", "").strip()
    form = SearchForm({"q": asked} if asked else None)
    page = results = None
    if form.is_valid():
        page = numbered_page(request, search_hits(request.user, form.cleaned_data["q"]))
        results = search_results(request.user, page.object_list)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "asked": asked, "page": page, "results": results}
    return render(request, "records/record_search.html", context, status=status)


# --- the audit trail --------------------------------------------------------------------

TRAIL_PAGE_SIZE = 50

ACTIONS = {
    "create": gettext_lazy("Created"),
    "update": gettext_lazy("Changed"),
    "status": gettext_lazy("Status changed"),
    "publish": gettext_lazy("Published to the other parties"),
    "marking": gettext_lazy("Marking changed"),
    "parties": gettext_lazy("Parties recorded"),
    "indicator": gettext_lazy("Indicator value recorded"),
    "delete": gettext_lazy("Deleted"),
    "commitments": gettext_lazy("Commitments created from it"),
    "evaluation": gettext_lazy("Evaluation recorded"),
    "minutes": gettext_lazy("Minutes recorded"),
    "participation": gettext_lazy("Participation recorded"),
    "send": gettext_lazy("Sent"),
    "acknowledge": gettext_lazy("Acknowledged"),
    "clarification_ask": gettext_lazy("Clarification asked"),
    "clarification_provide": gettext_lazy("Clarification given"),
    "answer": gettext_lazy("Answered"),
    "refuse": gettext_lazy("Refused"),
    "close": gettext_lazy("Closed"),
    "retire": gettext_lazy("Retired"),
}

# Bookkeeping every write touches; showing it on each event would hide the real changes.
BOOKKEEPING = frozenset({"id", "public_id", "version", "created_at", "updated_at"})


@login_required
@require_GET
def record_trail(request, record_type, pk):
    """Who changed what, and when, per field: the revisions the user may see."""
    record = get_record_for_user(request.user, record_type, pk)
    page = numbered_page(request, history_for(request.user, record)[::-1], size=TRAIL_PAGE_SIZE)
    events = list(page.object_list)
    describe = _Describer(type(record), events, request.user)
    for event in events:
        event.label = ACTIONS.get(event.action, event.action)
        event.changes = describe.changes(event)
    return render(
        request,
        "records/record_trail.html",
        {
            "record": record,
            "record_type": record_type,
            "record_kind": type(record)._meta.verbose_name,
            "record_url": record_page_url(record),
            # Decisions, agenda items and areas have no marking of their own.
            "has_marking": hasattr(record, "marking"),
            "reads_chain": reads_chain(request.user),
            "page": page,
            "events": events,
        },
    )


def _names(user) -> dict:
    """Related model -> function from ids to display names, limited to what `user` sees.

    Parties and units are public, and so are the usernames of TLP:RED recipients to
    those who read the record; agreements and areas, which the history names by public
    id, are named only when visible. Other references stay as public ids (or `hidden`,
    see records.selectors).
    """
    return {
        get_user_model(): lambda ids: dict(
            get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")
        ),
        Party: lambda ids: dict(Party.objects.filter(pk__in=ids).values_list("pk", "code")),
        Unit: lambda ids: {
            u.pk: str(u) for u in Unit.objects.filter(pk__in=ids).select_related("party")
        },
        Agreement: lambda ids: {
            str(a.public_id): a.title for a in agreement_visible_to(user).filter(public_id__in=ids)
        },
        CooperationArea: lambda ids: {
            str(a.public_id): a.name for a in area_visible_to(user).filter(public_id__in=ids)
        },
    }


class _Describer:
    """Turns an event's before/after snapshots into (field, before, after) rows."""

    def __init__(self, model, events, user):
        self.model = model
        self.fields = {}
        for index, field in enumerate(model._meta.concrete_fields):
            self.fields[field.attname] = (index, field)
            self.fields.setdefault(field.name, (index, field))
        try:
            # The original column of a translated field repeats one of its languages.
            self.hidden = BOOKKEEPING | set(translator.get_options_for_model(model).all_fields)
        except NotRegistered:
            self.hidden = BOOKKEEPING
        self.names = self._resolve(events, _names(user))

    def _field(self, key: str):
        if key in self.fields:
            return self.fields[key][1]
        try:  # a list of linked records (a decision's commitments, RED recipients)
            field = self.model._meta.get_field(key)
        except FieldDoesNotExist:
            return None
        return field if field.many_to_many else None

    def _resolve(self, events, resolvers) -> dict:
        """One query per related model for the names of every id the events refer to."""
        wanted: dict = {}
        for event in events:
            for snapshot in (event.before or {}, event.after or {}):
                for key, value in snapshot.items():
                    field = self._field(key)
                    if field is not None and field.is_relation:
                        ids = value if isinstance(value, list) else [value]
                        # Public ids (text) for records, internal ids for the rest.
                        public = hasattr(field.related_model, "public_id")
                        known = {v for v in ids if isinstance(v, str if public else int)}
                        wanted.setdefault(field.related_model, set()).update(known - {HIDDEN})
        return {model: resolvers[model](ids) for model, ids in wanted.items() if model in resolvers}

    def changes(self, event) -> list[dict]:
        before, after = event.before or {}, event.after or {}
        keys = [k for k in dict.fromkeys([*after, *before]) if k not in self.hidden]
        keys.sort(key=lambda k: self.fields.get(k, (len(self.fields), None))[0])
        rows = []
        for key in keys:
            old = self._value(key, before[key]) if key in before else None
            new = self._value(key, after[key]) if key in after else None
            if old in (None, "—") and new in (None, "—"):
                continue  # nothing to see: a field left empty at creation
            rows.append({"field": self._label(key), "before": old, "after": new})
        return rows

    def _label(self, key: str) -> str:
        field = self._field(key)
        if field is None:
            return key.replace("_", " ")
        return str(field.verbose_name)

    def _value(self, key: str, value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, list):
            return ", ".join(self._value(key, v) for v in value) or "—"
        if value == HIDDEN:
            return _("(not visible to you)")
        field = self._field(key)
        if field is not None and field.is_relation:
            return self.names.get(field.related_model, {}).get(value, f"#{value}")
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DateTimeField | models.DateField) and isinstance(value, str):
            return _when(field, value)
        return str(value)


def _when(field, value: str) -> str:
    """An ISO date or datetime from a snapshot, in the reader's format."""
    try:
        if isinstance(field, models.DateTimeField):
            moment = dt.datetime.fromisoformat(value)
            return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


# --- publishing -------------------------------------------------------------------------

# The record types a coordinator may share from their pages.
PUBLISHABLE = frozenset(
    {
        "agreements.agreement",
        "agreements.agreementevent",
        "agreements.clause",
        "agreements.commitment",
        "meetings.meeting",
        "training.trainingactivity",
    }
)


@login_required
@require_POST
def record_publish_view(request, record_type, pk):
    """A coordinator shares an internal record of their party with the other parties."""
    if record_type not in PUBLISHABLE:
        raise NotFound(_("No such record."))
    record = get_record_for_user(request.user, record_type, pk, write=True)
    require_coordinator(request.user)
    back = record_page_url(record)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
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
