"""The peer pages and the agreement page's "Peer instances": who sees and who changes
them (coordinator 200, auditor and officer 403, the other party 404), errors by field."""

import re

import pytest
from django.urls import reverse

from entente.audit.models import AuditEvent
from entente.sync.models import Peer
from entente.sync.tests.conftest import fingerprint_of, new_key

pytestmark = pytest.mark.django_db

NOT_FOUND = "This page does not exist, or you may not see it."


def add_url(agreement):
    return reverse("sync:peer-add", args=[agreement.public_id])


def retire_url(peer):
    return reverse("sync:peer-retire", args=[peer.public_id])


def text(response) -> str:
    """What the page says, tags taken out."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def signed_in(client, user):
    client.force_login(user)
    return client


def unchanged(call):
    before = (AuditEvent.objects.count(), list(Peer.objects.values_list("pk", "version")))
    response = call()
    assert (AuditEvent.objects.count(), list(Peer.objects.values_list("pk", "version"))) == before
    return response


def test_peer_add_page_offers_the_agreements_other_parties(client, cast):
    response = signed_in(client, cast.a_coordinator).get(add_url(cast.agreement))
    assert response.status_code == 200
    choices = [
        (str(value), label) for value, label in response.context["form"].fields["party"].choices
    ]
    assert choices == [(str(cast.b.pk), str(cast.b))]


def test_peer_add_page_records_a_peer(client, cast):
    key = new_key()
    response = signed_in(client, cast.a_coordinator).post(
        add_url(cast.agreement),
        {"party": cast.b.pk, "public_key": key, "address": "https://nl.example/"},
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"{cast.agreement.get_absolute_url()}#peers",
    )
    peer = Peer.objects.get()
    assert (peer.party, peer.owning_party, peer.fingerprint, peer.address) == (
        cast.b,
        cast.a,
        fingerprint_of(key),
        "https://nl.example/",
    )


def test_peer_add_page_shows_refusals_by_their_field(client, cast):
    response = unchanged(
        lambda: signed_in(client, cast.a_coordinator).post(
            add_url(cast.agreement),
            {"party": cast.b.pk, "public_key": "AAAA", "address": "http://nl.example/"},
        )
    )
    assert response.status_code == 400
    # The first refusal (the key) comes back on its field; the address is checked after.
    assert response.context["form"].errors == {
        "public_key": ["An Ed25519 public key is 32 bytes; this one is 3."]
    }
    response = unchanged(
        lambda: client.post(
            add_url(cast.agreement),
            {"party": cast.b.pk, "public_key": new_key(), "address": "http://nl.example/"},
        )
    )
    assert response.context["form"].errors == {
        "address": [
            "The address must start with https://: bundles and keys do not travel unencrypted."
        ]
    }


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("a_auditor", 403, "Only a coordinator may do this."),
        ("a_officer", 403, "Only a coordinator may do this."),
        ("c_officer", 404, NOT_FOUND),
    ],
)
def test_peer_add_page_is_for_coordinators(client, cast, a_auditor, who, status, message):
    user = a_auditor if who == "a_auditor" else getattr(cast, who)
    signed_in(client, user)
    for method in (client.get, client.post):
        response = unchanged(
            lambda method=method: method(
                add_url(cast.agreement), {"party": cast.b.pk, "public_key": new_key()}
            )
        )
        assert (response.status_code, message in response.content.decode()) == (status, True)


def test_agreement_page_lists_peers_for_coordinators_and_auditors(client, cast, a_auditor, peer):
    for user, can_retire in ((cast.a_coordinator, True), (a_auditor, False)):
        page = text(signed_in(client, user).get(cast.agreement.get_absolute_url()))
        assert "Peer instances" in page
        assert peer.fingerprint in page
        assert "https://entente.politie.example/" in page
        assert page.count("none yet") == 4
        assert ("Retire the key" in page) == can_retire
        assert ("Add a peer instance" in page) == can_retire


@pytest.mark.parametrize(
    ("who", "has_section"),
    [("a_officer", False), ("a_reader", False), ("b_officer", False), ("b_coordinator", True)],
)
def test_agreement_page_hides_a_partys_peers_from_everyone_else(
    client, cast, peer, who, has_section
):
    """B's coordinator has a section of their own, for B's peers: none of A's in it."""
    page = text(signed_in(client, getattr(cast, who)).get(cast.agreement.get_absolute_url()))
    assert ("Peer instances" in page, "No peer instances yet." in page) == (has_section,) * 2
    assert (peer.fingerprint in page, peer.address in page) == (False, False)


def test_the_fingerprint_reads_left_to_right_in_groups(client, cast, peer):
    html = signed_in(client, cast.a_coordinator).get(cast.agreement.get_absolute_url()).content
    groups = "".join(f"<span>{group}</span> " for group in peer.fingerprint.split()).strip()
    assert f'<code class="fingerprint" dir="ltr" translate="no">{groups}</code>' in html.decode()


def test_retire_page_retires_the_key(client, cast, peer):
    response = signed_in(client, cast.a_coordinator).post(retire_url(peer), {"version": 1})
    assert response.status_code == 302
    peer.refresh_from_db()
    assert (peer.is_active, peer.version) == (False, 2)


def test_retire_page_with_a_stale_version_changes_nothing(client, cast, peer):
    response = unchanged(
        lambda: signed_in(client, cast.a_coordinator).post(
            retire_url(peer), {"version": 5}, follow=True
        )
    )
    assert "Someone changed this peer meanwhile; look again, then retry." in text(response)


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("a_auditor", 403, "Only a coordinator may do this."),
        ("a_officer", 404, NOT_FOUND),
        ("b_coordinator", 404, NOT_FOUND),
        ("c_officer", 404, NOT_FOUND),
    ],
)
def test_retire_page_refuses_all_but_coordinators(
    client, cast, a_auditor, peer, who, status, message
):
    user = a_auditor if who == "a_auditor" else getattr(cast, who)
    response = unchanged(lambda: signed_in(client, user).post(retire_url(peer), {"version": 1}))
    assert (response.status_code, message in response.content.decode()) == (status, True)
