import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.services.commitments import commitment_change_status
from entente.audit.models import AuditEvent
from entente.meetings.models import AgendaItem
from entente.meetings.services.agenda import agenda_carry_over, agenda_item_add
from entente.meetings.services.decisions import decision_change_status, decision_record
from entente.meetings.tests.test_services import new_commitment, new_meeting
from entente.testing import agreement_between


def agenda_url(meeting) -> str:
    return reverse("meetings:meeting-agenda", args=[meeting.public_id])


def carry_url(meeting) -> str:
    return reverse("meetings:agenda-carry-over", args=[meeting.public_id])


def agenda_of(meeting) -> list[tuple]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("position", "title", "carried_commitment", "carried_decision")
    )


@pytest.fixture
def loop(cast):
    """A first meeting with decisions, open and closed commitments, then the next one."""
    first = new_meeting(cast, title={"en": "First joint committee"})
    open_decision = decision_record(actor=cast.a_officer, meeting=first, text="Train")
    done_decision = decision_record(actor=cast.a_officer, meeting=first, text="Visit")
    decision_change_status(actor=cast.a_officer, decision=done_decision, status="implemented")
    open_commitment = new_commitment(cast, "Exchange liaison officers")
    done = new_commitment(cast, "Appoint contact points")
    commitment_change_status(
        actor=cast.a_officer, commitment=done, status="done", expected_version=1
    )
    # Not offered to A: B's internal commitment, and one under another agreement.
    new_commitment(cast, "B's own follow-up", actor=cast.b_officer, scope="internal")
    other = agreement_between(cast.a, cast.b, title_en="Another agreement")
    new_commitment(cast, "Elsewhere", agreement=other)
    second = new_meeting(
        cast,
        title={"en": "Second joint committee"},
        starts_at=dt.datetime(2023, 9, 20, 10, 0),
        ends_at=dt.datetime(2023, 9, 20, 16, 0),
    )
    # A decision of the later meeting is never carried back to it.
    decision_record(actor=cast.a_officer, meeting=second, text="Later")
    return {
        "first": first,
        "second": second,
        "open_decision": open_decision,
        "open_commitment": open_commitment,
    }


def test_agenda_page_offers_exactly_the_open_items(client, cast, loop):
    client.force_login(cast.a_officer)
    response = client.get(agenda_url(loop["second"]))
    assert response.status_code == 200
    form = response.context["carry_form"]
    assert list(form.fields["commitments"].queryset) == [loop["open_commitment"]]
    assert list(form.fields["decisions"].queryset) == [loop["open_decision"]]
    page = response.content.decode()
    assert "Exchange liaison officers" in page
    assert "First joint committee (14 Mar 2023), decision 1: Train" in page
    for absent in ("Appoint contact points", "B&#x27;s own follow-up", "Elsewhere", "Visit"):
        assert absent not in page


