"""The idempotency store (issue 10, item 9): it keeps what a replay needs and no answer
body, replays through the records' doors for the replaying user, binds each key to its
user, and forgets keys after ENTENTE_IDEMPOTENCY_HOURS (on write and by command)."""

import datetime as dt
import io

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from entente.agreements.models import Commitment
from entente.apikit.models import IdempotencyKey
from entente.audit.models import AuditEvent
from entente.core.enums import Marking
from entente.tests.api_helpers import api_client

NEW = {
    "title": {"en": "Train 40 officers"},
    "responsible_party": "NL-POL",
    "due_date": "2031-12-31",
}


def path(cast) -> str:
    return f"/api/v1/agreements/{cast.agreement.public_id}/commitments"


def post(client, cast, key: str, body: dict = NEW):
    return client.post(path(cast), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def age(hours: float) -> None:
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=hours))


def test_the_store_keeps_no_answer_body(cast):
    columns = {
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), IdempotencyKey._meta.db_table
        )
    }
    assert columns == {
        "id",
        "user_id",
        "key",
        "method",
        "path",
        "request_hash",
        "response_status",
        "record_ids",
        "created_at",
    }
    first = post(api_client(cast.a_officer), cast, "k-1")
    stored = IdempotencyKey.objects.get()
    assert (stored.response_status, stored.record_ids) == (201, [first.json()["id"]])


def test_a_replay_answers_the_same_status_and_location_with_the_record_as_it_is_now(cast):
    client = api_client(cast.a_officer)
    first = post(client, cast, "k-1")
    commitment = Commitment.objects.get()
    Commitment.objects.filter(pk=commitment.pk).update(progress=50)
    again = post(client, cast, "k-1")
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again["Location"] == first["Location"] == f"/api/v1/commitments/{commitment.public_id}"
    # Read again, not stored: the replay shows the record as it is now.
    assert (first.json()["progress"], again.json()["progress"]) == (0, 50)
    assert again.json() == first.json() | {"progress": 50}
    assert Commitment.objects.count() == 1


def test_a_replay_obeys_the_access_rules_of_now(cast):
    client = api_client(cast.a_officer)
    assert post(client, cast, "k-1").status_code == 201
    # Marked red with no recipients: only the owning party's coordinators see it now.
    Commitment.objects.update(marking=Marking.RED)
    again = post(client, cast, "k-1")
    assert again.status_code == 404
    assert "Train 40 officers" not in again.text
    assert Commitment.objects.count() == 1


def test_another_users_key_never_replays_their_result(cast):
    first = post(api_client(cast.a_officer), cast, "shared-key")
    theirs = post(api_client(cast.b_officer), cast, "shared-key")
    assert (first.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != first.json()["id"]
    assert theirs.json()["owning_party"] == "NL-POL"
    assert sorted(IdempotencyKey.objects.values_list("user__username", flat=True)) == [
        "a_officer",
        "b_officer",
    ]


@override_settings(IDEMPOTENCY_HOURS=2)
def test_a_key_is_honoured_for_the_configured_hours_only(cast):
    client = api_client(cast.a_officer)
    post(client, cast, "k-1")
    age(1.9)
    assert post(client, cast, "k-1")["Idempotent-Replayed"] == "true"
    age(2.1)
    again = post(client, cast, "k-1")
    assert (again.status_code, "Idempotent-Replayed" in again) == (201, False)
    assert Commitment.objects.count() == 2


@override_settings(IDEMPOTENCY_HOURS=24)
def test_expired_keys_are_deleted_when_a_key_is_written(cast):
    post(api_client(cast.b_officer), cast, "old")
    age(25)
    post(api_client(cast.a_officer), cast, "new")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@override_settings(IDEMPOTENCY_HOURS=24)
def test_the_purge_command_deletes_expired_keys_only(cast):
    post(api_client(cast.a_officer), cast, "old-1")
    post(api_client(cast.b_officer), cast, "old-2")
    age(25)
    post(api_client(cast.a_officer), cast, "fresh")  # purges the old ones by itself...
    post(api_client(cast.a_officer), cast, "old-3")
    IdempotencyKey.objects.filter(key="old-3").update(
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1)
    )
    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("purge_idempotency", stdout=out)  # ...and the command the rest
    assert out.getvalue() == "Deleted 1 idempotency key(s) older than 24 hours.\n"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert AuditEvent.objects.count() == events
