"""Record texts in the reader's language: the reference language when the reader's is
missing, said so; translations older than the reference's latest change flagged; the
reference and the reader's language side by side."""

import pytest
from django.template import Context, Template
from django.utils import translation

from entente.agreements.services.commitments import commitment_create, commitment_update


@pytest.fixture
def commitment(cast):
    return commitment_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        title={"fr": "Désigner une cellule de contact", "en": "Designate a contact cell"},
        description={"fr": "Chaque partie désigne sa cellule."},
        reference_language="fr",
        responsible_party=cast.a,
    )


def render(source: str, record, language: str) -> str:
    with translation.override(language):
        return Template("{% load texts %}" + source).render(Context({"record": record}))


def test_the_readers_language_is_shown_with_its_lang_and_direction(commitment):
    assert render('{% text record "title" %}', commitment, "en") == (
        '<span lang="en" dir="auto">Designate a contact cell</span>'
    )


def test_a_missing_translation_shows_the_reference_and_says_so(commitment):
    assert render('{% text record "description" %}', commitment, "en") == (
        '<span lang="fr" dir="auto">Chaque partie désigne sa cellule.</span>'
        ' <span class="lang-note">(shown in French, the reference)</span>'
    )


def test_a_translation_older_than_the_reference_is_flagged_on_detail_pages(cast, commitment):
    commitment = commitment_update(
        actor=cast.a_officer,
        commitment=commitment,
        expected_version=commitment.version,
        title_fr="Désigner deux cellules de contact",
    )
    flagged = render('{% text record "title" check=True %}', commitment, "en")
    assert flagged == (
        '<span lang="en" dir="auto">Designate a contact cell</span> <span class="lang-note'
        ' lang-note-stale">(translation older than the latest change to the French'
        " reference)</span>"
    )
    assert render('{% text record "title" %}', commitment, "en").endswith("cell</span>")
    commitment_update(
        actor=cast.a_officer,
        commitment=commitment,
        expected_version=commitment.version,
        title_en="Designate two contact cells",
    )
    commitment.refresh_from_db()
    assert render('{% text record "title" check=True %}', commitment, "en") == (
        '<span lang="en" dir="auto">Designate two contact cells</span>'
    )


def test_reference_and_translation_side_by_side(commitment):
    html = render('{% two_languages record "title" %}', commitment, "en")
    assert html.count('class="two-languages-column"') == 2
    assert html.index('lang="fr"') < html.index('lang="en"')
    assert "French · reference" in html
    alone = render('{% two_languages record "description" %}', commitment, "en")
    assert alone == '<div lang="fr" dir="auto">Chaque partie désigne sa cellule.</div>'
