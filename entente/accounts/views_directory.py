"""The directory: the parties a user may look up, each with its units and contacts; and
its party administrator's pages to keep it and the party's members.

What the other party sees of a directory is the contact rule (accounts.selectors): its
shared contacts only. The pages that change a directory or members answer its party
administrator; its other members get 403, anyone else 404 (get_party_for_admin).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from entente.accounts import services
from entente.accounts.enums import Role
from entente.accounts.forms import ContactForm, InviteForm, RoleForm, UnitForm
from entente.accounts.models import Contact, time_zone_names
from entente.accounts.selectors import (
    directory_of,
    directory_parties_for,
    get_contact_for_user,
    get_directory_party,
    get_member_of,
    get_party_for_admin,
    get_unit_of,
    membership_list_for,
)
from entente.core.access import membership_of
from entente.core.errors import NotFound, ValidationError
from entente.core.models import Handling
from entente.core.pages import done, form_page, form_shown, saved, signed_in


def _directory_url(party) -> str:
    return reverse("directory:party-detail", args=[party.code])


def _is_admin_of(user, party) -> bool:
    membership = membership_of(user)
    return bool(
        membership and membership.party_id == party.pk and membership.role == Role.PARTY_ADMIN
    )


@signed_in("GET")
def party_list(request: HttpRequest) -> HttpResponse:
    parties = directory_parties_for(request.user)
    return render(request, "accounts/party_list.html", {"parties": parties})


@signed_in("GET")
def party_detail(request: HttpRequest, code: str) -> HttpResponse:
    party = get_directory_party(request.user, code)
    units, contacts = directory_of(request.user, party)
    by_unit: dict[int, list] = {unit.pk: [] for unit in units}
    for contact in contacts:
        by_unit[contact.unit_id].append(contact)
    context = {
        "party": party,
        "units": [(unit, by_unit[unit.pk]) for unit in units],
        "contact_count": len(contacts),
        "can_manage": _is_admin_of(request.user, party),
    }
    return render(request, "accounts/party_detail.html", context)


# --- units ---------------------------------------------------------------------------------


def _unit_page(request, party, unit=None):
    def show(form, *, status=None, **_conflict):
        return form_shown(request, "accounts/unit_form.html", form, status, party=party, unit=unit)

    return show


@signed_in("GET", "POST")
def unit_create(request: HttpRequest, code: str) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    form = UnitForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        lambda: services.unit_create(actor=request.user, party=party, **form.cleaned_data),
        _unit_page(request, party),
        message=lambda unit: _("The unit %(name)s was added.") % {"name": unit.name},
        url=_directory_url(party),
    )


@signed_in("GET", "POST")
def unit_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    unit = get_unit_of(party, pk)
    initial = {"name": unit.name, "is_contact_cell": unit.is_contact_cell, "email": unit.email}
    form = UnitForm(request.POST if request.method == "POST" else None, initial=initial)
    return form_page(
        request,
        form,
        lambda: services.unit_update(actor=request.user, unit=unit, **form.cleaned_data),
        _unit_page(request, party, unit),
        message=lambda unit: _("The unit %(name)s was saved.") % {"name": unit.name},
        url=_directory_url(party),
    )


# --- contacts ------------------------------------------------------------------------------


def _units_of(party):
    return party.units.order_by("name")


def _own_contact(request: HttpRequest, party, pk):
    """A contact of `party` (already the admin's own), through the contact door."""
    contact = get_contact_for_user(request.user, pk)
    if contact.owning_party_id != party.pk:
        raise NotFound(_("No such record."))
    return contact


CONTACT_FIELDS = [
    "name",
    "title",
    "unit",
    "email",
    "phone",
    "languages",
    "time_zone",
    "scope",
    "version",
]


def _contact_form(request, party, contact=None) -> ContactForm:
    """The contact form: as posted, or as the contact stands."""
    if request.method == "POST":
        return ContactForm(request.POST, units=_units_of(party))
    initial = {name: getattr(contact, name) for name in CONTACT_FIELDS} if contact else None
    return ContactForm(initial=initial, units=_units_of(party))


def _contact_page(request, party, contact=None):
    def show(form, *, status=None, record=None, conflict=None):
        return form_shown(
            request,
            "accounts/contact_form.html",
            form,
            status,
            party=party,
            contact=record or contact,
            conflict=conflict,
            time_zones=time_zone_names(),
        )

    return show


@signed_in("GET", "POST")
def contact_create(request: HttpRequest, code: str) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    form = _contact_form(request, party)

    def create() -> Contact:
        data = form.changes()
        return services.contact_create(actor=request.user, handling=Handling.pop_from(data), **data)

    return form_page(
        request,
        form,
        create,
        _contact_page(request, party),
        message=lambda contact: _("%(name)s was added to the directory.") % {"name": contact.name},
        url=_directory_url(party),
    )


@signed_in("GET", "POST")
def contact_edit(request: HttpRequest, code: str, pk) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    contact = _own_contact(request, party, pk)
    form = _contact_form(request, party, contact)
    return form_page(
        request,
        form,
        lambda: services.contact_update(
            actor=request.user,
            contact=contact,
            expected_version=form.cleaned_data["version"] or 0,
            **form.changes(),
        ),
        _contact_page(request, party, contact),
        message=lambda contact: _("%(name)s was saved.") % {"name": contact.name},
        url=_directory_url(party),
        reload=lambda: get_contact_for_user(request.user, pk),
        units=_units_of(party),
    )


@signed_in("POST")
def contact_remove(request: HttpRequest, code: str, pk) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    contact = _own_contact(request, party, pk)
    try:
        services.contact_remove(actor=request.user, contact=contact)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        initial = {name: getattr(contact, name) for name in CONTACT_FIELDS}
        form = ContactForm(initial=initial, units=_units_of(party))
        return _contact_page(request, party, contact)(form, status=422)
    return done(
        request,
        _("%(name)s was removed from the directory.") % {"name": contact.name},
        _directory_url(party),
    )


# --- the party's members -------------------------------------------------------------------


def _members_page(request, party, invite_form, *, status=None):
    members = membership_list_for(request.user).order_by("user__username")
    rows = [(m, RoleForm(initial={"role": m.role}, prefix=m.user.username)) for m in members]
    context = {"party": party, "rows": rows, "form": invite_form}
    status = status or (400 if invite_form.errors else 200)
    return render(request, "accounts/member_list.html", context, status=status)


@signed_in("GET", "POST")
def member_list(request: HttpRequest, code: str) -> HttpResponse:
    """The party's members; POST invites a new one."""
    party = get_party_for_admin(request.user, code)
    form = InviteForm(request.POST if request.method == "POST" else None, units=_units_of(party))
    return form_page(
        request,
        form,
        lambda: services.member_invite(
            actor=request.user,
            party=party,
            site_url=request.build_absolute_uri("/"),
            **form.cleaned_data,
        ),
        lambda form: _members_page(request, party, form),
        message=lambda membership: (
            _("%(name)s was invited: a link to choose a password went to %(email)s.")
            % {"name": membership.user.username, "email": membership.user.email}
        ),
        url=reverse("directory:member-list", args=[party.code]),
    )


@signed_in("POST")
def member_role(request: HttpRequest, code: str, username: str) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    membership = get_member_of(party, username)
    form = RoleForm(request.POST, prefix=username)
    changed = saved(
        form,
        lambda: services.member_role_set(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        ),
    )
    if changed is None:
        for error in form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
        return _members_page(request, party, InviteForm(units=_units_of(party)), status=400)
    message = _("%(name)s is now %(role)s, and signed out everywhere.") % {
        "name": username,
        "role": changed.get_role_display(),
    }
    return done(request, message, reverse("directory:member-list", args=[party.code]))


@signed_in("POST")
def member_deactivate(request: HttpRequest, code: str, username: str) -> HttpResponse:
    party = get_party_for_admin(request.user, code)
    membership = get_member_of(party, username)
    try:
        services.member_deactivate(actor=request.user, user=membership.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _members_page(request, party, InviteForm(units=_units_of(party)), status=400)
    message = _("%(name)s can no longer sign in, and was signed out everywhere.") % {
        "name": username
    }
    return done(request, message, reverse("directory:member-list", args=[party.code]))
