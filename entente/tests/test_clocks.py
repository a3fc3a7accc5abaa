"""Times on two clocks: the reader's and, where it reads otherwise, the counterpart
party's, from zoneinfo (summer time; Morocco's change of offset during Ramadan)."""

import datetime as dt
import zoneinfo

from django.template import Context, Template
from django.utils import timezone

from entente.agreements.selectors import counterpart_zones
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.meetings.services.meetings import meeting_create

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def clocks(value: dt.datetime, reader: zoneinfo.ZoneInfo, counterparts: list[str]) -> str:
    with timezone.override(reader):
        context = Context({"value": value, "counterpart_zones": counterparts})
        return Template("{% load dates %}{% clocks value %}").render(context)


def test_ten_in_casablanca_during_ramadan_is_eleven_in_amsterdam():
    # Morocco keeps UTC+0 during Ramadan (2 March 2026), the Netherlands CET (UTC+1).
    at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
    assert clocks(at, CASABLANCA, ["Europe/Amsterdam"]) == (
        '<time datetime="2026-03-02T10:00:00+00:00">2 Mar 2026, 10:00</time> Casablanca'
        ' <span class="other-clock">/ 11:00 Amsterdam</span>'
    )


def test_ten_in_amsterdam_in_summer_is_nine_in_casablanca():
    # Summer: the Netherlands on CEST (UTC+2), Morocco on UTC+1.
    at = dt.datetime(2026, 7, 2, 10, 0, tzinfo=AMSTERDAM)
    assert clocks(at, AMSTERDAM, ["Africa/Casablanca"]) == (
        '<time datetime="2026-07-02T08:00:00+00:00">2 Jul 2026, 10:00</time> Amsterdam'
        ' <span class="other-clock">/ 09:00 Casablanca</span>'
    )


def test_the_same_reading_is_not_repeated_and_another_day_is_dated():
    # Outside Ramadan in winter both read UTC+1.
    winter = dt.datetime(2026, 1, 12, 10, 0, tzinfo=CASABLANCA)
    assert clocks(winter, CASABLANCA, ["Europe/Amsterdam"]).endswith("</time> Casablanca")
    late = dt.datetime(2026, 7, 2, 23, 30, tzinfo=CASABLANCA)
    assert clocks(late, CASABLANCA, ["Europe/Amsterdam"]).endswith(
        '<span class="other-clock">/ 3 Jul 2026, 00:30 Amsterdam</span>'
    )


def test_counterparts_are_the_other_parties_of_the_users_agreements(cast):
    assert counterpart_zones(cast.a_officer) == ["Europe/Amsterdam"]
    assert counterpart_zones(cast.b_officer) == ["Africa/Casablanca"]


def test_meeting_page_shows_the_start_on_both_parties_clocks(cast, client):
    meeting = meeting_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="expert_meeting",
        title={"en": "Ramadan working session"},
        starts_at=dt.datetime(2026, 3, 2, 10, 0),
        ends_at=dt.datetime(2026, 3, 2, 12, 0),
        time_zone="Africa/Casablanca",
        host_party=cast.a,
        handling=Handling(scope=Scope.SHARED),
    )
    client.force_login(cast.b_officer)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert (
        '<time datetime="2026-03-02T10:00:00+00:00">2 Mar 2026, 11:00</time> Amsterdam'
        ' <span class="other-clock">/ 10:00 Casablanca</span>'
    ) in page
