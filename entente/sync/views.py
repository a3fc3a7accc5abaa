"""Pages for an agreement's peer instances: add one, retire one. They are listed on the
agreement's page (reports), for the coordinators and auditors of the recording party.

Records come through the doors (404 when not visible, 403 when not writable), changes
go through entente.sync.services.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.accounts.models import Party
from entente.agreements.selectors import get_agreement_for_user
from entente.core.errors import ConflictError, ValidationError
from entente.core.pages import first_error, form_page, form_shown, signed_in
from entente.sync import services
from entente.sync.forms import PeerForm, PeerRetireForm
from entente.sync.selectors import get_peer_for_user


def _peers_of(agreement):
    return f"{agreement.get_absolute_url()}#peers"


@signed_in("GET", "POST")
def peer_add(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    membership = services.require_peer_writer(request.user, agreement)
    # Parties are public records; these are the agreement's others.
    parties = (
        Party.objects.filter(agreement_roles__agreement=agreement)
        .exclude(pk=membership.party_id)
        .order_by("code")
    )
    form = PeerForm(request.POST or None, parties=parties)

    def save():
        return services.peer_add(actor=request.user, agreement=agreement, **form.arguments())

    def show(form, *, status=None, **_current):
        # The agreement's form page, with the one fieldset of a peer.
        context = {
            "heading": _("Add a peer instance"),
            "fieldsets": [(_("Peer instance"), "party public_key address")],
            "agreement": agreement,
            "cancel": _peers_of(agreement),
        }
        return form_shown(request, "agreements/agreement_part_form.html", form, status, **context)

    return form_page(
        request,
        form,
        save,
        show,
        message=gettext_lazy("The peer instance is recorded."),
        url=_peers_of(agreement),
    )


@signed_in("POST")
def peer_retire(request, pk):
    peer = get_peer_for_user(request.user, pk, write=True)
    form = PeerRetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return HttpResponseRedirect(_peers_of(peer.agreement))
    try:
        services.peer_retire(
            actor=request.user, peer=peer, expected_version=form.cleaned_data["version"]
        )
    except ConflictError:
        messages.error(request, _("Someone changed this peer meanwhile; look again, then retry."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The peer's key is retired."))
    return HttpResponseRedirect(_peers_of(peer.agreement))
