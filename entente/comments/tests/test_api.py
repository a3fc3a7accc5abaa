"""The comments API: threads of commitments, meetings and trainings; one comment."""

import pytest

from entente.accounts.enums import Role
from entente.audit.models import AuditEvent
from entente.comments.models import Comment
from entente.comments.services import comment_add
from entente.comments.tests.records import commitment, meeting, training
from entente.core.enums import Scope
from entente.testing import member
from entente.tests.api_helpers import api_client, iso, problem_body

pytestmark = pytest.mark.django_db

API = "/api/v1"
MISSING = "00000000-0000-4000-8000-000000000000"
PLURAL = {commitment: "commitments", meeting: "meetings", training: "trainings"}


def thread(record, make=commitment) -> str:
    return f"{API}/{PLURAL[make]}/{record.public_id}/comments"


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def counts() -> tuple[int, int]:
    return Comment.objects.count(), AuditEvent.objects.count()


def comment_json(comment, **values) -> dict:
    comment.refresh_from_db()
    return {
        "id": str(comment.public_id),
        "owning_party": comment.owning_party.code,
        "scope": comment.scope,
        "marking": comment.marking,
        "red_recipients": sorted(u.username for u in comment.red_recipients.all()),
        "version": comment.version,
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "is_illustrative": False,
        "agreement": str(comment.agreement.public_id),
        "record_type": f"{comment.target_type.app_label}.{comment.target_type.model}",
        "record_id": str(comment.target.public_id),
        "author": comment.author.username,
        "text": comment.text,
    } | values


@pytest.mark.parametrize("make", [commitment, meeting, training])
def test_a_writer_comments_and_both_parties_read_the_thread(cast, make):
    record = make(cast)
    a_client, b_client = api_client(cast.a_officer), api_client(cast.b_officer)
    response = post(b_client, thread(record, make), {"text": "Which date suits you?"})
    assert response.status_code == 201
    made = Comment.objects.get()
    assert response.json() == comment_json(made)
    assert (made.owning_party, made.scope, made.marking) == (cast.b, "shared", "TLP:AMBER")
    assert response["Location"] == f"{API}/comments/{made.public_id}"
    assert response["ETag"] == f'"comment-{made.public_id}-v1"'
    mine = comment_add(actor=cast.a_officer, record=record, text="Mine", scope=Scope.INTERNAL)
    listed = a_client.get(thread(record, make))
    assert listed.json() == {"items": [comment_json(made), comment_json(mine)], "next_cursor": None}
    assert b_client.get(thread(record, make)).json()["items"] == [comment_json(made)]


def test_the_thread_pages_with_a_cursor_oldest_first(cast):
    record = commitment(cast)
    made = [comment_add(actor=cast.a_officer, record=record, text=f"#{n}") for n in range(3)]
    client = api_client(cast.b_officer)
    first = client.get(thread(record), {"limit": 2}).json()
    assert [item["text"] for item in first["items"]] == ["#0", "#1"]
    rest = client.get(thread(record), {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert rest == {"items": [comment_json(made[2])], "next_cursor": None}


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_reader", 403, "Your role does not allow changes."),
        ("a_auditor", 403, "Your role does not allow changes."),
        ("c_officer", 404, "No such record."),
    ],
)
def test_who_may_not_comment(cast, who, status, detail):
    cast.a_auditor = member("a_auditor", cast.a, Role.AUDITOR, cast.a_cell)
    record = commitment(cast)
    client = api_client(getattr(cast, who))
    before = counts()
    response = post(client, thread(record), {"text": "Hello"})
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert counts() == before


def test_a_hidden_record_answers_as_a_missing_one(cast):
    hidden = commitment(cast, scope=Scope.INTERNAL)
    client = api_client(cast.b_officer)
    before = counts()
    for send in (client.get, lambda path: post(client, path, {"text": "Hello"})):
        response = send(thread(hidden))
        missing = send(f"{API}/commitments/{MISSING}/comments")
        assert (response.status_code, response.json()["detail"]) == (404, "No such record.")
        assert (missing.status_code, missing.json()["detail"]) == (404, "No such record.")
    assert counts() == before


def test_a_looser_marking_is_422_naming_the_field(cast):
    record = commitment(cast)
    client = api_client(cast.a_officer)
    before = counts()
    path = thread(record)
    response = post(client, path, {"text": "Hi", "marking": "TLP:CLEAR"})
    assert response.json() == problem_body(
        422,
        "Unprocessable Content",
        "The input is not valid.",
        path,
        errors=[
            {
                "field": "marking",
                "message": "A comment cannot be marked less strictly than its record (TLP:AMBER).",
            }
        ],
    )
    assert counts() == before


def test_the_author_rewrites_with_if_match(cast):
    comment = comment_add(actor=cast.a_officer, record=commitment(cast), text="First")
    client = api_client(cast.a_officer)
    path = f"{API}/comments/{comment.public_id}"
    read = client.get(path)
    assert (read.json(), read["ETag"]) == (
        comment_json(comment),
        f'"comment-{comment.public_id}-v1"',
    )
    assert client.patch(path, {"text": "x"}, content_type="application/json").status_code == 428
    response = client.patch(
        path, {"text": "Second"}, content_type="application/json", HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200
    assert response.json() == comment_json(comment, text="Second", version=2)
    stale = client.patch(
        path, {"text": "Third"}, content_type="application/json", HTTP_IF_MATCH=read["ETag"]
    )
    assert stale.status_code == 412
    comment.refresh_from_db()
    assert comment.text == "Second"


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("a_coordinator", 403, "Only the author of a comment may change it."),
        ("a_reader", 403, "Your role does not allow changes."),
        ("b_officer", 403, "Only the party that owns this record may change it."),
        ("c_officer", 404, "No such record."),
    ],
)
def test_only_the_author_rewrites_or_deletes(cast, who, status, detail):
    comment = comment_add(actor=cast.a_officer, record=commitment(cast), text="Mine")
    client = api_client(getattr(cast, who))
    path = f"{API}/comments/{comment.public_id}"
    before = counts()
    patched = client.patch(
        path,
        {"text": "x"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"comment-{comment.public_id}-v1"',
    )
    deleted = client.delete(path)
    for response in (patched, deleted):
        assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert counts() == before


def test_the_author_deletes(cast):
    comment = comment_add(actor=cast.a_officer, record=commitment(cast), text="Oops")
    client = api_client(cast.a_officer)
    path = f"{API}/comments/{comment.public_id}"
    assert client.delete(path).status_code == 204
    assert Comment.objects.count() == 0
    assert client.get(path).status_code == 404
    assert AuditEvent.objects.order_by("-seq").first().action == "delete"


def test_an_internal_comment_of_the_other_party_is_not_found(cast):
    comment = comment_add(
        actor=cast.b_officer, record=commitment(cast), text="Ours", scope=Scope.INTERNAL
    )
    response = api_client(cast.a_coordinator).get(f"{API}/comments/{comment.public_id}")
    assert (response.status_code, response.json()["detail"]) == (404, "No such record.")
