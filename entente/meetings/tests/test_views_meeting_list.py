import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.meetings.services.meetings import meeting_change_status
from entente.meetings.tests.test_services import new_meeting
from entente.reports.tests.pages import page_links
from entente.testing import agreement_between

URL = reverse("meetings:meeting-list")


def titles(response) -> list[str]:
    return [m.title for m in response.context["page"].object_list]


@pytest.fixture
def meetings(cast):
    """Three of A's meetings (one internal) and one of B's, on different days."""
    joint = new_meeting(
        cast,
        title={"en": "Joint committee"},
        starts_at=dt.datetime(2023, 6, 14, 10, 0),
        ends_at=dt.datetime(2023, 6, 14, 16, 0),
    )
    return {
        "joint": meeting_change_status(
            actor=cast.a_officer, meeting=joint, status="held", expected_version=1
        ),
        "prep": new_meeting(
            cast,
            title={"en": "Internal preparation"},
            kind="expert_meeting",
            scope="internal",
            marking="TLP:AMBER",
            starts_at=dt.datetime(2023, 6, 1, 9, 0),
            ends_at=dt.datetime(2023, 6, 1, 10, 0),
        ),
        "call": new_meeting(
            cast,
            title={"en": "Cyber call"},
            kind="call",
            place="",
            starts_at=dt.datetime(2024, 2, 1, 9, 0),
            ends_at=dt.datetime(2024, 2, 1, 10, 0),
            time_zone="Europe/Amsterdam",
        ),
        "visit": new_meeting(
            cast,
            actor=cast.b_officer,
            title={"en": "Study visit to The Hague"},
            kind="visit",
            host_party=cast.b,
            place="The Hague",
            starts_at=dt.datetime(2023, 9, 5, 9, 0),
            ends_at=dt.datetime(2023, 9, 5, 17, 0),
            time_zone="Europe/Amsterdam",
        ),
    }


def test_meeting_list_shows_own_and_shared_meetings_newest_first(client, cast, meetings):
    client.force_login(cast.a_officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == [
        "Cyber call",
        "Study visit to The Hague",
        "Joint committee",
        "Internal preparation",
    ]
    assert response.context["page"].total == 4


def test_meeting_list_hides_the_other_party_internal_meetings(client, cast, meetings):
    client.force_login(cast.b_officer)
    response = client.get(URL)
    assert titles(response) == ["Cyber call", "Study visit to The Hague", "Joint committee"]
    assert "Internal preparation" not in response.content.decode()


def test_meeting_list_is_empty_for_an_outsider(client, cast, meetings):
    client.force_login(cast.c_officer)
    response = client.get(URL)
    assert titles(response) == []
    assert "No meeting matches." in response.content.decode()


def test_meeting_list_needs_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "call"}, ["Cyber call"]),
        ({"status": "held"}, ["Joint committee"]),
        (
            {"status": "planned"},
            ["Cyber call", "Study visit to The Hague", "Internal preparation"],
        ),
        ({"marking": "TLP:AMBER"}, ["Internal preparation"]),
        ({"host_party": "b"}, ["Study visit to The Hague"]),
        (
            {"starts_from": "2023-06-02", "starts_to": "2023-12-31"},
            ["Study visit to The Hague", "Joint committee"],
        ),
        ({"q": "hague"}, ["Study visit to The Hague"]),
        ({"q": "committee"}, ["Joint committee"]),
        (
            {"sort": "starts"},
            ["Internal preparation", "Joint committee", "Study visit to The Hague", "Cyber call"],
        ),
        (
            {"sort": "title"},
            ["Cyber call", "Internal preparation", "Joint committee", "Study visit to The Hague"],
        ),
    ],
)
def test_meeting_list_filters_and_sorts(client, cast, meetings, query, expected):
    if query.get("host_party") == "b":
        query = {"host_party": cast.b.pk}
    client.force_login(cast.a_officer)
    response = client.get(URL, query)
    assert response.status_code == 200
    assert titles(response) == expected


