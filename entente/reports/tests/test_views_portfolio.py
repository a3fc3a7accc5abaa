"""The portfolio page: the agreements of the user's party, with their open items."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.agreements.services.agreements import record_publish
from entente.agreements.services.commitments import commitment_change_status, commitment_create
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.liaison import services as liaison
from entente.testing import PartyFactory, UnitFactory, agreement_between

URL = reverse("reports:agreement-list")


def commitment(cast, actor, party, due, *, scope=Scope.SHARED, agreement=None, title="C"):
    return commitment_create(
        actor=actor,
        agreement=agreement or cast.agreement,
        title={"en": title},
        responsible_party=party,
        due_date=due,
        handling=Handling(scope=scope),
    )


def rows(response) -> list[tuple]:
    return [
        (
            a.title,
            a.status,
            [p.code for p in a.counterparts],
            a.next_deadline,
            a.open_commitments,
            a.overdue_commitments,
            a.open_requests,
        )
        for a in response.context["page"].object_list
    ]


@pytest.fixture
def portfolio(cast):
    """Open items of each side under the cast's agreement, some internal to their owner."""
    commitment(cast, cast.a_officer, cast.a, dt.date(2020, 1, 1), title="A shared overdue")
    commitment(cast, cast.a_officer, cast.a, dt.date(2030, 1, 1), scope=Scope.INTERNAL)
    commitment(cast, cast.b_officer, cast.b, dt.date(2019, 1, 1), scope=Scope.INTERNAL)
    done = commitment(cast, cast.a_officer, cast.a, dt.date(2018, 1, 1))
    commitment_change_status(
        actor=cast.a_officer, commitment=done, status="done", expected_version=1
    )
    for subject in ("Open one", "Closed one"):
        liaison.request_send(
            actor=cast.a_officer,
            agreement=cast.agreement,
            from_unit=cast.a_cell,
            to_unit=cast.b_cell,
            subject=subject,
            body="Please.",
            priority="normal",
        )
    return cast


def test_portfolio_shows_each_sides_figures_counting_only_visible_records(client, portfolio):
    cast = portfolio
    from entente.liaison.models import LiaisonRequest

    LiaisonRequest.objects.filter(subject="Closed one").update(status="closed")
    client.force_login(cast.a_officer)
    response = client.get(URL)
    assert response.status_code == 200
    title = "Letter of intent on police cooperation"
    assert rows(response) == [(title, "draft", ["NL-POL"], dt.date(2020, 1, 1), 2, 1, 1)]
    assert "Overdue" in response.content.decode()

    client.force_login(cast.b_officer)
    # B sees A's shared commitment and its own internal one, never A's internal one.
    assert rows(client.get(URL)) == [(title, "draft", ["MA-DGSN"], dt.date(2019, 1, 1), 2, 2, 1)]


def test_portfolio_lists_only_agreements_the_users_party_is_a_party_to(client, cast):
    agreement_between(cast.b, cast.c, title_en="B and C")
    agreement_between(cast.a, cast.c, title_en="A and C")
    client.force_login(cast.a_reader)
    assert [r[0] for r in rows(client.get(URL))] == [
        "A and C",
        "Letter of intent on police cooperation",
    ]
    client.force_login(cast.c_officer)
    assert [r[0] for r in rows(client.get(URL))] == ["A and C", "B and C"]


def test_portfolio_shows_another_partys_agreement_only_when_shared(client, cast):
    agreement = agreement_between(cast.b, cast.a, title_en="B draft", scope=Scope.INTERNAL)
    client.force_login(cast.a_officer)
    assert [r[0] for r in rows(client.get(URL))] == ["Letter of intent on police cooperation"]
    record_publish(actor=cast.b_coordinator, record=agreement, expected_version=1)
    assert [r[0] for r in rows(client.get(URL))] == [
        "B draft",
        "Letter of intent on police cooperation",
    ]


def test_portfolio_filters_by_country_status_instrument_and_title(client, cast):
    spain = PartyFactory(code="ES-POL", country="ES")
    agreement_between(
        cast.a, spain, title_en="Memorandum with Spain", instrument_type="mou", status="in_force"
    )
    client.force_login(cast.a_officer)

    def titles(**query):
        return [r[0] for r in rows(client.get(URL, query))]

    assert titles(country="ES") == ["Memorandum with Spain"]
    assert titles(country="NL") == ["Letter of intent on police cooperation"]
    assert titles(status="in_force") == ["Memorandum with Spain"]
    assert titles(instrument_type="letter_of_intent") == ["Letter of intent on police cooperation"]
    assert titles(q="spain memo") == ["Memorandum with Spain"]
    assert titles(country="ES", status="draft") == []
    # The user's own country is not a counterpart's: not a choice, and said so.
    assert client.get(URL, {"country": "MA"}).context["filter"].errors == {
        "country": ["Select a valid choice. MA is not one of the available choices."]
    }


def test_portfolio_country_choices_are_the_counterparts_countries(client, cast):
    client.force_login(cast.a_officer)
    choices = list(client.get(URL).context["filter"].form.fields["country"].choices)
    assert choices == [("", "Any"), ("NL", "NL")]


def test_portfolio_invalid_filter_is_shown_not_a_500(client, cast):
    client.force_login(cast.a_officer)
    response = client.get(URL, {"status": "bogus", "sort": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert response.context["filter"].errors == {
        "status": ["Select a valid choice. bogus is not one of the available choices."],
        "sort": ["Select a valid choice. nonsense is not one of the available choices."],
    }
    assert len(rows(response)) == 1


def test_portfolio_notice_window_and_sort(client, cast):
    cast.agreement.expires_on = dt.date(2099, 5, 10)
    cast.agreement.notice_period_days = 90
    cast.agreement.save()
    agreement_between(
        cast.a, cast.b, title_en="Another", signed_on=None, expires_on=dt.date(2000, 1, 1)
    )
    client.force_login(cast.a_officer)
    response = client.get(URL, {"sort": "expires"})
    notices = [(a.title, a.notice) for a in response.context["page"].object_list]
    assert notices == [
        ("Another", {"expires_on": dt.date(2000, 1, 1), "notice_by": None, "state": "expired"}),
        (
            "Letter of intent on police cooperation",
            {"expires_on": dt.date(2099, 5, 10), "notice_by": dt.date(2099, 2, 9), "state": "ok"},
        ),
    ]


def test_portfolio_requires_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def _portfolio_of(count: int, cast) -> None:
    for n in range(count):
        other = PartyFactory.create(code=f"Q{count}-{n}", country="FR")
        UnitFactory(party=other)
        agreement = agreement_between(cast.a, other, title_en=f"Agreement {n}")
        commitment(cast, cast.a_officer, cast.a, dt.date(2030, 1, 1), agreement=agreement)


def test_portfolio_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast.a_officer)
    _portfolio_of(2, cast)
    client.get(URL)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        assert len(rows(client.get(URL))) == 3
    _portfolio_of(8, cast)
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(URL))) == 11
    assert len(many) == len(few)
