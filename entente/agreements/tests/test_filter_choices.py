"""The records a list's filter offers: at most a bounded number, the chosen one always
among them, and a cooperation area only from the chosen agreement once one is named."""

import re

import pytest
from django.urls import reverse

from entente.agreements.services.agreements import area_create
from entente.core import filters
from entente.testing import agreement_between

pytestmark = pytest.mark.django_db

LISTS = [
    reverse("agreements:commitment-list"),
    reverse("liaison:request-list"),
    reverse("meetings:meeting-list"),
    reverse("training:training-list"),
]


def options(response, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, disabled) of each option of the select `name`."""
    html = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return [
        (value, label.strip(), "disabled" in attrs)
        for attrs, value, label in re.findall(
            r'<option([^>]*?value="([^"]*)"[^>]*)>(.*?)</option>', select.group(1), re.S
        )
    ]


@pytest.fixture
def three(cast, monkeypatch):
    monkeypatch.setattr(filters, "RECORD_CHOICES", 2)
    agreements = [
        agreement_between(cast.a, cast.b, title_en=f"Agreement {letter}") for letter in "XYZ"
    ]
    return cast, [cast.agreement, *agreements]


@pytest.mark.parametrize("url", LISTS)
def test_a_filter_offers_the_first_records_and_says_there_are_more(client, three, url):
    cast, agreements = three
    client.force_login(cast.a_reader)

    offered = options(client.get(url), "agreement")

    assert [label for _value, label, _off in offered[1:]] == [
        "Agreement X",
        "Agreement Y",
        "Only the first 2 are listed.",
    ]
    assert [off for *_rest, off in offered] == [False, False, False, True]


@pytest.mark.parametrize("url", LISTS)
def test_the_chosen_record_is_offered_even_beyond_the_first(client, three, url):
    cast, agreements = three
    client.force_login(cast.a_reader)
    chosen = agreements[0]  # "Letter of intent...", last by title

    response = client.get(url, {"agreement": str(chosen.public_id)})

    labels = [label for _value, label, _off in options(response, "agreement")]
    assert labels[1:] == [
        "Agreement X",
        "Agreement Y",
        "Letter of intent on police cooperation",
        "Only the first 2 are listed.",
    ]
    assert f'value="{chosen.public_id}" selected' in response.content.decode()


def test_areas_are_those_of_the_chosen_agreement(client, cast):
    other = agreement_between(cast.a, cast.b, title_en="Other agreement")
    for agreement, code in ((cast.agreement, "drugs"), (other, "cyber")):
        area_create(
            actor=cast.a_coordinator, agreement=agreement, code=code, name={"en": code.title()}
        )
    client.force_login(cast.a_reader)
    url = reverse("agreements:commitment-list")

    every = options(client.get(url), "area")
    narrowed = options(client.get(url, {"agreement": str(other.public_id)}), "area")

    assert [label for _value, label, _off in every[1:]] == [
        "Cyber (Other agreement)",
        "Drugs (Letter of intent on police cooperation)",
    ]
    assert [label for _value, label, _off in narrowed[1:]] == ["Cyber (Other agreement)"]
