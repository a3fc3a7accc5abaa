"""The trainings list: what each party sees, filters in the URL, sort, search, pages."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.models import CooperationArea
from entente.core.enums import Marking, Scope
from entente.core.filters import MENU_CHOICES
from entente.reports.tests.pages import has_id, page_links, rows, text
from entente.testing import agreement_between, with_handling
from entente.training.services import training_change_status, training_create

AGREEMENT = "Letter of intent on police cooperation"
URL = reverse("training:training-list")


def make(cast, actor, name, starts_on, *, host=None, sender=None, **fields):
    values = {
        "actor": actor,
        "agreement": cast.agreement,
        "kind": "course",
        "title": {"en": name},
        "host_party": host or cast.a,
        "sending_party": sender or cast.b,
        "starts_on": starts_on,
        "ends_on": starts_on + dt.timedelta(days=2),
        "scope": Scope.SHARED,
        "marking": Marking.GREEN,
    }
    return training_create(**with_handling(values | fields))


@pytest.fixture
def trainings(cast):
    cyber = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    ao, bo = cast.a_officer, cast.b_officer
    forensic = make(cast, ao, "Forensic imaging course", dt.date(2023, 3, 6), area=cyber)
    for status in ("confirmed", "held"):
        forensic = training_change_status(
            actor=ao, training=forensic, status=status, expected_version=forensic.version
        )
    return {
        "forensic": forensic,
        "a_internal": make(
            cast,
            ao,
            "A internal workshop",
            dt.date(2024, 5, 6),
            scope=Scope.INTERNAL,
            place="Rabat",
            marking=Marking.AMBER,
        ),  # fmt: skip
        "visit": make(
            cast,
            bo,
            "Cyber study visit",
            dt.date(2025, 9, 1),
            host=cast.b,
            sender=cast.a,
            title={"en": "Cyber study visit", "fr": "Visite d'étude cyber"},
            area=cyber,
        ),  # fmt: skip
        "b_internal": make(
            cast,
            bo,
            "B internal seminar",
            dt.date(2024, 1, 8),
            host=cast.b,
            sender=cast.a,
            scope=Scope.INTERNAL,
        ),  # fmt: skip
    }


def listing(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


ROW_VISIT = [
    f"Cyber study visit Course · Cyber {AGREEMENT}",
    "1 Sep 2025 – 3 Sep 2025",
    "NL-POL",
    "MA-DGSN",
    "Planned",
    "TLP:GREEN",
]
ROW_A_INTERNAL = [
    f"A internal workshop Course · Internal {AGREEMENT}",
    "6 May 2024 – 8 May 2024",
    "MA-DGSN",
    "NL-POL",
    "Planned",
    "TLP:AMBER",
]
ROW_B_INTERNAL = [
    f"B internal seminar Course · Internal {AGREEMENT}",
    "8 Jan 2024 – 10 Jan 2024",
    "NL-POL",
    "MA-DGSN",
    "Planned",
    "TLP:GREEN",
]
ROW_FORENSIC = [
    f"Forensic imaging course Course · Cyber {AGREEMENT}",
    "6 Mar 2023 – 8 Mar 2023",
    "MA-DGSN",
    "NL-POL",
    "Held",
    "TLP:GREEN",
]


def test_list_for_a_officer_shows_own_internal_and_shared(client, cast, trainings):
    html = listing(client, cast.a_officer)

    assert rows(html, "training-table") == [ROW_VISIT, ROW_A_INTERNAL, ROW_FORENSIC]
    assert text(html, "result-count") == "3 trainings"


def test_list_for_b_officer_shows_a_records_only_when_shared(client, cast, trainings):
    html = listing(client, cast.b_officer)

    assert rows(html, "training-table") == [ROW_VISIT, ROW_B_INTERNAL, ROW_FORENSIC]
    assert "A internal" not in html


def test_list_for_the_reader_has_no_create_menu(client, cast, trainings):
    html = listing(client, cast.a_reader)

    assert rows(html, "training-table") == [ROW_VISIT, ROW_A_INTERNAL, ROW_FORENSIC]
    assert "New training" not in html


def test_list_offers_creation_under_the_agreements_of_the_party(client, cast, trainings):
    html = listing(client, cast.a_officer)

    create = reverse("training:training-create", args=[cast.agreement.public_id])
    assert f'<a class="button" href="{create}">New training</a>' in html


def test_the_create_menu_names_the_first_agreements_and_leads_to_the_others(client, cast):
    titles = [f"Agreement {n:02}" for n in range(MENU_CHOICES + 1)]
    for title in titles:
        agreement_between(cast.a, cast.b, title_en=title)

    html = listing(client, cast.a_officer)

    menu = re.search(r'<details class="create-menu">.*?</details>', html, re.S)[0]
    labels = re.findall(r'<a href="([^"]+)">([^<]+)</a>', menu)
    assert [label for _href, label in labels] == [
        *sorted([AGREEMENT, *titles])[:MENU_CHOICES],
        "Another agreement: open it from the portfolio",
    ]
    assert labels[-1][0] == reverse("reports:agreement-list")


def test_list_for_the_outsider_is_empty(client, cast, trainings):
    html = listing(client, cast.c_officer)

    assert not has_id(html, "training-table")
    assert text(html, "result-count") == "0 trainings"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "held"}, [ROW_FORENSIC]),
        ({"status": "planned"}, [ROW_VISIT, ROW_A_INTERNAL]),
        ({"marking": "TLP:AMBER"}, [ROW_A_INTERNAL]),
        ({"date_from": "2024-05-07"}, [ROW_VISIT, ROW_A_INTERNAL]),  # overlapping activities
        ({"date_to": "2024-05-06"}, [ROW_A_INTERNAL, ROW_FORENSIC]),
        ({"date_from": "2024-01-01", "date_to": "2024-12-31"}, [ROW_A_INTERNAL]),
        ({"q": "imaging"}, [ROW_FORENSIC]),
        ({"q": "étude"}, [ROW_VISIT]),  # any language of the title
        ({"q": "rabat"}, [ROW_A_INTERNAL]),  # the place
        ({"q": "cyber visit"}, [ROW_VISIT]),  # every word
        ({"sort": "title"}, [ROW_A_INTERNAL, ROW_VISIT, ROW_FORENSIC]),
        ({"sort": "-title"}, [ROW_FORENSIC, ROW_VISIT, ROW_A_INTERNAL]),
        ({"sort": "starts_on"}, [ROW_FORENSIC, ROW_A_INTERNAL, ROW_VISIT]),
        ({"sort": "host"}, [ROW_FORENSIC, ROW_A_INTERNAL, ROW_VISIT]),
        ({"sort": "-status"}, [ROW_A_INTERNAL, ROW_VISIT, ROW_FORENSIC]),
        ({"sort": "owning_party__code"}, [ROW_VISIT, ROW_A_INTERNAL, ROW_FORENSIC]),  # ignored
    ],
)
def test_list_filters_search_and_sort_from_the_url(client, cast, trainings, params, expected):
    assert rows(listing(client, cast.a_officer, **params), "training-table") == expected


def test_list_filters_by_area_agreement_and_party(client, cast, trainings):
    cyber = trainings["forensic"].area
    other = agreement_between(cast.a, cast.c, title_en="Other agreement")
    make(cast, cast.a_officer, "With the outsider", dt.date(2022, 1, 3), agreement=other,
         sender=cast.c)  # fmt: skip

    by_area = listing(client, cast.a_officer, area=cyber.public_id)
    by_agreement = listing(client, cast.a_officer, agreement=other.public_id)
    by_party = listing(client, cast.a_officer, party=cast.c.pk)

    assert rows(by_area, "training-table") == [ROW_VISIT, ROW_FORENSIC]
    assert [r[0] for r in rows(by_agreement, "training-table")] == [
        "With the outsider Course Other agreement"
    ]
    assert [r[0] for r in rows(by_party, "training-table")] == [
        "With the outsider Course Other agreement"
    ]


def test_list_filter_choices_are_limited_to_what_the_user_sees(client, cast, trainings):
    agreement_between(cast.b, cast.c, title_en="B and C only")

    html = listing(client, cast.a_officer)

    assert "B and C only" not in html
    assert ">XX-OUT<" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"agreement": "999999"},
        {"area": "abc"},
        {"party": "-1"},
        {"status": "nonsense"},
        {"date_from": "2024-02-31"},
        {"page": "x"},
        {"page": "9999"},
        {"marking": "TLP:BLACK"},
    ],
)
def test_list_forged_filters_never_fail(client, cast, trainings, params):
    client.force_login(cast.a_officer)

    response = client.get(URL, params)

    assert response.status_code == 200


def test_list_reports_an_invalid_filter_next_to_it(client, cast, trainings):
    html = listing(client, cast.a_officer, status="nonsense")

    assert "Select a valid choice. nonsense is not one of the available choices." in html


def test_list_paginates_by_25(client, cast):
    for n in range(27):
        make(cast, cast.a_officer, f"Course {n:02d}", dt.date(2024, 1, 1) + dt.timedelta(days=n))

    first = listing(client, cast.a_officer, sort="title")
    following = page_links(first)["Next page"]
    second = client.get(URL + following).content.decode()

    assert len(rows(first, "training-table")) == 25
    assert [r[0].split(" Course")[0] for r in rows(second, "training-table")] == [
        "Course 25",
        "Course 26",
    ]
    assert following.startswith("?sort=title&page=")
    assert f'<a href="{following.replace("&", "&amp;")}" rel="next">' in first
    assert list(page_links(second)) == ["First page", "Previous page"]
    assert text(second, "trainings-caption") == "Training activities"


def test_list_sort_links_keep_the_filters(client, cast, trainings):
    html = listing(client, cast.a_officer, status="planned", page=1)

    assert '<a href="?status=planned&amp;sort=title">Training</a>' in html
    assert 'aria-sort="descending"' in html  # the default sort, newest first


def test_list_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(client, cast):
    cyber = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    client.force_login(cast.a_officer)
    for n in range(2):
        make(cast, cast.a_officer, f"Course {n}", dt.date(2024, 1, 1 + n), area=cyber)
    two = _count(client)

    for n in range(8):
        make(cast, cast.b_officer, f"Visit {n}", dt.date(2024, 2, 1 + n), host=cast.b,
             sender=cast.a)  # fmt: skip

    assert _count(client) == two
