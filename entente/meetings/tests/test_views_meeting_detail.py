import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.selectors import commitment_visible_to
from entente.audit.models import AuditEvent
from entente.meetings.models import Attendance, Decision
from entente.meetings.services.agenda import agenda_item_add
from entente.meetings.services.attendance import attendance_set
from entente.meetings.services.decisions import (
    decision_change_status,
    decision_record,
    decision_to_commitments,
)
from entente.meetings.services.meetings import minutes_record
from entente.meetings.tests.test_services import future_meeting, new_meeting
from entente.testing import ContactFactory


def detail_url(meeting) -> str:
    return reverse("meetings:meeting-detail", args=[meeting.public_id])


@pytest.fixture
def meeting(cast):
    """A shared joint committee held in Rabat in June 2023, with a full record."""
    meeting = new_meeting(
        cast,
        starts_at=dt.datetime(2023, 6, 14, 10, 0),
        ends_at=dt.datetime(2023, 6, 14, 16, 0),
    )
    for title in ("Opening", "Working arrangements", "Training programme"):
        agenda_item_add(actor=cast.a_officer, meeting=meeting, title=title)
    attendance_set(
        actor=cast.a_officer,
        meeting=meeting,
        contact=ContactFactory(unit=cast.b_cell, name="Jan de Vries"),
        status="attended",
    )
    attendance_set(
        actor=cast.a_officer,
        meeting=meeting,
        contact=ContactFactory(unit=cast.a_cell, name="Amina Alaoui"),
        status="excused",
    )
    meeting = minutes_record(
        actor=cast.a_officer,
        meeting=meeting,
        minutes={"en": "The parties agreed on a training plan."},
        expected_version=1,
    )
    decision = decision_record(actor=cast.a_officer, meeting=meeting, text="Train")
    decision_to_commitments(
        actor=cast.a_officer,
        decision=decision,
        commitments=[
            {"title": {"en": "Host a course"}, "responsible_party": cast.a, "scope": "shared"},
            {"title": {"en": "Budget the course"}, "responsible_party": cast.a},
        ],
    )
    decision_record(actor=cast.a_officer, meeting=meeting, text="Exchange contacts")
    return meeting


def test_meeting_detail_shows_the_whole_record(client, cast, meeting):
    client.force_login(cast.a_officer)
    response = client.get(detail_url(meeting))
    assert response.status_code == 200
    context = response.context
    assert [(i.position, i.title) for i in context["agenda"]] == [
        (1, "Opening"),
        (2, "Working arrangements"),
        (3, "Training programme"),
    ]
    assert [(a.contact.name, a.status) for a in context["attendance"]] == [
        ("Amina Alaoui", "excused"),
        ("Jan de Vries", "attended"),
    ]
    assert [
        (d.number, d.text, d.status, [c.title for c in d.visible_commitments])
        for d in context["decisions"]
    ] == [
        (1, "Train", "open", ["Host a course", "Budget the course"]),
        (2, "Exchange contacts", "open", []),
    ]
    assert context["can_write"] is True
    page = response.content.decode()
    assert "TLP:GREEN" in page
    assert "The parties agreed on a training plan." in page
    assert page.count("Turn into commitments") == 2
    assert "Record a decision" in page
    history = reverse("records:record-trail", args=["meetings.meeting", meeting.public_id])
    assert f'href="{history}"' in page


def test_meeting_detail_shows_times_in_the_meeting_and_the_user_zone(client, cast, meeting):
    client.force_login(cast.b_officer)
    page = client.get(detail_url(meeting)).content.decode()
    # 10:00-16:00 in Casablanca (UTC+1 in June) is 11:00-17:00 in Amsterdam (UTC+2).
    assert '<time datetime="2023-06-14T09:00:00+00:00">14 Jun 2023, 10:00</time>' in page
    assert '<time datetime="2023-06-14T15:00:00+00:00">14 Jun 2023, 16:00</time>' in page
    assert "Africa/Casablanca, the meeting's time" in page
    # The start on the reader's clock, then on the counterpart party's.
    assert (
        '<time datetime="2023-06-14T09:00:00+00:00">14 Jun 2023, 11:00</time> Amsterdam'
        ' <span class="other-clock">/ 10:00 Casablanca</span>'
    ) in page


