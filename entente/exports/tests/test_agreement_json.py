"""A whole agreement as JSON, as each role: only what the role may see, in the API's
shapes, byte for byte the same twice; and the `entente export` command."""

import csv
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.tests.access_world import (
    AB,
    OUTSIDERS,
    USERS,
    World,
    _attachment,
    _comment,
    _commitment,
    _meeting,
    _reported,
    _request,
    _training,
    build,
)
from entente.tests.api_helpers import API, api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    return build(cast)


def url_of(agreement) -> str:
    return reverse("exports:agreement-export", args=[agreement.public_id])


def export_as(user, agreement):
    client = Client()
    client.force_login(user)
    return client.get(url_of(agreement))


def records(value):
    """Every dict with a marking in the document: the records."""
    if isinstance(value, list):
        return [r for item in value for r in records(item)]
    if isinstance(value, dict):
        own = [value] if "marking" in value else []
        return own + [r for item in value.values() for r in records(item)]
    return []


def visible_under(world, kind, agreement, username) -> list[str]:
    return sorted(
        str(e.record.public_id)
        for e in world.of_kind(kind)
        if username in e.viewers and e.record.agreement_id == agreement.pk
    )


def test_json_holds_only_what_each_role_may_see(world):
    found, expected = {}, {}
    for username in USERS + OUTSIDERS:
        user = world.users[username]
        for entry in world.of_kind("agreement"):
            key = (username, entry.token)
            response = export_as(user, entry.record)
            if username not in entry.viewers:
                found[key], expected[key] = response.status_code, 404
                continue
            text = response.getvalue().decode()
            document = json.loads(text)
            found[key] = (
                response.status_code,
                sorted(t for t in world.forbidden_tokens(username) if t in text),
                sorted(c["id"] for c in document["commitments"]),
                sorted(m["id"] for m in document["meetings"]),
                sorted(t["id"] for t in document["trainings"]),
                sorted(r["id"] for r in document["requests"]),
                sorted(a["id"] for a in document["attachments"]),
                all(r["marking"].startswith("TLP:") for r in records(document)),
            )
            expected[key] = (
                200,
                [],
                *(
                    visible_under(world, kind, entry.record, username)
                    for kind in ("commitment", "meeting", "training", "request", "attachment")
                ),
                True,
            )
    assert found == expected


def test_json_is_the_api_answer_and_the_same_twice(world):
    user = world.users["b_officer"]
    agreement = world.cast.agreement
    first = export_as(user, agreement)
    content = first.getvalue()  # streamed: read once
    assert content == export_as(user, agreement).getvalue()
    assert first["Content-Type"] == "application/json"
    document = json.loads(content)
    api = api_client(user)
    assert document["agreement"] == api.get(f"{API}/agreements/{agreement.public_id}").json()
    commitment = document["commitments"][0]
    answer = api.get(f"{API}/commitments/{commitment['id']}").json()
    del answer["is_overdue"]  # true only on the day of reading
    assert {k: v for k, v in commitment.items() if k not in ("reports", "comments")} == answer
    # The files: what the API tells of each, not its content.
    assert document["attachments"] == [
        api.get(f"{API}/attachments/{attachment['id']}").json()
        for attachment in document["attachments"]
    ]
    assert document["highest_marking"] == "TLP:AMBER"
    assert (
        content.decode()
        == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )


def test_json_export_is_audited(world):
    user = world.users["a_reader"]
    export_as(user, world.cast.agreement)
    event = AuditEvent.objects.order_by("-seq").first()
    document = json.loads(export_as(user, world.cast.agreement).getvalue())
    assert (event.action, event.actor, event.after) == (
        "export",
        user,
        {
            "what": "agreement",
            "format": "json",
            "agreement": str(world.cast.agreement.public_id),
            "records": len(records(document)),
        },
    )


def test_the_agreement_page_links_to_its_json(world):
    client = Client()
    client.force_login(world.users["a_reader"])
    agreement = world.cast.agreement
    page = client.get(reverse("reports:agreement-detail", args=[agreement.public_id]))
    assert f'href="{url_of(agreement)}"' in page.content.decode()


# --- the command --------------------------------------------------------------------------


def test_command_writes_the_json_the_page_gives(world, tmp_path):
    agreement = world.cast.agreement
    out = tmp_path / "agreement.json"
    call_command(
        "export",
        str(agreement.public_id),
        "--format",
        "json",
        "-o",
        str(out),
        "--user",
        "b_officer",
    )
    assert out.read_bytes() == export_as(world.users["b_officer"], agreement).getvalue()


