"""Commitment pages: detail, new, edit (with the version conflict) and status change."""

import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create
from entente.audit.models import AuditEvent
from entente.core.enums import Scope
from entente.testing import UnitFactory, with_handling


def commitment(cast, title="Designate a contact cell", *, actor=None, party=None, **kw):
    defaults = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "title": {"en": title},
        "responsible_party": party or cast.a,
        "due_date": dt.date(2030, 6, 30),
        "scope": Scope.SHARED,
    }
    return commitment_create(**with_handling(defaults | kw))


def detail(c) -> str:
    return reverse("agreements:commitment-detail", args=[c.public_id])


def edit(c) -> str:
    return reverse("agreements:commitment-edit", args=[c.public_id])


def status_url(c) -> str:
    return reverse("agreements:commitment-status", args=[c.public_id])


def create_url(agreement) -> str:
    return reverse("agreements:commitment-create", args=[agreement.public_id])


def form_data(cast, **overrides) -> dict:
    data = {
        "reference_language": "en",
        "title_en": "Host a course",
        "title_fr": "Organiser un cours",
        "description_en": "For ten officers.",
        "responsible_party": cast.a.pk,
        "kind": "one_off",
        "recurrence": "",
        "due_date": "2030-09-01",
        "progress": "0",
        "scope": "internal",
        "marking": "TLP:AMBER",
    }
    return {k: v for k, v in (data | overrides).items() if v is not None}


def edit_data(c, **overrides) -> dict:
    data = {
        "reference_language": c.reference_language,
        "title_en": c.title_en,
        "responsible_party": c.responsible_party_id,
        "kind": c.kind,
        "recurrence": c.recurrence,
        "due_date": c.due_date.isoformat() if c.due_date else "",
        "progress": str(c.progress),
        "version": str(c.version),
    }
    return data | overrides


# --- detail -------------------------------------------------------------------------------


def test_commitment_page_shows_the_record_with_marking_and_actions(client, cast):
    c = commitment(cast, marking="TLP:GREEN", due_date=dt.date(2020, 1, 1))
    client.force_login(cast.a_officer)
    response = client.get(detail(c))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1><span lang="en" dir="auto">Designate a contact cell</span></h1>' in html
    assert "TLP:GREEN" in html
    assert "Overdue" in html
    assert edit(c) in html
    assert reverse("records:record-trail", args=["agreements.commitment", c.public_id]) in html
    assert response.context["status_form"].fields["status"].choices == [
        ("", "Keep the status"),
        ("in_progress", "In progress"),
        ("done", "Done"),
        ("deferred", "Deferred"),
        ("cancelled", "Cancelled"),
    ]


def test_commitment_page_for_a_reader_has_no_write_actions(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_reader)
    response = client.get(detail(c))
    assert response.status_code == 200
    assert response.context["status_form"] is None
    html = response.content.decode()
    assert reverse("attachments:upload", args=["agreements.commitment", c.public_id]) not in html
    assert edit(c) not in html


def test_commitment_page_is_404_for_the_other_party_while_internal(client, cast):
    c = commitment(cast, scope=Scope.INTERNAL)
    client.force_login(cast.b_officer)
    assert client.get(detail(c)).status_code == 404
    client.force_login(cast.c_officer)
    assert client.get(detail(commitment(cast, "Shared"))).status_code == 404


def test_commitment_page_hides_a_contact_the_user_may_not_see(client, cast):
    from entente.testing import ContactFactory

    contact = ContactFactory(unit=cast.a_cell, name="Internal person", scope=Scope.INTERNAL)
    c = commitment(cast, responsible_contact=contact)
    client.force_login(cast.a_officer)
    assert client.get(detail(c)).context["contact"] == contact
    client.force_login(cast.b_officer)
    response = client.get(detail(c))
    assert response.context["contact"] is None
    assert "Internal person" not in response.content.decode()


# --- new ----------------------------------------------------------------------------------


def test_commitment_create_records_it_and_redirects(client, cast):
    client.force_login(cast.a_officer)
    assert client.get(create_url(cast.agreement)).status_code == 200
    response = client.post(create_url(cast.agreement), form_data(cast))
    c = Commitment.objects.get()
    assert response.status_code == 302
    assert response.url == detail(c)
    assert (c.title_en, c.title_fr, c.title_nl, c.description_en) == (
        "Host a course",
        "Organiser un cours",
        None,
        "For ten officers.",
    )
    assert (c.owning_party, c.scope, c.marking, c.due_date, c.version) == (
        cast.a,
        "internal",
        "TLP:AMBER",
        dt.date(2030, 9, 1),
        1,
    )