def test_meeting_list_filters_by_agreement(client, cast, meetings):
    other = agreement_between(cast.a, cast.b, title_en="Second agreement")
    new_meeting(cast, agreement=other, title={"en": "Under the second agreement"})
    client.force_login(cast.a_officer)
    response = client.get(URL, {"agreement": str(other.public_id)})
    assert titles(response) == ["Under the second agreement"]


def test_meeting_list_does_not_offer_an_agreement_the_user_cannot_see(client, cast, meetings):
    hidden = agreement_between(cast.a, cast.b, title_en="A's internal draft", scope="internal")
    client.force_login(cast.b_officer)
    response = client.get(URL, {"agreement": str(hidden.public_id)})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert [a.title for a in form.fields["agreement"].queryset] == [cast.agreement.title]
    assert form.errors == {
        "agreement": ["Select a valid choice. That choice is not one of the available choices."]
    }
    # An invalid filter is ignored, never a 500.
    assert titles(response) == ["Cyber call", "Study visit to The Hague", "Joint committee"]


def test_meeting_list_bad_filter_values_show_errors_not_a_500(client, cast, meetings):
    client.force_login(cast.a_officer)
    response = client.get(URL, {"starts_from": "yesterday", "sort": "password", "page": "x"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors == {
        "starts_from": ["Enter a valid date."],
        "sort": ["Select a valid choice. password is not one of the available choices."],
    }
    assert len(titles(response)) == 4


def test_meeting_list_shows_times_in_the_meeting_and_the_user_zone(client, cast, meetings):
    client.force_login(cast.b_officer)
    page = client.get(URL, {"q": "joint"}).content.decode()
    # 10:00 in Casablanca (UTC+1 in June) is 11:00 in Amsterdam (UTC+2).
    assert '<time datetime="2023-06-14T09:00:00+00:00">14 Jun 2023, 10:00</time>' in page
    assert "Africa/Casablanca" in page
    assert (
        '<time datetime="2023-06-14T09:00:00+00:00">14 Jun 2023, 11:00</time> Amsterdam'
        ' <span class="other-clock">/ 10:00 Casablanca</span>'
    ) in page


def test_meeting_list_offers_scheduling_only_to_writers(client, cast, meetings):
    create = reverse("meetings:meeting-create", args=[cast.agreement.public_id])
    client.force_login(cast.a_officer)
    assert create in client.get(URL).content.decode()
    client.force_login(cast.a_reader)
    assert create not in client.get(URL).content.decode()


def test_meeting_list_paginates_by_25(client, cast):
    start = dt.datetime(2023, 1, 2, 9, 0)
    for day in range(27):
        begins = start + dt.timedelta(days=day)
        new_meeting(
            cast,
            title={"en": f"Meeting {day:02d}"},
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=1),
        )
    client.force_login(cast.a_officer)
    first = client.get(URL, {"kind": "joint_committee"})
    assert len(titles(first)) == 25
    assert titles(first)[0] == "Meeting 26"
    following = page_links(first.content.decode())["Next page"]
    assert following.startswith("?kind=joint_committee&page=")
    second = client.get(URL + following)
    assert titles(second) == ["Meeting 01", "Meeting 00"]


def _queries_for(client, count: int, cast) -> int:
    start = dt.datetime(2023, 1, 2, 9, 0)
    existing = len(titles(client.get(URL)))
    for day in range(existing, count):
        begins = start + dt.timedelta(days=day)
        new_meeting(
            cast,
            actor=cast.b_officer if day % 2 else cast.a_officer,
            host_party=cast.b if day % 2 else cast.a,
            title={"en": f"Meeting {day}"},
            starts_at=begins,
            ends_at=begins + dt.timedelta(hours=1),
            time_zone="Europe/Amsterdam" if day % 3 else "Africa/Casablanca",
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert len(titles(response)) == count
    return len(queries)


def test_meeting_list_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast.a_officer)
    assert _queries_for(client, 2, cast) == _queries_for(client, 10, cast)
