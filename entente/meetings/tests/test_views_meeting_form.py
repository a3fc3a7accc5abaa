import datetime as dt

import pytest
from django.urls import reverse

from entente.audit.models import AuditEvent
from entente.meetings.models import Meeting
from entente.meetings.services.meetings import meeting_update
from entente.meetings.tests.test_services import future_meeting, new_meeting
from entente.testing import agreement_between

UTC = dt.UTC


def create_url(agreement) -> str:
    return reverse("meetings:meeting-create", args=[agreement.public_id])


def edit_url(meeting) -> str:
    return reverse("meetings:meeting-edit", args=[meeting.public_id])


def status_url(meeting) -> str:
    return reverse("meetings:meeting-status", args=[meeting.public_id])


def meeting_post(cast, **changes) -> dict:
    data = {
        "kind": "joint_committee",
        "reference_language": "en",
        "title_en": "Second joint committee",
        "title_fr": "Deuxième comité mixte",
        "title_nl": "",
        "title_ar": "",
        "starts_at": "2023-06-14T10:00",
        "ends_at": "2023-06-14T16:00",
        "time_zone": "Europe/Amsterdam",
        "host_party": cast.b.pk,
        "place": "The Hague",
        "online_url": "",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return data | changes


def field_errors(response) -> dict:
    return dict(response.context["form"].errors)


# --- create -----------------------------------------------------------------------------


def test_meeting_create_page_offers_the_time_zones_and_parties(client, cast):
    client.force_login(cast.a_officer)
    response = client.get(create_url(cast.agreement))
    assert response.status_code == 200
    form = response.context["form"]
    zones = [value for value, _label in form.fields["time_zone"].choices]
    assert {"Africa/Casablanca", "Europe/Amsterdam"} <= set(zones)
    assert list(form.fields["host_party"].queryset) == [cast.a, cast.b]
    assert (form["time_zone"].value(), form["host_party"].value()) == (
        "Africa/Casablanca",
        cast.a.pk,
    )


def test_meeting_create_reads_times_in_the_chosen_time_zone(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(create_url(cast.agreement), meeting_post(cast))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting-detail", args=[meeting.public_id])
    # 10:00 in Amsterdam in June (UTC+2) is 08:00 UTC.
    assert (
        meeting.starts_at,
        meeting.ends_at,
        meeting.time_zone,
        meeting.title_en,
        meeting.title_fr,
        meeting.owning_party,
        meeting.host_party,
        meeting.scope,
        meeting.marking,
    ) == (
        dt.datetime(2023, 6, 14, 8, 0, tzinfo=UTC),
        dt.datetime(2023, 6, 14, 14, 0, tzinfo=UTC),
        "Europe/Amsterdam",
        "Second joint committee",
        "Deuxième comité mixte",
        cast.a,
        cast.b,
        "shared",
        "TLP:GREEN",
    )


def test_meeting_create_in_casablanca_time(client, cast):
    client.force_login(cast.b_officer)
    client.post(create_url(cast.agreement), meeting_post(cast, time_zone="Africa/Casablanca"))
    meeting = Meeting.objects.get()
    assert (meeting.owning_party, meeting.starts_at) == (
        cast.b,
        dt.datetime(2023, 6, 14, 9, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"ends_at": "2023-06-14T09:00"},
            {"ends_at": ["The meeting must end after it starts."]},
        ),
        (
            {"title_en": "", "title_fr": "Seulement en français"},
            {"title_en": ["Give the text in the reference language."]},
        ),
        ({"starts_at": "14/06/2023 nine"}, {"starts_at": ["Enter a date and a time."]}),
        (
            {"time_zone": "Mars/Olympus"},
            {
                "time_zone": [
                    "Select a valid choice. Mars/Olympus is not one of the available choices."
                ]
            },
        ),
        (
            {"marking": "TLP:RED"},
            {"marking": ["Only a coordinator of the owning party may mark a record TLP:RED."]},
        ),
    ],
)
def test_meeting_create_shows_errors_next_to_fields_and_saves_nothing(
    client, cast, changes, errors
):
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = client.post(create_url(cast.agreement), meeting_post(cast, **changes))
    assert response.status_code == 400
    assert field_errors(response) == errors
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == (0, before)
    assert errors[next(iter(errors))][0] in response.content.decode()