def test_meeting_detail_in_the_user_zone_is_shown_once(client, cast, meeting):
    client.force_login(cast.a_officer)
    page = client.get(detail_url(meeting)).content.decode()
    assert "Africa/Casablanca, the meeting's time and yours" in page
    assert (
        '<time datetime="2023-06-14T09:00:00+00:00">14 Jun 2023, 10:00</time> Casablanca'
        ' <span class="other-clock">/ 11:00 Amsterdam</span>'
    ) in page


def test_meeting_detail_other_party_sees_shared_parts_only_and_no_forms(client, cast, meeting):
    client.force_login(cast.b_officer)
    response = client.get(detail_url(meeting))
    assert response.status_code == 200
    decisions = response.context["decisions"]
    assert [[c.title for c in d.visible_commitments] for d in decisions] == [["Host a course"], []]
    assert [a.contact.name for a in response.context["attendance"]] == [
        "Amina Alaoui",
        "Jan de Vries",
    ]
    page = response.content.decode()
    assert "Budget the course" not in page
    assert "Turn into commitments" not in page
    assert "Record a decision" not in page
    assert response.context["can_write"] is False


def test_meeting_detail_reader_sees_no_forms(client, cast, meeting):
    client.force_login(cast.a_reader)
    response = client.get(detail_url(meeting))
    assert response.status_code == 200
    assert [[c.title for c in d.visible_commitments] for d in response.context["decisions"]] == [
        ["Host a course", "Budget the course"],
        [],
    ]
    assert "Record a decision" not in response.content.decode()


def test_meeting_detail_of_an_internal_meeting_is_not_found_for_the_other_party(client, cast):
    internal = new_meeting(cast, scope="internal")
    client.force_login(cast.b_officer)
    assert client.get(detail_url(internal)).status_code == 404
    client.force_login(cast.c_officer)
    assert client.get(detail_url(new_meeting(cast))).status_code == 404


def test_meeting_detail_unknown_meeting_is_not_found(client, cast):
    client.force_login(cast.a_officer)
    assert client.get("/meetings/7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a/").status_code == 404


# --- decisions --------------------------------------------------------------------------


def test_decision_create_records_a_decision(client, cast, meeting):
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:decision-create", args=[meeting.public_id]), {"text": "Meet again in May"}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(meeting) + "#decisions"
    assert list(meeting.decisions.values_list("number", "text")) == [
        (1, "Train"),
        (2, "Exchange contacts"),
        (3, "Meet again in May"),
    ]


def test_decision_create_before_the_meeting_shows_the_error(client, cast):
    meeting = future_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:decision-create", args=[meeting.public_id]), {"text": "Too early"}
    )
    assert response.status_code == 400
    assert response.context["decision_form"].errors == {
        "__all__": ["The meeting has not started yet."]
    }
    assert Decision.objects.count() == 0


def test_decision_create_blank_text_error_is_next_to_the_field(client, cast, meeting):
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:decision-create", args=[meeting.public_id]), {"text": " "}
    )
    assert response.status_code == 400
    assert response.context["decision_form"].errors == {"text": ["This field is required."]}


def test_decision_status_drops_and_reopens(client, cast, meeting):
    decision = meeting.decisions.get(number=2)
    url = reverse("meetings:decision-status", args=[decision.public_id])
    client.force_login(cast.a_officer)
    assert client.post(url, {"status": "dropped"}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == "dropped"
    response = client.post(url, {"status": "implemented"})
    assert response.status_code == 400
    assert response.context["status_errors"] == [
        "A decision cannot go from Dropped to Implemented."
    ]


# --- attendance and minutes -------------------------------------------------------------


def test_attendance_set_invites_and_changes_status(client, cast, meeting):
    contact = ContactFactory(unit=cast.b_cell, name="Eva Jansen")
    url = reverse("meetings:attendance-set", args=[meeting.public_id])
    client.force_login(cast.a_officer)
    assert (
        client.post(url, {"contact": str(contact.public_id), "status": "invited"}).status_code
        == 302
    )
    assert (
        client.post(url, {"contact": str(contact.public_id), "status": "attended"}).status_code
        == 302
    )
    assert Attendance.objects.get(contact=contact).status == "attended"


def test_attendance_set_refuses_an_invisible_contact(client, cast, meeting):
    internal_contact = ContactFactory(unit=cast.b_cell, name="Hidden", scope="internal")
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:attendance-set", args=[meeting.public_id]),
        {"contact": str(internal_contact.public_id), "status": "invited"},
    )
    assert response.status_code == 400
    assert response.context["attendance_form"].errors == {
        "contact": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert not Attendance.objects.filter(contact=internal_contact).exists()


def test_attendance_attended_before_the_meeting_is_refused_next_to_the_status(client, cast):
    meeting = future_meeting(cast)
    contact = ContactFactory.create(unit=cast.a_cell)
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:attendance-set", args=[meeting.public_id]),
        {"contact": str(contact.public_id), "status": "attended"},
    )
    assert response.status_code == 400
    assert response.context["attendance_form"].errors == {
        "status": ["Attendance can be recorded once the meeting has started."]
    }


