"""The audit trail page of one record: who changed what, when, for users who may see it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.services.commitments import (
    commitment_change_status,
    commitment_create,
    commitment_update,
)
from entente.core.enums import Scope
from entente.core.models import Handling


def trail(record_type: str, pk) -> str:
    return reverse("records:record-trail", args=[record_type, pk])


def commitment(cast, *, scope=Scope.SHARED):
    return commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Share routes"},
        responsible_party=cast.a,
        due_date=dt.date(2030, 1, 1),
        handling=Handling(scope=scope),
    )


def summary(response) -> list[tuple]:
    return [
        (e.label, e.actor_name, e.party.code if e.party else None, e.changes)
        for e in response.context["events"]
    ]


def test_trail_shows_who_changed_what_newest_first(client, cast):
    c = commitment(cast)
    commitment_change_status(
        actor=cast.a_officer, commitment=c, status="in_progress", expected_version=1, progress=20
    )
    client.force_login(cast.a_reader)
    response = client.get(trail("agreements.commitment", c.public_id))
    assert response.status_code == 200
    assert summary(response) == [
        (
            "Status changed",
            "a_officer",
            "MA-DGSN",
            [
                {"field": "status", "before": "Planned", "after": "In progress"},
                {"field": "progress (%)", "before": "0", "after": "20"},
            ],
        ),
        (
            "Created",
            "a_officer",
            "MA-DGSN",
            [
                {"field": "owning party", "before": None, "after": "MA-DGSN"},
                {"field": "scope", "before": None, "after": "Shared"},
                {"field": "marking", "before": None, "after": "TLP:AMBER"},
                {"field": "illustrative", "before": None, "after": "No"},
                {"field": "reference language", "before": None, "after": "English"},
                {
                    "field": "agreement",
                    "before": None,
                    "after": "Letter of intent on police cooperation",
                },
                {"field": "responsible party", "before": None, "after": "MA-DGSN"},
                {"field": "title [en]", "before": None, "after": "Share routes"},
                {"field": "kind", "before": None, "after": "One-off"},
                {"field": "due date", "before": None, "after": "1 Jan 2030"},
                {"field": "status", "before": None, "after": "Planned"},
                {"field": "progress (%)", "before": None, "after": "0"},
            ],
        ),
    ]
    html = response.content.decode()
    assert "TLP:AMBER" in html  # the marking banner of the record
    assert reverse("agreements:commitment-detail", args=[c.public_id]) in html


def test_trail_is_linked_from_the_record_pages(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    page = client.get(reverse("agreements:commitment-detail", args=[c.public_id]))
    assert trail("agreements.commitment", c.public_id) in page.content.decode()
    page = client.get(reverse("reports:agreement-detail", args=[cast.agreement.public_id]))
    assert trail("agreements.agreement", cast.agreement.public_id) in page.content.decode()


def test_trail_of_a_shared_record_is_seen_by_the_other_party(client, cast):
    c = commitment(cast)
    client.force_login(cast.b_officer)
    response = client.get(trail("agreements.commitment", c.public_id))
    assert [e.label for e in response.context["events"]] == ["Created"]


def test_trail_of_a_record_the_user_may_not_see_is_404(client, cast):
    c = commitment(cast, scope=Scope.INTERNAL)
    client.force_login(cast.b_officer)
    assert client.get(trail("agreements.commitment", c.public_id)).status_code == 404
    client.force_login(cast.c_officer)
    assert client.get(trail("agreements.agreement", cast.agreement.public_id)).status_code == 404


@pytest.mark.parametrize(
    "record_type", ["accounts.user", "audit.auditevent", "agreements.signatory", "nonsense"]
)
def test_trail_of_an_unknown_record_type_is_404(client, cast, record_type):
    client.force_login(cast.a_officer)
    assert client.get(trail(record_type, "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a")).status_code == 404


def test_trail_of_a_record_that_does_not_exist_is_404(client, cast):
    client.force_login(cast.a_officer)
    assert (
        client.get(
            trail("agreements.commitment", "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a")
        ).status_code
        == 404
    )


def test_trail_requires_sign_in(client, cast):
    url = trail("agreements.agreement", cast.agreement.public_id)
    assert client.get(url).url == f"{reverse('login')}?next={url}"


def test_trail_query_count_does_not_grow_with_events(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)

    def change(times):
        for _ in range(times):
            current = type(c).objects.get(pk=c.pk)
            commitment_update(
                actor=cast.a_officer,
                commitment=current,
                expected_version=current.version,
                progress=(current.progress + 1),
            )

    change(1)
    url = trail("agreements.commitment", c.public_id)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["events"]) == 2
    change(8)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["events"]) == 10
    assert len(many) == len(few)
