"""The peers' JSON API through HTTP: list, read, add; who may, and refusals by field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.audit.models import AuditEvent
from entente.sync.models import Peer
from entente.sync.services import peer_replace_key
from entente.sync.tests.conftest import fingerprint_of, new_key
from entente.tests.api_helpers import API, api_client, iso, problem_body

pytestmark = pytest.mark.django_db

JSON = "application/json"
NOT_FOUND = "No such record."
NONE_YET = {
    "last_bundle_sent": None,
    "last_bundle_received": None,
    "last_witnessed_tree_head": None,
    "refused_bundles": None,
}


def peer_json(peer: Peer) -> dict:
    peer.refresh_from_db()
    return {
        "id": str(peer.public_id),
        "owning_party": peer.owning_party.code,
        "scope": "internal",
        "marking": "TLP:AMBER",
        "red_recipients": [],
        "version": peer.version,
        "created_at": iso(peer.created_at),
        "updated_at": iso(peer.updated_at),
        "is_illustrative": False,
        "agreement": str(peer.agreement.public_id),
        "party": peer.party.code,
        "public_key": peer.public_key,
        "fingerprint": peer.fingerprint,
        "address": peer.address,
        "retired_at": iso(peer.retired_at),
        "sync": NONE_YET,
    }


def list_url(agreement) -> str:
    return f"{API}/agreements/{agreement.public_id}/peers"


def test_peer_list_and_detail_for_the_recording_party(cast, a_auditor, peer):
    for user in (cast.a_coordinator, a_auditor):
        api = api_client(user)
        listed = api.get(list_url(cast.agreement))
        assert (listed.status_code, listed.json()["items"]) == (200, [peer_json(peer)])
        detail = api.get(f"{API}/peers/{peer.public_id}")
        assert (detail.status_code, detail.json(), detail["ETag"]) == (
            200,
            peer_json(peer),
            f'"peer-{peer.public_id}-v1"',
        )


@pytest.mark.parametrize("who", ["a_officer", "a_reader", "b_coordinator", "b_officer"])
def test_others_list_none_and_read_404(cast, peer, who):
    api = api_client(getattr(cast, who))
    listed = api.get(list_url(cast.agreement))
    assert (listed.status_code, listed.json()["items"]) == (200, [])
    url = f"{API}/peers/{peer.public_id}"
    assert api.get(url).json() == problem_body(404, "Not Found", NOT_FOUND, url)


def test_peer_list_of_an_agreement_out_of_sight_is_404(cast):
    url = list_url(cast.agreement)
    response = api_client(cast.c_officer).get(url)
    assert (response.status_code, response.json()) == (
        404,
        problem_body(404, "Not Found", NOT_FOUND, url),
    )


def test_peer_add_answers_201_with_the_peer_and_its_location(cast):
    key = new_key()
    api = api_client(cast.a_coordinator)
    response = api.post(
        list_url(cast.agreement),
        {"party": "NL-POL", "public_key": key, "address": "https://nl.example/"},
        content_type=JSON,
    )
    peer = Peer.objects.get()
    assert (response.status_code, response.json(), response["Location"]) == (
        201,
        peer_json(peer),
        f"{API}/peers/{peer.public_id}",
    )
    assert (peer.fingerprint, peer.owning_party) == (fingerprint_of(key), cast.a)
    assert AuditEvent.objects.filter(target_type="sync.peer", action="create").count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"party": "NL-POL", "public_key": "AAAA"},
            [
                {
                    "field": "public_key",
                    "message": "An Ed25519 public key is 32 bytes; this one is 3.",
                }
            ],
        ),
        (
            {"party": "MA-DGSN"},
            [
                {
                    "field": "party",
                    "message": "A peer is another party's instance, not your own party's.",
                }
            ],
        ),
        (
            {"party": "XX-OUT"},
            [{"field": "party", "message": "This party is not a party to the agreement."}],
        ),
        ({"party": "ZZ"}, [{"field": "party", "message": "No such party: ZZ."}]),
        (
            {"party": "NL-POL", "address": "http://nl.example/"},
            [
                {
                    "field": "address",
                    "message": "The address must start with https://: bundles and keys do not travel unencrypted.",
                }
            ],
        ),
        (
            {"party": "NL-POL", "address": "https://nl.\x00example/"},
            [{"field": "body.address", "message": "Value error, Null characters are not allowed."}],
        ),
    ],
)
def test_peer_add_refuses_bad_input_by_field_and_writes_nothing(cast, body, errors):
    api = api_client(cast.a_coordinator)
    before = (AuditEvent.objects.count(), Peer.objects.count())
    url = list_url(cast.agreement)
    response = api.post(url, {"public_key": new_key()} | body, content_type=JSON)
    assert (response.status_code, response.json()) == (
        422,
        problem_body(422, "Unprocessable Content", "The input is not valid.", url, errors=errors),
    )
    assert (AuditEvent.objects.count(), Peer.objects.count()) == before


@pytest.mark.parametrize(
    ("who", "status", "title", "detail"),
    [
        ("a_officer", 403, "Forbidden", "Only a coordinator may do this."),
        ("c_officer", 404, "Not Found", NOT_FOUND),
    ],
)
def test_peer_add_is_for_coordinators(cast, who, status, title, detail):
    api = api_client(getattr(cast, who))
    before = AuditEvent.objects.count()
    url = list_url(cast.agreement)
    response = api.post(url, {"party": "NL-POL", "public_key": new_key()}, content_type=JSON)
    assert (response.status_code, response.json()) == (
        status,
        problem_body(status, title, detail, url),
    )
    assert AuditEvent.objects.count() == before


def test_peer_list_queries_do_not_grow_with_peers(cast, peer):
    api = api_client(cast.a_coordinator)
    url = list_url(cast.agreement)
    api.get(url)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url).json()["items"]) == 1
    for _ in range(5):  # retired keys of B, and peers of other agreements' parties
        current = Peer.objects.filter(retired_at__isnull=True).get()
        peer_replace_key(
            actor=cast.a_coordinator,
            peer=current,
            expected_version=current.version,
            public_key=new_key(),
        )
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url).json()["items"]) == 6
    assert len(many) == len(one)