def minutes_post(meeting, **changes) -> dict:
    data = {
        "version": meeting.version,
        "minutes_en": "Revised minutes.",
        "minutes_fr": "Procès-verbal révisé.",
        "minutes_nl": "",
        "minutes_ar": "",
    }
    return data | changes


def test_minutes_edit_saves_every_language(client, cast, meeting):
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:minutes-edit", args=[meeting.public_id]), minutes_post(meeting)
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes_en, meeting.minutes_fr, meeting.version) == (
        "Revised minutes.",
        "Procès-verbal révisé.",
        3,
    )


def test_minutes_edit_stale_version_shows_conflict_and_keeps_the_minutes(client, cast, meeting):
    minutes_record(
        actor=cast.a_coordinator,
        meeting=meeting,
        minutes={"en": "The coordinator's minutes."},
        expected_version=2,
    )
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:minutes-edit", args=[meeting.public_id]), minutes_post(meeting, version=2)
    )
    assert response.status_code == 409
    assert response.context["conflict"] == [
        {"field": "minutes [en]", "value": "The coordinator's minutes."}
    ]
    form = response.context["minutes_form"]
    assert (form["minutes_en"].value(), form["version"].value()) == ("Revised minutes.", "3")
    meeting.refresh_from_db()
    assert meeting.minutes_en == "The coordinator's minutes."


