"""A joint meeting seen and prepared by both parties: B proposes items on A's shared
meeting, each party keeps its own items (and may keep them internal), A orders the
agenda, attendance comes from both directories and guests; actions are offered only
when the service would accept them."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from entente.accounts.enums import Role
from entente.audit.models import AuditEvent
from entente.meetings.models import AgendaItem, Guest
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.meetings import meeting_change_status
from entente.meetings.tests.test_services import future_meeting, new_meeting
from entente.testing import ContactFactory, member

pytestmark = pytest.mark.django_db


def detail_url(meeting) -> str:
    return reverse("meetings:meeting-detail", args=[meeting.public_id])


def add_url(meeting) -> str:
    return reverse("meetings:agenda-add", args=[meeting.public_id])


def item_url(name: str, item) -> str:
    return reverse(f"meetings:agenda-item-{name}", args=[item.public_id])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def numbered(response) -> list[tuple[str, str]]:
    """(number, title) of the agenda items a page shows, in order."""
    return re.findall(
        r'<li value="(\d+)" id="item-[^"]+">\s*<div class="mtg-item-head">\s*'
        r'<span class="mtg-item-title">([^<]*)</span>',
        response.content.decode(),
    )


def stored(meeting) -> list[tuple[int, str, str, str]]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("position", "title", "owning_party__code", "scope")
    )


@pytest.fixture
def joint(cast):
    """A's shared planned meeting with an item of A, B's internal item, A's internal item
    and a shared item of B, in that order."""
    meeting = future_meeting(cast)
    add = agenda_item_add
    add(actor=cast.a_officer, meeting=meeting, title="Opening")
    add(actor=cast.b_officer, meeting=meeting, title="NL briefing", scope="internal")
    add(actor=cast.a_officer, meeting=meeting, title="MA line to take", scope="internal")
    add(actor=cast.b_officer, meeting=meeting, title="Cybercrime desk")
    return meeting


def test_the_other_party_proposes_an_item_it_then_owns(client, cast):
    meeting = future_meeting(cast)
    client.force_login(cast.b_officer)
    response = client.post(add_url(meeting), {"title": "Joint training plan", "notes": "2027"})
    assert response.status_code == 302
    assert stored(meeting) == [(1, "Joint training plan", "NL-POL", "shared")]
    item = AgendaItem.objects.get()
    assert list(
        AuditEvent.objects.filter(
            target_type="meetings.agendaitem", target_id=str(item.pk)
        ).values_list("action", "actor_name")
    ) == [("create", "b_officer")]
    client.force_login(cast.a_reader)
    assert numbered(client.get(detail_url(meeting))) == [("1", "Joint training plan")]


def test_proposal_refused_to_readers_and_unknown_to_outsiders(client, cast):
    meeting = future_meeting(cast)
    b_reader = member("b_reader", cast.b, Role.READER, cast.b_cell)
    before = AuditEvent.objects.count()
    for user, status in ((b_reader, 403), (cast.a_reader, 403), (cast.c_officer, 404)):
        client.force_login(user)
        response = client.post(add_url(meeting), {"title": "Forged"})
        assert response.status_code == status
    client.force_login(b_reader)
    assert "Your role does not allow changes." in text_of(
        client.post(add_url(meeting), {"title": "Forged"})
    )
    assert AgendaItem.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_proposal_on_a_meeting_hidden_from_the_proposer_is_not_found(client, cast):
    internal = future_meeting(cast, scope="internal")
    client.force_login(cast.b_officer)
    assert client.post(add_url(internal), {"title": "Forged"}).status_code == 404
    assert (
        client.get(reverse("meetings:meeting-agenda", args=[internal.public_id])).status_code == 404
    )
    assert AgendaItem.objects.count() == 0


def test_internal_items_are_absent_for_the_other_party_and_marked_for_their_own(
    client, cast, joint
):
    client.force_login(cast.a_officer)
    page = client.get(detail_url(joint))
    assert numbered(page) == [("1", "Opening"), ("2", "MA line to take"), ("3", "Cybercrime desk")]
    assert "NL briefing" not in text_of(page)
    assert text_of(page).count('<span class="badge badge-warn">Internal</span>') == 1

    client.force_login(cast.b_officer)
    page = client.get(detail_url(joint))
    assert numbered(page) == [("1", "Opening"), ("2", "NL briefing"), ("3", "Cybercrime desk")]
    assert "MA line to take" not in text_of(page)
    assert re.search(
        r"NL briefing</span> <span class=\"badge badge-warn\">Internal</span>", text_of(page)
    )


def test_the_host_reorders_among_what_it_sees_and_hidden_items_keep_their_place(
    client, cast, joint
):
    cyber = AgendaItem.objects.get(title="Cybercrime desk")
    client.force_login(cast.a_officer)
    response = client.post(item_url("move", cyber), {"position": "1"})
    assert response.status_code == 302
    assert stored(joint) == [
        (1, "Cybercrime desk", "NL-POL", "shared"),
        (2, "NL briefing", "NL-POL", "internal"),
        (3, "Opening", "MA-DGSN", "shared"),
        (4, "MA line to take", "MA-DGSN", "internal"),
    ]
    client.force_login(cast.b_officer)
    assert numbered(client.get(detail_url(joint))) == [
        ("1", "Cybercrime desk"),
        ("2", "NL briefing"),
        ("3", "Opening"),
    ]
    assert list(
        AuditEvent.objects.filter(action="move").values_list("actor_name", "before", "after")
    ) == [("a_officer", {"position": 4}, {"position": 1})]


def test_only_the_host_reorders(client, cast, joint):
    opening = AgendaItem.objects.get(title="Opening")
    mine = AgendaItem.objects.get(title="Cybercrime desk")
    before = (stored(joint), AuditEvent.objects.count())
    for user, item, status in (
        (cast.b_officer, mine, 403),
        (cast.b_officer, opening, 403),
        (cast.a_reader, opening, 403),
        (cast.c_officer, opening, 404),
    ):
        client.force_login(user)
        assert client.post(item_url("move", item), {"position": "2"}).status_code == status
    client.force_login(cast.b_officer)
    assert "Only the party that owns this record may change it." in text_of(
        client.post(item_url("move", mine), {"position": "1"})
    )
    assert (stored(joint), AuditEvent.objects.count()) == before


def test_a_move_out_of_range_says_why_and_changes_nothing(client, cast, joint):
    opening = AgendaItem.objects.get(title="Opening")
    before = (stored(joint), AuditEvent.objects.count())
    client.force_login(cast.a_officer)
    response = client.post(item_url("move", opening), {"position": "4"})
    assert response.status_code == 400
    assert "Choose a position from 1 to 3." in text_of(response)
    assert (stored(joint), AuditEvent.objects.count()) == before


def test_the_proposer_edits_and_removes_its_own_items_only(client, cast, joint):
    cyber = AgendaItem.objects.get(title="Cybercrime desk")
    opening = AgendaItem.objects.get(title="Opening")
    client.force_login(cast.b_officer)
    page = client.get(detail_url(joint))
    assert text_of(page).count('>Edit<span class="visually-hidden">') == 2  # its two items
    assert client.get(item_url("edit", cyber)).status_code == 200
    response = client.post(
        item_url("edit", cyber), {"version": "1", "title": "Cybercrime desk (NL)", "notes": ""}
    )
    assert response.status_code == 302
    assert client.post(item_url("edit", opening), {"version": "1", "title": "X"}).status_code == 403
    assert client.post(item_url("remove", opening)).status_code == 403

    client.force_login(cast.a_officer)
    assert client.post(item_url("edit", cyber), {"version": "2", "title": "X"}).status_code == 403
    assert client.post(item_url("remove", cyber)).status_code == 403
    client.force_login(cast.c_officer)
    assert client.post(item_url("edit", cyber), {"version": "2", "title": "X"}).status_code == 404

    client.force_login(cast.b_officer)
    assert client.post(item_url("remove", cyber)).status_code == 302
    assert stored(joint) == [
        (1, "Opening", "MA-DGSN", "shared"),
        (2, "NL briefing", "NL-POL", "internal"),
        (3, "MA line to take", "MA-DGSN", "internal"),
    ]
    assert list(
        AuditEvent.objects.filter(actor_name="b_officer", action__in=["update", "delete"])
        .values_list("action", flat=True)
        .order_by("seq")
    ) == ["update", "delete"]


def test_an_edit_with_a_blank_title_says_so_and_keeps_the_item(client, cast, joint):
    cyber = AgendaItem.objects.get(title="Cybercrime desk")
    client.force_login(cast.b_officer)
    response = client.post(item_url("edit", cyber), {"version": "1", "title": " "})
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    cyber.refresh_from_db()
    assert (cyber.title, cyber.version) == ("Cybercrime desk", 1)


def test_the_agenda_is_fixed_once_the_meeting_is_held(client, cast):
    meeting = new_meeting(cast)  # in the past
    item = agenda_item_add(actor=cast.b_officer, meeting=meeting, title="NL point")
    meeting = meeting_change_status(
        actor=cast.a_officer, meeting=meeting, status="held", expected_version=1
    )
    client.force_login(cast.b_officer)
    page = client.get(detail_url(meeting))
    assert "Remove<span" not in text_of(page)
    response = client.post(item_url("remove", item))
    assert response.status_code == 400
    assert "The agenda can be changed only while the meeting is planned." in text_of(response)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_held_is_not_offered_before_the_start_and_the_reason_is_shown(client, cast):
    meeting = future_meeting(cast)
    client.force_login(cast.a_officer)
    page = text_of(client.get(detail_url(meeting)))
    start = meeting.starts_at.astimezone(ZoneInfo("Africa/Casablanca"))
    assert (
        '<button type="button" disabled aria-describedby="unmet-held">Mark as held</button>' in page
    )
    utc = meeting.starts_at.astimezone(ZoneInfo("UTC")).isoformat()
    shown = f"{start.day} {start:%b %Y, %H:%M}"
    assert (
        f'Can be marked held once it has started, on <time datetime="{utc}">{shown}</time>.' in page
    )
    assert 'name="status" value="held"' not in page
    assert 'name="status" value="cancelled"' in page
    response = client.post(
        reverse("meetings:meeting-status", args=[meeting.public_id]),
        {"status": "held", "version": "1"},
    )
    assert response.status_code == 400
    assert "A meeting cannot be held before it starts." in text_of(response)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == ("planned", 1)


def test_held_is_offered_once_the_meeting_has_started(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    page = text_of(client.get(detail_url(meeting)))
    assert 'name="status" value="held"' in page
    assert "unmet-held" not in page


def test_attendance_from_both_directories_and_guests(client, cast):
    meeting = new_meeting(cast)
    ma = ContactFactory(unit=cast.a_cell, name="Amina Alaoui")
    nl = ContactFactory(unit=cast.b_cell, name="Jan de Vries")
    client.force_login(cast.a_officer)
    url = reverse("meetings:attendance-set", args=[meeting.public_id])
    assert client.post(url, {"contact": ma.public_id, "status": "attended"}).status_code == 302
    guests = reverse("meetings:guest-add", args=[meeting.public_id])
    response = client.post(
        guests, {"name": "Dr. Lina Haddad", "organisation": "Europol", "status": "attended"}
    )
    assert response.status_code == 302
    client.force_login(cast.b_officer)
    assert client.post(url, {"contact": nl.public_id, "status": "attended"}).status_code == 302
    assert client.post(url, {"contact": ma.public_id, "status": "excused"}).status_code == 403
    assert client.post(guests, {"name": "Forged", "status": "invited"}).status_code == 403
    b_reader = member("b_reader", cast.b, Role.READER, cast.b_cell)
    client.force_login(b_reader)
    assert client.post(url, {"contact": nl.public_id, "status": "excused"}).status_code == 403
    client.force_login(cast.c_officer)
    assert client.post(guests, {"name": "Forged", "status": "invited"}).status_code == 404

    client.force_login(cast.a_reader)
    page = text_of(client.get(detail_url(meeting)))
    assert re.findall(r'<th scope="row">([^<]+?)(?: <span|</th>)', page) == [
        "Amina Alaoui",
        "Jan de Vries",
        "Dr. Lina Haddad",
    ]
    assert "Europol" in page
    assert list(Guest.objects.values_list("name", "organisation", "status")) == [
        ("Dr. Lina Haddad", "Europol", "attended")
    ]


def test_a_guest_attending_a_future_meeting_is_refused_and_nothing_is_written(client, cast):
    meeting = future_meeting(cast)
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("meetings:guest-add", args=[meeting.public_id]),
        {"name": "Dr. Lina Haddad", "organisation": "Europol", "status": "attended"},
    )
    assert response.status_code == 400
    assert "Attendance can be recorded once the meeting has started." in text_of(response)
    assert (Guest.objects.count(), AuditEvent.objects.count()) == (0, before)
