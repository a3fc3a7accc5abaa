"""One date format and one date-time format per language (entente/formats), on every page:
the exact text in each language, and no template that formats a date its own way."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

import entente
from entente.agreements.services.commitments import commitment_create
from entente.meetings.tests.test_services import new_meeting

ROOT = Path(entente.__file__).parent

DATES = {
    "en": "3 Dec 2026",
    "fr": "3 déc. 2026",
    "nl": "3 dec 2026",
    "ar": "3 ديسمبر 2026",
}
DATETIMES = {
    "en": "3 Dec 2026, 14:30",
    "fr": "3 déc. 2026 à 14:30",
    "nl": "3 dec 2026 14:30",
    "ar": "3 ديسمبر 2026، 14:30",
}


def test_every_language_has_its_formats():
    assert sorted(DATES) == sorted(code for code, _ in settings.LANGUAGES)


@pytest.mark.parametrize("language", sorted(DATES))
def test_commitment_list_shows_the_due_date_in_the_language_format(client, cast, language):
    commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"en": "Exchange liaison officers"},
        responsible_party=cast.b,
        due_date=dt.date(2026, 12, 3),
    )
    client.force_login(cast.a_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("agreements:commitment-list")).content.decode()
    due = re.findall(r'data-label="[^"]*">(<time [^>]*>[^<]*</time>)</td>', page)
    assert due == [f'<time datetime="2026-12-03">{DATES[language]}</time>']


@pytest.mark.parametrize("language", sorted(DATES))
def test_meeting_list_shows_the_start_in_the_language_format(client, cast, language):
    # 14:30 in Casablanca on 3 December (UTC+1) is 13:30 UTC.
    new_meeting(
        cast,
        starts_at=dt.datetime(2026, 12, 3, 14, 30),
        ends_at=dt.datetime(2026, 12, 3, 16, 0),
    )
    client.force_login(cast.a_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("meetings:meeting-list")).content.decode()
    starts = re.findall(r"<time [^>]*>[^<]*</time>", page)
    assert starts == [f'<time datetime="2026-12-03T13:30:00+00:00">{DATETIMES[language]}</time>']


def test_a_moment_shows_on_the_clock_it_is_given_or_the_readers():
    # 14 June: Casablanca is UTC+1, Amsterdam UTC+2.
    template = Template("{% load dates %}{{ at|moment }} / {{ at|moment:'Europe/Amsterdam' }}")
    at = dt.datetime(2026, 6, 14, 8, 0, tzinfo=dt.UTC)
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Africa/Casablanca")):
        shown = template.render(Context({"at": at}))
    iso = "2026-06-14T08:00:00+00:00"
    assert shown == (
        f'<time datetime="{iso}">14 juin 2026 à 09:00</time> / '
        f'<time datetime="{iso}">14 juin 2026 à 10:00</time>'
    )


def test_a_day_and_a_moment_of_nothing_show_nothing():
    template = Template(
        '{% load dates %}[{{ none|day }}][{{ none|moment }}][{{ none|day|default:"—" }}]'
    )
    assert template.render(Context({"none": None})) == "[][][—]"


# Formats a template may still give to |date: the language's named formats, and these
# parts that are not a date as such, each where it is used and why.
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
}
EXCEPTIONS = {
    ("reports/templates/reports/agreement_detail.html", "Y"),  # an event known to the year
    ("reports/templates/reports/_report_body.html", "Y"),  # the same, in the report
    ("reports/templates/reports/dashboard.html", "D"),  # the weekday before a date
    ("reports/templates/reports/calendar.html", "l"),  # the weekday before a date
    ("reports/templates/reports/calendar.html", "j"),  # the day's number in the month grid
    ("reports/templates/reports/calendar.html", "F"),  # the month, for screen readers
    ("reports/templates/reports/calendar.html", "Y-m-d"),  # ids and datetime attributes
    ("reports/templates/reports/_calendar_more.html", "Y-m-d"),  # a day's agenda, ?day=
}
DATE_FILTER = re.compile(r"""\|(date|time):\s*["']([^"']*)["']""")
FORBIDDEN = re.compile(r"\|(naturaltime|naturalday|timesince|timeuntil)\b|\.isoformat\b")


def test_no_template_formats_a_date_its_own_way():
    found = set()
    for path in sorted(ROOT.rglob("templates/**/*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        text = path.read_text()
        name = str(path.relative_to(ROOT))
        found |= {(name, fmt) for _, fmt in DATE_FILTER.findall(text) if fmt not in NAMED}
        found |= {(name, match.group(0)) for match in FORBIDDEN.finditer(text)}
    assert found == EXCEPTIONS
