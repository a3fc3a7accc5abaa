"""`entente sync peer add|list|retire`, with refusals naming their field."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from entente.sync.models import Peer
from entente.sync.tests.conftest import fingerprint_of, new_key

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("sync", "peer", *args, stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def test_sync_peer_add_list_retire(cast):
    key = new_key()
    agreement = str(cast.agreement.public_id)
    said = run(
        "add",
        agreement,
        "NL-POL",
        key,
        "--address",
        "https://nl.example/",
        "--user",
        "a_coordinator",
    )
    peer = Peer.objects.get()
    assert said.splitlines() == [
        f"peer {peer.public_id} added: NL-POL {fingerprint_of(key)}",
        "Read the fingerprint aloud to the other party; they compare it with "
        "'entente keys show' on their instance.",
    ]
    since = peer.created_at.isoformat(timespec="seconds")
    row = f"{peer.public_id}\t{agreement}\tNL-POL\t{peer.fingerprint}\thttps://nl.example/\t{since}"
    header = "id\tagreement\tparty\tfingerprint\taddress\tsince\tretired"
    assert run("list", agreement, "--user", "a_coordinator").splitlines() == [header, f"{row}\t-"]
    assert run("list", "--user", "b_coordinator").splitlines() == [header]

    said = run("retire", str(peer.public_id), "--user", "a_coordinator")
    assert said == f"peer {peer.public_id} retired: NL-POL {peer.fingerprint}\n"
    peer.refresh_from_db()
    retired = peer.retired_at.isoformat(timespec="seconds")
    assert run("list", "--user", "a_coordinator").splitlines() == [header, f"{row}\t{retired}"]


def test_sync_peer_refusals_name_their_field(cast, peer):
    agreement = str(cast.agreement.public_id)
    assert refused("add", agreement, "NL-POL", "AAAA", "--user", "a_coordinator") == (
        "public_key: An Ed25519 public key is 32 bytes; this one is 3."
    )
    assert refused("add", agreement, "NL-POL", new_key(), "--user", "a_coordinator") == (
        "party: This party already has a peer instance in use for this agreement: "
        "replace its key or retire it first."
    )
    assert refused("add", agreement, "ZZ", new_key(), "--user", "a_coordinator") == (
        "party: no party 'ZZ'"
    )
    assert refused(
        "add",
        agreement,
        "NL-POL",
        new_key(),
        "--address",
        "http://x.example/",
        "--user",
        "a_coordinator",
    ) == (
        "address: The address must start with https://: bundles and keys do not travel unencrypted."
    )
    assert refused("add", agreement, "NL-POL", new_key(), "--user", "a_officer") == (
        "Only a coordinator may do this."
    )
    assert refused("add", agreement, "NL-POL", new_key(), "--user", "c_officer") == (
        f"no agreement '{agreement}' that c_officer may see"
    )
    assert refused("add", agreement, "NL-POL", new_key(), "--user", "nobody") == (
        "--user: no active user 'nobody'"
    )
    assert refused("retire", str(peer.public_id), "--user", "b_coordinator") == (
        f"peer: no peer {peer.public_id} that b_coordinator may see"
    )
    assert refused("retire", "12", "--user", "a_coordinator") == "peer: not a peer id: '12'"
    assert Peer.objects.get().is_active
