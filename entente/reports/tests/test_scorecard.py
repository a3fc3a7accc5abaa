"""The scorecard's figures, exact on a small world, for readers of either party."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.reports.scorecard import scorecard_for
from entente.reports.tests import report_world as W
from entente.reports.tests.pages import rows, text


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(W.NOW, tick=False)


@pytest.fixture
def w(cast):
    return W.build(cast)


def figures(rows_):
    return [(r.label, r.counts, r.overdue, r.progress) for r in rows_]


def counts(done=0, in_progress=0, planned=0, deferred=0, cancelled=0):
    return {
        "planned": planned,
        "in_progress": in_progress,
        "done": done,
        "deferred": deferred,
        "cancelled": cancelled,
    }


def test_status_by_area_counts_what_the_reader_sees(cast, w):
    a_view = scorecard_for(cast.a_officer, cast.agreement, year=2026)
    b_view = scorecard_for(cast.b_officer, cast.agreement, year=2026)
    reader_view = scorecard_for(cast.a_reader, cast.agreement, year=2026)

    assert figures(a_view.areas) == [
        ("Cybercrime", counts(done=1, planned=3), 2, 40),  # (40 + 100 + 20 + 0) / 4
        ("No area", counts(planned=2), 1, 0),  # the TLP:RED one overdue
    ]
    assert figures(b_view.areas) == [
        ("Cybercrime", counts(done=1, planned=2), 1, 53),  # no internal of A: (40+100+20)/3
        ("No area", counts(planned=1), 0, 0),  # no TLP:RED
    ]
    assert figures(reader_view.areas)[1] == ("No area", counts(planned=1), 0, 0)
    assert (a_view.totals.total, a_view.totals.overdue) == (6, 3)
    assert (b_view.totals.total, b_view.totals.overdue) == (4, 1)


def test_status_by_clause_counts_the_commitments_implementing_it(cast, w):
    assert figures(scorecard_for(cast.b_officer, cast.agreement).clauses) == [
        ("Article 1", counts(done=1, planned=2), 1, 53),
    ]


def test_indicators_show_the_values_of_the_period(cast, w):
    (indicator,) = scorecard_for(cast.b_officer, cast.agreement, year=2026).indicators
    assert (indicator.commitment, indicator.baseline, indicator.target) == (
        w.measured,
        Decimal("10"),
        Decimal("50"),
    )
    assert [(v.period_start, v.actual) for v in indicator.values] == [
        (dt.date(2026, 1, 1), Decimal("20.50"))
    ]
    assert indicator.maximum == Decimal("50")
    every = scorecard_for(cast.b_officer, cast.agreement).indicators[0]
    assert [v.actual for v in every.values] == [Decimal("12.00"), Decimal("20.50")]


def test_timeliness_per_direction_and_priority(cast, w):
    rows_ = scorecard_for(cast.b_officer, cast.agreement, year=2026).timeliness
    assert [
        (r.sender, r.receiver, r.priority, r.sent, r.answered, r.on_time, r.decided) for r in rows_
    ] == [
        ("MA-DGSN", "NL-POL", "urgent", 2, 1, 1, 1),  # one still within its 48 hours
        ("NL-POL", "MA-DGSN", "normal", 4, 3, 2, 4),  # one answered late, one owed late
    ]
    assert [(r.share_on_time, r.median) for r in rows_] == [
        (100, dt.timedelta(hours=5)),
        (50, dt.timedelta(days=10)),  # the median of 2, 10 and 40 days
    ]


def test_trainings_per_direction_in_the_period(cast, w):
    assert scorecard_for(cast.a_reader, cast.agreement, year=2026).trainings == [
        {"year": 2026, "party": "MA-DGSN", "hosted": 6, "sent": 0,
         "planned_hosted": 0, "planned_sent": 0},
        {"year": 2026, "party": "NL-POL", "hosted": 0, "sent": 6,
         "planned_hosted": 0, "planned_sent": 0},
    ]  # fmt: skip
    assert scorecard_for(cast.a_reader, cast.agreement, year=2025).trainings == []


def test_scorecard_page_shows_the_tables_and_their_charts(client, cast, w):
    client.force_login(cast.b_officer)
    url = reverse("reports:agreement-scorecard", args=[cast.agreement.public_id])
    response = client.get(url, {"period": "2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html, "areas-chart") == [
        ["Cybercrime", "Cybercrime: 3 commitments, 1 done, 1 overdue",
         "1", "0", "2", "0", "0", "1", "53%"],
        ["No area", "No area: 1 commitment, 0 done, 0 overdue",
         "0", "0", "1", "0", "0", "0", "0%"],
    ]  # fmt: skip
    assert 'role="img" aria-label="Cybercrime: 3 commitments, 1 done, 1 overdue"' in html
    assert "A internal secret" not in html and "Red eyes only" not in html
    assert text(html, "scorecard-marking") == (
        "TLP:AMBER The highest marking of what these figures count."
    )


def test_scorecard_page_names_a_bad_period(client, cast, w):
    client.force_login(cast.b_officer)
    url = reverse("reports:agreement-scorecard", args=[cast.agreement.public_id])
    response = client.get(url, {"period": "soon"})
    assert response.status_code == 400
    assert "Year: Enter a whole number." in response.content.decode()


def test_report_page_shows_overdue_items_with_their_owners(client, cast, w):
    client.force_login(cast.b_officer)
    url = reverse("reports:agreement-report", args=[cast.agreement.public_id])
    html = client.get(url, {"period": "2026"}).content.decode()
    assert rows(html, "report-overdue-commitments") == [
        ["Cyber overdue", "MA-DGSN", "1 Jun 2026", "Planned"]
    ]
    # On the reader's clock: Amsterdam, at UTC+2 in May.
    assert rows(html, "report-overdue-requests") == [
        ["NL-POL-2026-0004 Owed past deadline", "MA-DGSN, Contact cell MA", "1 May 2026, 11:00",
         "Normal"],
    ]  # fmt: skip
    assert rows(html, "report-meetings") == [
        ["Joint committee", "10 Mar 2026, 10:00", "Rabat", "MA-DGSN"]
    ]
    assert rows(html, "report-decisions") == [
        ["1. Test the channel monthly", "Joint committee", "10 Mar 2026"]
    ]
    pdf = reverse("reports:agreement-report-pdf", args=[cast.agreement.public_id])
    assert f'href="{pdf}?period=2026"' in html


def test_report_pdf_of_a_bad_period_is_the_page_naming_it(client, cast):
    client.force_login(cast.b_officer)
    url = reverse("reports:agreement-report-pdf", args=[cast.agreement.public_id])
    response = client.get(url, {"period": "1200"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Year: Ensure this value is greater than or equal to 1945." in response.content.decode()


def test_agreement_and_meeting_pages_link_to_their_reports(client, cast, w):
    client.force_login(cast.b_officer)
    agreement_page = client.get(
        reverse("reports:agreement-detail", args=[cast.agreement.public_id])
    )
    meeting_page = client.get(reverse("meetings:meeting-detail", args=[w.meeting.public_id]))
    for name in ("reports:agreement-scorecard", "reports:agreement-report"):
        assert f'href="{reverse(name, args=[cast.agreement.public_id])}"' in agreement_page.text
    assert (
        f'href="{reverse("reports:meeting-pdf", args=[w.meeting.public_id])}"' in meeting_page.text
    )


def test_scorecard_queries_do_not_grow_with_the_records(client, cast, w):
    client.force_login(cast.a_officer)
    url = reverse("reports:agreement-scorecard", args=[cast.agreement.public_id])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    W._commitment(cast, cast.a_officer, "One more", cast.a, dt.date(2026, 1, 1), area=w.cyber,
                  clauses=[w.article1], indicator="Cases", baseline=Decimal(1))  # fmt: skip
    W._request(cast, cast.b_officer, W.NOW - dt.timedelta(days=3), "One more",
               answered_after=dt.timedelta(days=1))  # fmt: skip
    assert queries() == before