def test_meeting_create_refuses_a_host_outside_the_agreement(client, cast):
    client.force_login(cast.a_officer)
    response = client.post(create_url(cast.agreement), meeting_post(cast, host_party=cast.c.pk))
    assert field_errors(response) == {
        "host_party": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_meeting_create_red_with_recipients(client, cast):
    client.force_login(cast.a_coordinator)
    client.post(
        create_url(cast.agreement),
        meeting_post(cast, marking="TLP:RED", red_recipients=[cast.a_officer.pk]),
    )
    meeting = Meeting.objects.get()
    assert set(meeting.red_recipients.all()) == {cast.a_coordinator, cast.a_officer}


def test_meeting_create_red_by_an_officer_is_refused_on_the_marking_field(client, cast):
    client.force_login(cast.a_officer)
    events = AuditEvent.objects.count()
    response = client.post(
        create_url(cast.agreement),
        meeting_post(cast, marking="TLP:RED", red_recipients=[cast.a_officer.pk]),
    )
    assert (response.status_code, response.context["form"].errors["marking"]) == (
        400,
        ["Only a coordinator of the owning party may mark a record TLP:RED."],
    )
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_meeting_create_is_refused_to_a_reader(client, cast):
    client.force_login(cast.a_reader)
    assert client.get(create_url(cast.agreement)).status_code == 403
    assert client.post(create_url(cast.agreement), meeting_post(cast)).status_code == 403
    assert Meeting.objects.count() == 0


def test_meeting_create_under_an_unseen_agreement_is_not_found(client, cast):
    internal = agreement_between(cast.a, cast.b, scope="internal")
    client.force_login(cast.c_officer)
    assert client.get(create_url(cast.agreement)).status_code == 404
    assert client.post(create_url(cast.agreement), meeting_post(cast)).status_code == 404
    client.force_login(cast.b_officer)
    assert client.post(create_url(internal), meeting_post(cast)).status_code == 404
    assert Meeting.objects.count() == 0


# --- edit -------------------------------------------------------------------------------


def edit_post(meeting, **changes) -> dict:
    data = {
        "kind": meeting.kind,
        "title_en": meeting.title_en,
        "title_fr": meeting.title_fr or "",
        "title_nl": "",
        "title_ar": "",
        "starts_at": "2023-03-14T10:00",
        "ends_at": "2023-03-14T16:00",
        "time_zone": meeting.time_zone,
        "host_party": meeting.host_party_id,
        "place": meeting.place,
        "online_url": "",
        "version": meeting.version,
    }
    return data | changes


def test_meeting_edit_shows_times_on_the_meeting_clock(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.get(edit_url(meeting))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["starts_at"].value(), form["ends_at"].value(), form["version"].value()) == (
        "2023-03-14T10:00",
        "2023-03-14T16:00",
        1,
    )
    assert 'value="2023-03-14T10:00"' in response.content.decode()


def test_meeting_edit_saves_through_the_service(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(
        edit_url(meeting),
        edit_post(meeting, place="Tangier", title_nl="Eerste comité", starts_at="2023-03-14T09:00"),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.place, meeting.title_nl, meeting.starts_at, meeting.version) == (
        "Tangier",
        "Eerste comité",
        dt.datetime(2023, 3, 14, 8, 0, tzinfo=UTC),
        2,
    )


def test_meeting_edit_logs_only_what_changed(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    client.post(edit_url(meeting), edit_post(meeting, place="Tangier"))
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.before["place"], sorted(event.after)) == (
        "update",
        "Rabat",
        ["place", "updated_at", "version"],
    )


def test_meeting_edit_with_a_stale_version_shows_the_conflict_and_keeps_the_record(client, cast):
    meeting = new_meeting(cast)
    meeting_update(actor=cast.a_coordinator, meeting=meeting, expected_version=1, place="Fes")
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()
    response = client.post(edit_url(meeting), edit_post(meeting, place="Tangier", version=1))
    assert response.status_code == 409
    assert response.context["conflict"] == [{"field": "place", "value": "Fes"}]
    page = response.content.decode()
    assert "Not saved: someone else changed this record while you were editing it." in page
    # The user's entry is kept, with the current version to save it deliberately.
    assert (
        response.context["form"]["place"].value(),
        response.context["form"]["version"].value(),
    ) == (
        "Tangier",
        "2",
    )
    meeting.refresh_from_db()
    assert (meeting.place, meeting.version, AuditEvent.objects.count()) == ("Fes", 2, before)


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_meeting_edit_with_a_forged_version_is_not_a_500(client, cast, version):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(edit_url(meeting), edit_post(meeting, version=version))
    assert response.status_code in (400, 409)
    meeting.refresh_from_db()
    assert meeting.version == 1


def test_meeting_edit_error_goes_next_to_the_field(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(edit_url(meeting), edit_post(meeting, title_en=" "))
    assert response.status_code == 400
    assert field_errors(response) == {"title_en": ["Give the text in the reference language."]}


@pytest.mark.parametrize("who", ["a_reader", "b_officer", "b_coordinator"])
def test_meeting_edit_refused_to_non_writers_of_the_owner(client, cast, who):
    meeting = new_meeting(cast)
    client.force_login(getattr(cast, who))
    assert client.get(edit_url(meeting)).status_code == 403
    assert client.post(edit_url(meeting), edit_post(meeting, place="X")).status_code == 403
    meeting.refresh_from_db()
    assert meeting.place == "Rabat"


def test_meeting_edit_of_an_unseen_meeting_is_not_found(client, cast):
    internal = new_meeting(cast, scope="internal")
    shared = new_meeting(cast)
    client.force_login(cast.b_officer)
    assert client.get(edit_url(internal)).status_code == 404
    client.force_login(cast.c_officer)
    assert client.post(edit_url(shared), edit_post(shared)).status_code == 404


# --- status -----------------------------------------------------------------------------


def test_meeting_status_marks_a_past_meeting_held(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(status_url(meeting), {"status": "held", "version": 1})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == ("held", 2)


def test_meeting_status_refuses_holding_a_future_meeting(client, cast):
    meeting = future_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(status_url(meeting), {"status": "held", "version": 1})
    assert response.status_code == 400
    assert response.context["status_errors"] == ["A meeting cannot be held before it starts."]
    assert "A meeting cannot be held before it starts." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_meeting_status_stale_version_is_a_conflict(client, cast):
    meeting = new_meeting(cast)
    meeting_update(actor=cast.a_officer, meeting=meeting, expected_version=1, place="Fes")
    client.force_login(cast.a_officer)
    response = client.post(status_url(meeting), {"status": "cancelled", "version": 1})
    assert response.status_code == 409
    assert response.context["conflict"] == [{"field": "place", "value": "Fes"}]
    meeting.refresh_from_db()
    assert meeting.status == "planned"


@pytest.mark.parametrize("data", [{}, {"status": "exploded", "version": 1}, {"status": "held"}])
def test_meeting_status_forged_form_is_not_a_500(client, cast, data):
    meeting = new_meeting(cast)
    client.force_login(cast.a_officer)
    response = client.post(status_url(meeting), data)
    assert response.status_code == 400
    assert response.context["status_errors"] == ["Choose a status."]


def test_meeting_status_refused_to_reader_and_not_found_for_outsider(client, cast):
    meeting = new_meeting(cast)
    client.force_login(cast.a_reader)
    assert client.post(status_url(meeting), {"status": "held", "version": 1}).status_code == 403
    client.force_login(cast.c_officer)
    assert client.post(status_url(meeting), {"status": "held", "version": 1}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "planned"
