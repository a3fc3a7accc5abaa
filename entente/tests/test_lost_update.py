"""No lost update: concurrent clients editing one commitment through the API.

8 clients x 50 edits each, on a live server (real threads, real transactions). Every
edit the server acknowledged (200) must be in the final history; every edit it refused
must have been refused with 412 Precondition Failed.
"""

import json
import threading
import urllib.error
import urllib.request

from entente.accounts.services import token_create
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.testing import PartyFactory, UnitFactory, agreement_between, member

CLIENTS = 8
EDITS = 50


def _call(url, token, method="GET", body=None, if_match=None):
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if if_match:
        headers["If-Match"] = if_match
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("ETag"), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None, json.loads(error.read() or b"{}")


def test_concurrent_edits_lose_nothing(live_server, settings):
    settings.API_RATE_LIMIT = 0
    party_a, party_b = PartyFactory(code="MA"), PartyFactory(code="NL")
    officer = member("officer", party_a, "officer", UnitFactory(party=party_a))
    agreement = agreement_between(party_a, party_b)
    commitment = commitment_create(
        actor=officer, agreement=agreement, title={"en": "Shared"}, responsible_party=party_a
    )
    tokens = [token_create(actor=officer, name=f"client {i}")[1] for i in range(CLIENTS)]
    url = f"{live_server.url}/api/v1/commitments/{commitment.public_id}"
    outcomes: list[list[tuple[int, str, int | None]]] = [[] for _ in range(CLIENTS)]

    def client(index: int) -> None:
        for edit in range(EDITS):
            status, tag, _body = _call(url, tokens[index])
            assert status == 200, _body
            value = f"client {index} edit {edit}"
            status, _tag, body = _call(
                url, tokens[index], "PATCH", {"indicator": value}, if_match=tag
            )
            outcomes[index].append((status, value, body.get("version")))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    results = [outcome for per_client in outcomes for outcome in per_client]
    assert len(results) == CLIENTS * EDITS
    assert {status for status, _, _ in results} <= {200, 412}
    acknowledged = {version: value for status, value, version in results if status == 200}
    assert len(acknowledged) == sum(1 for status, _, _ in results if status == 200)

    history = {
        event.after["version"]: event.after["indicator"]
        for event in AuditEvent.objects.filter(
            target_type="agreements.commitment", target_id=str(commitment.pk), action="update"
        )
    }
    assert history == acknowledged
    commitment.refresh_from_db()
    assert commitment.version == 1 + len(acknowledged)
    assert commitment.indicator == acknowledged[commitment.version]