def test_commitment_create_shows_errors_next_to_their_field(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(
        create_url(cast.agreement),
        form_data(cast, title_en="", reference_language="en", progress="120"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title_en": ["Give the text in the reference language."],
        "progress": ["Ensure this value is less than or equal to 100."],
    }
    assert Commitment.objects.count() == 0


def test_commitment_create_shows_service_refusals_next_to_their_field(client, cast):
    client.force_login(cast.a_officer)
    unit_of_b = UnitFactory(party=cast.b)
    before = AuditEvent.objects.count()
    response = client.post(
        create_url(cast.agreement), form_data(cast, responsible_unit=unit_of_b.pk)
    )
    assert response.context["form"].errors == {
        "responsible_unit": ["The unit belongs to another party."]
    }
    response = client.post(create_url(cast.agreement), form_data(cast, kind="recurring"))
    assert response.context["form"].errors == {
        "recurrence": ["A recurring commitment needs a recurrence."]
    }
    assert (Commitment.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_commitment_create_is_403_for_readers_and_404_for_outsiders(client, cast):
    client.force_login(cast.a_reader)
    assert client.get(create_url(cast.agreement)).status_code == 403
    assert client.post(create_url(cast.agreement), form_data(cast)).status_code == 403
    client.force_login(cast.c_officer)
    assert client.post(create_url(cast.agreement), form_data(cast)).status_code == 404
    assert Commitment.objects.count() == 0


# --- edit and the version conflict --------------------------------------------------------


def test_commitment_edit_form_carries_the_version(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = client.get(edit(c))
    assert response.status_code == 200
    assert '<input type="hidden" name="version" value="1"' in response.content.decode()
    assert response.context["form"].initial["title_en"] == "Designate a contact cell"


def test_commitment_edit_saves_only_what_changed(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = client.post(edit(c), edit_data(c, progress="40", title_fr="Désigner"))
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.progress, c.title_fr, c.version) == (40, "Désigner", 2)
    event = AuditEvent.objects.filter(target_id=str(c.pk), action="update").get()
    assert event.before == {"progress": 0, "title_fr": None, "version": 1} | {
        "updated_at": event.before["updated_at"]
    }


def test_commitment_edit_second_save_of_the_same_version_shows_the_conflict(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    first = client.post(edit(c), edit_data(c, progress="40"))
    assert first.status_code == 302
    second = client.post(edit(c), edit_data(c, progress="50"))
    assert second.status_code == 409
    assert second.context["conflict"] == [{"field": "progress (%)", "value": "40"}]
    html = second.content.decode()
    assert "Not saved: someone else changed this record" in html
    # The user's input is kept, on the current version.
    assert second.context["form"]["progress"].value() == "50"
    assert second.context["form"]["version"].value() == "2"
    c.refresh_from_db()
    assert (c.progress, c.version) == (40, 2)


def test_commitment_edit_forged_version_is_a_form_error(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = client.post(edit(c), edit_data(c, version="abc", progress="10"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "version": ["The form is missing the record's version; reload the page."]
    }
    c.refresh_from_db()
    assert c.progress == 0


def test_commitment_edit_is_403_for_readers_and_the_other_party_404_when_internal(client, cast):
    shared, internal = commitment(cast), commitment(cast, "Internal", scope=Scope.INTERNAL)
    client.force_login(cast.a_reader)
    assert client.get(edit(shared)).status_code == 403
    assert client.post(edit(shared), edit_data(shared, progress="9")).status_code == 403
    client.force_login(cast.b_officer)
    assert client.post(edit(shared), edit_data(shared, progress="9")).status_code == 403
    assert client.post(edit(internal), edit_data(internal, progress="9")).status_code == 404
    assert [c.progress for c in Commitment.objects.order_by("pk")] == [0, 0]


def test_commitment_edit_without_changes_saves_nothing(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    response = client.post(edit(c), edit_data(c))
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.version == 1


# --- status -------------------------------------------------------------------------------


def test_commitment_status_change(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    assert client.get(status_url(c)).status_code == 200
    response = client.post(status_url(c), {"status": "in_progress", "progress": "30", "version": 1})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.progress, c.version) == ("in_progress", 30, 2)


def test_commitment_status_refused_transition_is_shown_next_to_status(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    client.post(status_url(c), {"status": "cancelled", "version": 1})
    response = client.post(status_url(c), {"status": "planned", "version": 2})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "status": ["A commitment cannot go from Cancelled to Planned."]
    }


def test_commitment_status_conflict(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_officer)
    client.post(status_url(c), {"status": "in_progress", "version": 1})
    response = client.post(status_url(c), {"status": "deferred", "version": 1})
    assert response.status_code == 409
    assert response.context["conflict"] == [{"field": "status", "value": "In progress"}]
    c.refresh_from_db()
    assert c.status == "in_progress"


def test_commitment_status_is_403_for_readers(client, cast):
    c = commitment(cast)
    client.force_login(cast.a_reader)
    assert client.post(status_url(c), {"status": "done", "version": 1}).status_code == 403
    c.refresh_from_db()
    assert c.status == "planned"


@pytest.mark.parametrize("who", ["b_officer", "c_officer"])
def test_commitment_status_other_parties(client, cast, who):
    shared, internal = commitment(cast), commitment(cast, "Internal", scope=Scope.INTERNAL)
    client.force_login(getattr(cast, who))
    expected = 403 if who == "b_officer" else 404
    assert client.post(status_url(shared), {"status": "done", "version": 1}).status_code == (
        expected
    )
    assert client.post(status_url(internal), {"status": "done", "version": 1}).status_code == 404