def test_agenda_carry_over_adds_the_chosen_items_and_stops_offering_them(client, cast, loop):
    second = loop["second"]
    agenda_item_add(actor=cast.a_officer, meeting=second, title="Opening")
    client.force_login(cast.a_officer)
    response = client.post(
        carry_url(second),
        {
            "commitments": [loop["open_commitment"].public_id],
            "decisions": [loop["open_decision"].public_id],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == agenda_url(second)
    assert agenda_of(second) == [
        (1, "Opening", None, None),
        (2, "Exchange liaison officers", loop["open_commitment"].pk, None),
        (3, "Decision 1 of First joint committee", None, loop["open_decision"].pk),
    ]
    form = client.get(agenda_url(second)).context["carry_form"]
    assert (list(form.fields["commitments"].queryset), list(form.fields["decisions"].queryset)) == (
        [],
        [],
    )


def test_agenda_carry_over_with_nothing_chosen_says_so(client, cast, loop):
    client.force_login(cast.a_officer)
    response = client.post(carry_url(loop["second"]), {})
    assert response.status_code == 400
    assert response.context["carry_form"].errors == {
        "__all__": ["Choose at least one item to carry over."]
    }


def test_agenda_carry_over_refuses_an_item_not_offered(client, cast, loop):
    hidden = new_commitment(cast, "Hidden", actor=cast.b_officer, scope="internal")
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = client.post(
        carry_url(loop["second"]),
        {"commitments": [loop["open_commitment"].public_id, hidden.public_id]},
    )
    assert response.status_code == 400
    assert response.context["carry_form"].errors == {
        "commitments": [
            f"Select a valid choice. {hidden.public_id} is not one of the available choices."
        ]
    }
    assert (agenda_of(loop["second"]), AuditEvent.objects.count()) == ([], before)


def test_agenda_carry_over_of_a_later_decision_is_refused(client, cast, loop):
    later = loop["second"].decisions.get()
    client.force_login(cast.a_officer)
    response = client.post(carry_url(loop["first"]), {"decisions": [str(later.public_id)]})
    assert response.status_code == 400
    assert list(response.context["carry_form"].errors) == ["decisions"]


def test_agenda_add_appends_an_item(client, cast, loop):
    client.force_login(cast.a_officer)
    url = reverse("meetings:agenda-add", args=[loop["second"].public_id])
    response = client.post(url, {"title": "Any other business", "notes": "Short"})
    assert response.status_code == 302
    assert agenda_of(loop["second"]) == [(1, "Any other business", None, None)]


def test_agenda_add_blank_title_error_is_next_to_the_field(client, cast, loop):
    client.force_login(cast.a_officer)
    url = reverse("meetings:agenda-add", args=[loop["second"].public_id])
    response = client.post(url, {"title": "  "})
    assert response.status_code == 400
    assert response.context["item_form"].errors == {"title": ["This field is required."]}
    assert agenda_of(loop["second"]) == []


def test_agenda_page_is_read_only_for_a_reader_and_the_other_party(client, cast, loop):
    agenda_item_add(actor=cast.a_officer, meeting=loop["second"], title="Opening")
    for who in ("a_reader", "b_officer"):
        client.force_login(getattr(cast, who))
        response = client.get(agenda_url(loop["second"]))
        assert response.status_code == 200
        assert [i.title for i in response.context["agenda"]] == ["Opening"]
        assert "carry_form" not in response.context
        assert "Carry over what is still open" not in response.content.decode()


def test_agenda_page_of_an_unseen_meeting_is_not_found(client, cast, loop):
    internal = new_meeting(cast, scope="internal")
    client.force_login(cast.b_officer)
    assert client.get(agenda_url(internal)).status_code == 404
    client.force_login(cast.c_officer)
    assert client.get(agenda_url(loop["second"])).status_code == 404


def test_other_party_sees_a_carried_shared_commitment_but_not_an_internal_one(client, cast, loop):
    internal = new_commitment(cast, "Our internal step", scope="internal")
    agenda_carry_over(
        actor=cast.a_officer,
        meeting=loop["second"],
        commitments=[loop["open_commitment"], internal],
    )
    client.force_login(cast.b_officer)
    response = client.get(agenda_url(loop["second"]))
    assert [i.title for i in response.context["agenda"]] == ["Exchange liaison officers"]
    assert "Our internal step" not in response.content.decode()


def test_agenda_item_edit_saves_refuses_a_blank_title_and_answers_a_stale_version(client, cast):
    meeting = new_meeting(cast)
    item = agenda_item_add(actor=cast.a_officer, meeting=meeting, title="Budget")
    url = reverse("meetings:agenda-item-edit", args=[item.public_id])
    client.force_login(cast.a_officer)
    assert client.get(url).status_code == 200
    blank = client.post(url, {"version": 1, "title": "", "notes": ""})
    assert blank.status_code == 400
    saved = client.post(url, {"version": 1, "title": "Budget 2024", "notes": "Figures"})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.notes, item.version) == ("Budget 2024", "Figures", 2)
    stale = client.post(url, {"version": 1, "title": "Old", "notes": ""})
    assert stale.status_code == 409
    assert "Someone else changed this item meanwhile" in stale.content.decode()
    assert stale.context["form"]["version"].value() == "2"
    item.refresh_from_db()
    assert item.title == "Budget 2024"