def test_command_exports_the_agreements_commitments_as_csv(world, tmp_path):
    out = tmp_path / "commitments.csv"
    agreement = world.cast.agreement
    call_command(
        "export", agreement.title, "--format", "csv", "-o", str(out), "--user", "b_officer"
    )
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    expected = sorted(
        str(e.record.public_id)
        for e in world.of_kind("commitment")
        if "b_officer" in e.viewers and e.record.agreement_id == agreement.pk
    )
    assert sorted(row[0] for row in rows[2:]) == expected


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--format", "pdf", "--user", "a_reader"],
            "--format must be json, csv or xlsx, not 'pdf'",
        ),
        (["--format", "json", "--user", "nobody"], "--user: no active user 'nobody'"),
    ],
)
def test_command_refuses_bad_arguments(world, tmp_path, arguments, message):
    with pytest.raises(CommandError) as refused:
        call_command(
            "export", str(world.cast.agreement.public_id), "-o", str(tmp_path / "x"), *arguments
        )
    assert str(refused.value) == message


def test_command_answers_a_hidden_agreement_as_a_missing_one(world, tmp_path):
    red = next(e.record for e in world.of_kind("agreement") if "c_officer" not in e.viewers)
    for reference in (str(red.public_id), red.title, "00000000-0000-4000-8000-000000000000"):
        with pytest.raises(CommandError) as refused:
            call_command(
                "export",
                reference,
                "--format",
                "json",
                "-o",
                str(tmp_path / "x"),
                "--user",
                "c_officer",
            )
        assert str(refused.value) == f"no agreement {reference!r} that c_officer may see"
    assert not (tmp_path / "x").exists()


# What the document tells of a file: the API's answer (AttachmentOut).
FILE_KEYS = [
    "agreement",
    "content_type",
    "created_at",
    "filename",
    "id",
    "is_illustrative",
    "marking",
    "owning_party",
    "record_id",
    "record_type",
    "red_recipients",
    "scope",
    "sha256",
    "size",
    "updated_at",
    "uploaded_by",
    "version",
]


def test_json_lists_the_files_with_what_is_known_of_them_not_their_content(world):
    document = json.loads(export_as(world.users["a_officer"], world.cast.agreement).getvalue())
    file = next(a for a in document["attachments"] if a["filename"] == "tkFILEASHAREDkt.txt")
    shared = next(e.record for e in world.of_kind("commitment") if e.token == "tkASHAREDkt")
    assert {k: file[k] for k in ("size", "sha256", "owning_party", "marking", "scope")} == {
        "size": 9,
        "sha256": hashlib.sha256(b"evidence\n").hexdigest(),
        "owning_party": "MA-DGSN",
        "marking": "TLP:AMBER",
        "scope": "shared",
    }
    assert (file["record_type"], file["record_id"]) == (
        "agreements.commitment",
        str(shared.public_id),
    )
    assert sorted(file) == FILE_KEYS  # no content, nor where it is stored


def test_json_takes_as_many_queries_for_many_records_as_for_few(cast):
    world = World(cast)
    agreement, ao, bo = cast.agreement, cast.a_officer, cast.b_officer
    everyone = {"scope": Scope.SHARED}

    def add(batch: str, count: int) -> None:
        for number in range(count):
            name = f"{batch}{number}"
            commitment = _commitment(world, ao, agreement, name, AB, **everyone)
            _attachment(world, ao, commitment, f"file{name}", AB)
            _comment(world, bo, commitment, f"comment{name}", AB)
            report = _reported(world, bo, agreement, f"rep{name}", AB)
            _attachment(world, bo, report, f"filerep{name}", AB)
            meeting = _meeting(world, ao, agreement, f"meet{name}", AB, proposer=bo, **everyone)
            _comment(world, bo, meeting, f"commentmeet{name}", AB)
            _training(world, bo, agreement, f"train{name}", AB, **everyone)
            _request(world, ao, agreement, f"req{name}", AB)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            document = json.loads(export_as(bo, agreement).getvalue())
        return len(captured), len(document["commitments"])

    add("few", 1)
    queries()  # once first, so that both count with the same caches (content types)
    few, commitments = queries()
    add("many", 4)
    assert queries() == (few, commitments + 8)  # each batch adds a commitment and a reported one
