"""What every web page shares: who may open it, service errors on forms, conflicts,
redirects (and lists, in `core.pagination`).

Pages load records through their app's doors and change them through services; what is
left for a view is showing the outcome. These helpers do that one way for every app:
a service's `ValidationError` goes next to the field it names, a `ConflictError` is shown
with what someone else changed (`_conflict.html`).
"""

import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.defaults import server_error as django_server_error

from entente.core.enums import Language, Marking, Scope
from entente.core.errors import ConflictError, ValidationError
from entente.core.outage import outage_headers, outage_message, outage_status
from entente.core.problems import problem

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

T = TypeVar("T")


def signed_in(*methods: str) -> Callable[[Callable], Callable]:
    """A page for signed-in users (others are sent to sign in) that answers only the
    HTTP `methods` (405 for any other): `@signed_in("GET", "POST")`."""

    def decorate(view: Callable) -> Callable:
        return login_required(require_http_methods(list(methods))(view))

    return decorate


def apply_errors(
    form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal next to the field it names (`aliases` maps a service's
    field name to the form's), or above the form when no field of the form matches."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, refusals in exc.message_dict.items():
        name = (aliases or {}).get(key, key)
        target = name if name in form.fields else None
        for message in refusals:
            form.add_error(target, message)


def saved(form: forms.BaseForm, save: Callable[[], T], aliases=None) -> T | None:
    """What `save` (the service call) returns when the form is valid and the service
    accepts it; None otherwise, the service's refusal put on the form."""
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as error:
        apply_errors(form, error, aliases)
        return None


def done(request: HttpRequest, message: "StrOrPromise", url: str) -> HttpResponseRedirect:
    """Back to `url` after a change, saying what was done."""
    messages.success(request, message)
    return HttpResponseRedirect(url)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], Any],
    show: Callable[..., HttpResponse],
    *,
    message: "StrOrPromise | Callable[[Any], StrOrPromise]",
    url: str | Callable[[Any], str],
    reload: Callable[[], Model] | None = None,
    conflict: Callable[[Model, dict], list[dict[str, str]]] | None = None,
    stale: str | None = None,
    **rebind: Any,
) -> HttpResponse:
    """The page of a form that records or changes a record through its service.

    GET shows the form: `show(form)`. POST calls `save()` (the service) when the form is
    valid and goes back to `url` saying `message` (either may be a function of the record
    saved); a refusal shows the form again, `show(form)`, with the service's errors by
    their fields (`show` answers 400 when the form has errors). When someone else saved
    first (`ConflictError`), the form comes back moved to the current version (built again
    with `rebind`), with the record as `reload()` reads it now and the rows of what
    changed (`conflict`, `conflict_rows` by default):
    `show(form, status=409, record=current, conflict=rows)`; or, with `stale` and no
    `reload`, with the message `stale` only: `show(form, status=409)`."""
    if request.method != "POST":
        return show(form)
    try:
        record = saved(form, save)
    except ConflictError as error:
        again = rebound(form, error.current_version, **rebind)
        if reload is None and stale is not None:
            again.add_error(None, stale)
            return show(again, status=409)
        if reload is None:
            raise
        current = reload()
        rows = (conflict or conflict_rows)(current, error.changed)
        return show(again, status=409, record=current, conflict=rows)
    if record is None:
        return show(form)
    return done(request, _given(message, record), _given(url, record))


def form_shown(
    request: HttpRequest, template: str, form: forms.BaseForm, status: int | None, **context: Any
) -> HttpResponse:
    """A `form_page`'s `show`: the form on its page, 400 when it has errors, unless
    `status` says otherwise (409 after a conflict)."""
    status = status or (400 if form.errors else 200)
    return render(request, template, {"form": form, **context}, status=status)


def _given(value, record):
    return value(record) if callable(value) else value