def test_minutes_edit_without_the_reference_text_is_refused_next_to_it(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(
        reverse("meetings:minutes-edit", args=[meeting.public_id]),
        minutes_post(meeting, minutes_en=""),
    )
    assert response.status_code == 400
    assert response.context["minutes_form"].errors == {
        "minutes_en": ["Give the text in the reference language."]
    }


# --- turn a decision into commitments ---------------------------------------------------


def rows_post(decision, *rows, count=None) -> dict:
    prefix = f"d{decision.public_id}"
    data = {f"{prefix}-rows": count or len(rows)}
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


def row(cast, title="", party=None, due="", scope="shared", area="", **more) -> dict:
    """A row as the browser sends it: the marking select always has a value (the
    meeting's, TLP:GREEN, unless chosen)."""
    return {
        "title": title,
        "responsible_party": party.pk if party else "",
        "due_date": due,
        "area": area,
        "scope": scope,
        "marking": "TLP:GREEN",
    } | more


@pytest.fixture
def open_decision(cast):
    meeting = new_meeting(cast)
    return decision_record(actor=cast.a_officer, meeting=meeting, text="Train")


def commitments_url(decision) -> str:
    return reverse("meetings:decision-commitments", args=[decision.public_id])


def test_officer_turns_a_decision_into_two_commitments_in_one_post(client, cast, open_decision):
    client.force_login(cast.a_officer)
    response = client.post(
        commitments_url(open_decision),
        rows_post(
            open_decision,
            row(cast, "Host a training course", cast.b, "2024-06-30", "shared"),
            row(cast, "Budget the course", cast.a, "", "internal"),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == (
        detail_url(open_decision.meeting) + f"#decision-{open_decision.public_id}"
    )
    created = list(open_decision.commitments.order_by("pk"))
    assert [
        (c.title_en, c.responsible_party, c.due_date, c.scope, c.owning_party, c.agreement)
        for c in created
    ] == [
        ("Host a training course", cast.b, dt.date(2024, 6, 30), "shared", cast.a, cast.agreement),
        ("Budget the course", cast.a, None, "internal", cast.a, cast.agreement),
    ]
    shared, internal = created
    # The other party sees the shared commitment in its commitment list, not the internal one.
    assert list(commitment_visible_to(cast.b_officer).filter(source_decisions=open_decision)) == [
        shared
    ]
    assert not commitment_visible_to(cast.b_officer).filter(pk=internal.pk).exists()
    page = client.get(detail_url(open_decision.meeting)).content.decode()
    assert "Host a training course" in page
    client.force_login(cast.b_officer)
    page = client.get(detail_url(open_decision.meeting)).content.decode()
    assert "Host a training course" in page
    assert "Budget the course" not in page


def test_decision_commitments_skips_rows_left_empty(client, cast, open_decision):
    client.force_login(cast.a_officer)
    response = client.post(
        commitments_url(open_decision),
        rows_post(open_decision, row(cast), row(cast, "Only this one", cast.a), row(cast)),
    )
    assert response.status_code == 302
    assert [c.title_en for c in open_decision.commitments.all()] == ["Only this one"]


def test_decision_commitments_bad_second_row_leaves_nothing_and_shows_error_on_that_row(
    client, cast, open_decision
):
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = client.post(
        commitments_url(open_decision),
        rows_post(
            open_decision,
            row(cast, "Valid commitment", cast.a),
            row(cast, "", cast.b, "2024-02-31"),
        ),
    )
    assert response.status_code == 400
    forms = response.context["rows"].forms
    assert [dict(form.errors) for form in forms] == [
        {},
        {"title": ["This field is required."], "due_date": ["Enter a valid date."]},
    ]
    assert (open_decision.commitments.count(), AuditEvent.objects.count()) == (0, before)
    page = response.content.decode()
    # The message sits in the second row's fieldset, after its legend.
    second = page.index("Commitment 2</legend>")
    assert page.index("Enter a valid date.") > second
    assert 'value="Valid commitment"' in page


def test_decision_commitments_service_errors_go_to_the_right_row(cast, open_decision):
    """The service counts only the rows sent; the page counts every row shown."""
    from entente.core.errors import ValidationError
    from entente.meetings.forms import CommitmentRows
    from entente.meetings.views.meeting_page import _commitment_rows

    specs = [
        {"title": {"en": "Fine"}, "responsible_party": cast.a},
        {"title": {"en": "Outsider"}, "responsible_party": cast.c},
    ]
    with pytest.raises(ValidationError) as exc:
        decision_to_commitments(actor=cast.a_officer, decision=open_decision, commitments=specs)
    meeting = open_decision.meeting
    prefix = f"d{open_decision.public_id}"
    data = {
        f"{prefix}-rows": "3",
        f"{prefix}-0-title": "Fine",
        f"{prefix}-0-responsible_party": cast.a.pk,
        f"{prefix}-0-scope": "shared",
        f"{prefix}-0-marking": "TLP:GREEN",
        f"{prefix}-1-scope": "shared",
        f"{prefix}-1-marking": "TLP:GREEN",
        f"{prefix}-2-title": "Outsider",
        f"{prefix}-2-responsible_party": cast.b.pk,
        f"{prefix}-2-scope": "shared",
        f"{prefix}-2-marking": "TLP:GREEN",
    }
    rows: CommitmentRows = _commitment_rows(cast.a_officer, meeting, open_decision, data)
    assert rows.is_valid()
    assert rows.row_of == [0, 2]
    rows.apply_errors(
        ValidationError(
            exc.value.message_dict | {"commitments.1": ["Whole row."], "decision": ["X"]}
        )
    )
    assert [dict(form.errors) for form in rows.forms] == [
        {},
        {},
        {
            "responsible_party": ["The responsible party is not a party to the agreement."],
            "__all__": ["Whole row."],
        },
    ]
    assert rows.non_form_errors == ["X"]


def test_decision_commitments_with_no_row_filled_says_so(client, cast, open_decision):
    client.force_login(cast.a_officer)
    response = client.post(
        commitments_url(open_decision), rows_post(open_decision, row(cast), row(cast))
    )
    assert response.status_code == 400
    assert response.context["rows"].non_form_errors == ["Give at least one commitment."]


def test_decision_commitments_add_row_keeps_what_was_typed(client, cast, open_decision):
    client.force_login(cast.a_officer)
    data = rows_post(open_decision, row(cast, "Typed", cast.b), row(cast)) | {"add_row": "1"}
    response = client.post(commitments_url(open_decision), data)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows.rows == 3
    assert [form["title"].value() for form in rows.forms] == ["Typed", None, None]
    assert [form.errors for form in rows.forms] == [{}, {}, {}]
    assert open_decision.commitments.count() == 0


@pytest.mark.parametrize("count", ["", "abc", "-5", "100000"])
def test_decision_commitments_forged_row_count_is_not_a_500(client, cast, open_decision, count):
    client.force_login(cast.a_officer)
    response = client.post(
        commitments_url(open_decision),
        rows_post(open_decision, row(cast, "Typed", cast.b), count=count),
    )
    assert response.status_code in (302, 400)
    assert response.status_code != 500


def test_decision_commitments_of_a_dropped_decision_is_refused(client, cast, open_decision):
    decision_change_status(actor=cast.a_officer, decision=open_decision, status="dropped")
    client.force_login(cast.a_officer)
    response = client.post(
        commitments_url(open_decision), rows_post(open_decision, row(cast, "Late", cast.a))
    )
    assert response.status_code == 400
    assert response.context["rows"].non_form_errors == [
        "A dropped decision does not give rise to commitments."
    ]


def test_decision_commitments_page_for_the_owner_only(client, cast, open_decision):
    client.force_login(cast.a_officer)
    assert client.get(commitments_url(open_decision)).status_code == 200
    for who in ("a_reader", "b_officer"):
        client.force_login(getattr(cast, who))
        assert client.get(commitments_url(open_decision)).status_code == 403
    client.force_login(cast.c_officer)
    assert client.get(commitments_url(open_decision)).status_code == 404


# --- every write: refused to readers and the other party, unknown to outsiders ---------------


def post_targets(cast, meeting) -> dict:
    decision = meeting.decisions.get(number=2)
    contact = ContactFactory.create(unit=cast.a_cell)
    return {
        "meeting-edit": (
            reverse("meetings:meeting-edit", args=[meeting.public_id]),
            {"kind": "call", "version": meeting.version},
        ),
        "meeting-status": (
            reverse("meetings:meeting-status", args=[meeting.public_id]),
            {"status": "cancelled", "version": meeting.version},
        ),
        "agenda-add": (reverse("meetings:agenda-add", args=[meeting.public_id]), {"title": "X"}),
        "agenda-carry-over": (
            reverse("meetings:agenda-carry-over", args=[meeting.public_id]),
            {"decisions": [str(decision.public_id)]},
        ),
        "attendance-set": (
            reverse("meetings:attendance-set", args=[meeting.public_id]),
            {"contact": str(contact.public_id), "status": "invited"},
        ),
        "minutes-edit": (
            reverse("meetings:minutes-edit", args=[meeting.public_id]),
            minutes_post(meeting),
        ),
        "decision-create": (
            reverse("meetings:decision-create", args=[meeting.public_id]),
            {"text": "Forged"},
        ),
        "decision-status": (
            reverse("meetings:decision-status", args=[decision.public_id]),
            {"status": "dropped"},
        ),
        "decision-commitments": (
            commitments_url(decision),
            rows_post(decision, row(cast, "Forged", cast.a)),
        ),
    }


# Proposing an agenda item is open to the other party: test_views_joint_agenda.py.
TARGETS = [
    "meeting-edit",
    "meeting-status",
    "agenda-carry-over",
    "attendance-set",
    "minutes-edit",
    "decision-create",
    "decision-status",
    "decision-commitments",
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    ("who", "status"), [("a_reader", 403), ("b_officer", 403), ("c_officer", 404)]
)
def test_every_write_is_refused_to_non_writers(client, cast, meeting, target, who, status):
    url, data = post_targets(cast, meeting)[target]
    before = AuditEvent.objects.count()
    client.force_login(getattr(cast, who))
    assert client.post(url, data).status_code == status
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("target", TARGETS)
def test_every_write_on_an_internal_meeting_is_not_found_for_the_other_party(client, cast, target):
    internal = new_meeting(cast, scope="internal")
    decision_record(actor=cast.a_officer, meeting=internal, text="One")
    decision_record(actor=cast.a_officer, meeting=internal, text="Two")
    url, data = post_targets(cast, internal)[target]
    client.force_login(cast.b_officer)
    assert client.post(url, data).status_code == 404