def first_error(form: forms.BaseForm) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("The form is not valid.")


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the form posted when it points into this site; `default` otherwise."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def display(value: Any) -> str:
    """A value as a person reads it: dates in the reader's format, an em dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def _field_for(model: type[Model], name: str):
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


def conflict_rows(record: Model, changed: dict[str, Any]) -> list[dict[str, str]]:
    """What someone else changed, as {field, value} rows of the record's current values,
    for `_conflict.html`."""
    rows = []
    for name in changed:
        field = _field_for(type(record), name)
        if field is None:
            continue
        if field.choices:
            value = getattr(record, f"get_{field.name}_display")()
        else:
            value = getattr(record, field.name)
        rows.append({"field": str(field.verbose_name), "value": display(value)})
    return rows


def rebound(form: forms.BaseForm, version: int, **kwargs: Any) -> forms.BaseForm:
    """The form as submitted, moved to the record's current version: the user's input is
    kept and what changed meanwhile is shown, so saving again is a deliberate overwrite."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(version)
    again = type(form)(data, **kwargs)
    again.is_valid()
    return again


class VersionedForm(forms.Form):
    """A form that changes a versioned record: carries the version it was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def page(route: str, view: Any) -> URLPattern:
    """The URL pattern of a page, named after its view: `meeting_edit` is "meeting-edit"."""
    return path(route, view, name=view.__name__.replace("_", "-"))


def scope_field(hint: "StrOrPromise") -> forms.ChoiceField:
    """Who sees a new record: internal by default; `hint` says what sharing means."""
    return forms.ChoiceField(
        label=gettext_lazy("Scope"), choices=Scope.choices, initial=Scope.INTERNAL, help_text=hint
    )


def marking_field() -> forms.ChoiceField:
    """A new record's TLP marking, AMBER by default."""
    return forms.ChoiceField(
        label=gettext_lazy("Marking"), choices=Marking.choices, initial=Marking.AMBER
    )


class RecipientsField(forms.ModelMultipleChoiceField):
    """Users, each named with their party's code: "Amina Alaoui (MA)"."""

    def label_from_instance(self, obj: Any) -> str:
        membership = getattr(obj, "membership", None)
        party = f" ({membership.party.code})" if membership else ""
        return f"{obj.get_full_name() or obj.get_username()}{party}"


def red_recipients_field(
    hint: "StrOrPromise", *, widget: type[forms.Widget] = forms.CheckboxSelectMultiple
) -> RecipientsField:
    """Who may see a new TLP:RED record besides its author; the form sets the people to
    choose from (`queryset`), `hint` says what the record is."""
    return RecipientsField(
        label=gettext_lazy("TLP:RED recipients"),
        queryset=None,
        required=False,
        widget=widget,
        help_text=hint,
    )


def reference_language_field(hint: "StrOrPromise") -> forms.ChoiceField:
    """The language whose text of a new record is authoritative, English by default."""
    return forms.ChoiceField(
        label=gettext_lazy("Reference language"),
        choices=Language.choices,
        initial=Language.EN,
        help_text=hint,
    )


def language_field(base_label, code: str, *, widget=forms.TextInput, **kwargs) -> forms.CharField:
    """The text in one language: its label names the language, and text typed in Arabic
    runs right to left even on an English page."""
    return forms.CharField(
        label=format_lazy("{} ({})", base_label, dict(Language.choices)[code]),
        required=False,
        widget=widget(attrs=kwargs.pop("attrs", {}) | {"lang": code, "dir": "auto"}),
        **kwargs,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: a database outage answers 503 or 507 saying so (a problem
    for the API, a page otherwise), any other error Django's 500 page."""
    exc = sys.exc_info()[1]
    status = outage_status(exc) if exc is not None else None
    if status is None:
        return django_server_error(request)
    if request.path.startswith("/api/"):
        return problem(
            request, status, detail=outage_message(status), headers=outage_headers(status)
        )
    html = render_to_string("500.html", {"status": status, "message": outage_message(status)})
    return HttpResponse(html, status=status, headers=outage_headers(status))
