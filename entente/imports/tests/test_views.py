"""The import on the web: upload, map the columns, dry run, confirm."""

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from entente.agreements.models import Commitment

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CSV = (
    "Titre;Échéance;Statut\n"
    "Désigner le point de contact;15 mars 2026;En cours\n"
    "\n"
    "Contactpunt aanwijzen;1 april 2026;planned\n"
    "Totaal;;\n"
)


@pytest.fixture(autouse=True)
def _imports_dir(settings, tmp_path):
    settings.IMPORTS_DIR = tmp_path / "imports"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client, cast, text=CSV):
    return client.post(
        reverse("imports:import-upload", args=[cast.agreement.public_id]),
        {"kind": "commitments", "file": SimpleUploadedFile("suivi.csv", text.encode())},
    )


def _key(response) -> str:
    return response["Location"].rstrip("/").split("/")[2]


def test_an_officer_uploads_maps_checks_and_imports(cast, settings):
    client = _client(cast.a_officer)
    uploaded = _upload(client, cast)
    assert uploaded.status_code == 302
    key = _key(uploaded)
    map_url = reverse("imports:import-map", args=[key])
    assert uploaded["Location"] == map_url

    page = client.get(map_url)
    assert page.status_code == 200
    assert [f.label for f in page.context["form"].column_fields()] == [
        "Titre",
        "Échéance",
        "Statut",
    ]

    mapped = client.post(
        map_url,
        {
            "column_0": "title",
            "column_1": "due_date",
            "column_2": "",
            "reference_language": "fr",
            "scope": "shared",
            "marking": "TLP:GREEN",
        },
    )
    check_url = reverse("imports:import-check", args=[key])
    assert mapped["Location"] == check_url

    dry = client.get(check_url)
    assert dry.status_code == 200
    assert dry.context["rows"] == [
        (2, ["Désigner le point de contact", "2026-03-15", "Français", "Shared", "TLP:GREEN"]),
        (4, ["Contactpunt aanwijzen", "2026-04-01", "Français", "Shared", "TLP:GREEN"]),
    ]
    assert dry.context["outcome"].skipped == [(3, "blank row"), (5, "total row")]
    assert Commitment.objects.count() == 0

    done = client.post(check_url)
    assert done["Location"] == cast.agreement.get_absolute_url()
    assert sorted(Commitment.objects.values_list("title_fr", "due_date", "scope")) == [
        ("Contactpunt aanwijzen", dt.date(2026, 4, 1), "shared"),
        ("Désigner le point de contact", dt.date(2026, 3, 15), "shared"),
    ]
    assert list((settings.IMPORTS_DIR).iterdir()) == []  # the file is gone
    assert client.get(check_url).status_code == 404


@pytest.mark.parametrize(
    "header",
    ["Titre;Échéance;Statut;Description", "Titel;Vervaldatum;Status;Omschrijving"],
)
def test_the_mapping_step_recognises_french_and_dutch_column_names(cast, header):
    client = _client(cast.a_officer)
    key = _key(_upload(client, cast, f"{header}\nUn;15/03/2026;Prévu;Texte\n"))

    page = client.get(reverse("imports:import-map", args=[key]))

    form = page.context["form"]
    assert [form[f"column_{i}"].value() for i in range(4)] == [
        "title",
        "due_date",
        "status",
        "description",
    ]


def test_the_check_page_shows_choices_by_their_labels_in_the_readers_language(cast):
    client = _client(cast.a_officer)
    client.cookies["django_language"] = "fr"
    key = _key(_upload(client, cast, "Titre;Statut\nUn;En cours\nDeux;Gepland\n"))
    client.post(
        reverse("imports:import-map", args=[key]),
        {"column_0": "title", "column_1": "status", "reference_language": "nl"}
        | {"scope": "shared", "marking": "TLP:GREEN"},
    )

    page = client.get(reverse("imports:import-check", args=[key]))

    assert page.context["rows"] == [
        (2, ["Un", "En cours", "Nederlands", "Partagé", "TLP:GREEN"]),
        (3, ["Deux", "Planifié", "Nederlands", "Partagé", "TLP:GREEN"]),
    ]
    assert "<td>En cours</td>" in page.content.decode()


def test_the_dry_run_lists_each_problem_by_row_and_column_and_offers_no_import(cast):
    client = _client(cast.a_officer)
    key = _key(_upload(client, cast, "Title;Due date\nOne;31/02/2026\nTwo;demain\n"))
    client.post(
        reverse("imports:import-map", args=[key]),
        {
            "column_0": "title",
            "column_1": "due_date",
            "reference_language": "en",
            "scope": "internal",
            "marking": "TLP:AMBER",
        },
    )

    page = client.get(reverse("imports:import-check", args=[key]))

    assert page.status_code == 400
    assert [(p.row, p.column, p.message) for p in page.context["outcome"].problems] == [
        (2, "Due date", "“31/02/2026” is not a day of the calendar."),
        (
            3,
            "Due date",
            "“demain” is not a date (write it as 03/03/2026, 3 mars 2026, 3 maart 2026, 2026-03-03).",
        ),
    ]
    assert (
        b"Import 0" not in page.content and b'method="post"' not in page.content.split(b"<main")[-1]
    )
    assert client.post(reverse("imports:import-check", args=[key])).status_code == 400
    assert Commitment.objects.count() == 0


def test_an_upload_untouched_for_a_day_is_removed_by_the_next_upload(cast, settings):
    client = _client(cast.a_officer)
    abandoned, recent = _key(_upload(client, cast)), _key(_upload(client, cast))
    for key, age in ((abandoned, 24 * 3600 + 60), (recent, 23 * 3600)):
        for path in settings.IMPORTS_DIR.glob(f"*{key}*"):
            os.utime(path, (time.time() - age, time.time() - age))

    _upload(_client(cast.b_officer), cast)

    assert client.get(reverse("imports:import-map", args=[abandoned])).status_code == 404
    assert client.get(reverse("imports:import-map", args=[recent])).status_code == 200
    assert len(list(settings.IMPORTS_DIR.glob(f"*{recent}*"))) == 2
    assert len(list(settings.IMPORTS_DIR.iterdir())) == 4


def test_another_user_cannot_open_an_upload(cast):
    key = _key(_upload(_client(cast.a_officer), cast))

    other = _client(cast.a_coordinator)

    assert other.get(reverse("imports:import-map", args=[key])).status_code == 404
    assert other.post(reverse("imports:import-check", args=[key])).status_code == 404


def test_a_reader_may_not_import(cast, settings):
    response = _upload(_client(cast.a_reader), cast)

    assert response.status_code == 403
    assert not settings.IMPORTS_DIR.exists() or list(settings.IMPORTS_DIR.iterdir()) == []


def test_an_outsider_does_not_learn_the_agreement_exists(cast):
    response = _upload(_client(cast.c_officer), cast)

    assert response.status_code == 404


def _upload_example(client, cast, mapping: bytes):
    example = EXAMPLES / "commitments-example.xlsx"
    return client.post(
        reverse("imports:import-upload", args=[cast.agreement.public_id]),
        {
            "kind": "commitments",
            "file": SimpleUploadedFile("suivi.xlsx", example.read_bytes()),
            "mapping": SimpleUploadedFile("suivi.json", mapping),
        },
    )


def test_a_mapping_file_prefills_the_mapping_step(cast):
    client = _client(cast.a_officer)
    mapping = (EXAMPLES / "commitments-example.mapping.json").read_bytes()
    key = _key(_upload_example(client, cast, mapping))

    page = client.get(reverse("imports:import-map", args=[key]))

    form = page.context["form"]
    assert [(f.label, form.initial.get(f.name, "")) for f in form.column_fields()] == [
        ("N°", ""),
        ("Intitulé", "title"),
        ("Responsable", "responsible_party"),
        ("Date prévue", "due_date"),
        ("Statut", "status"),
        ("Avancement (%)", "progress"),
        ("Remarques", "description"),
    ]
    data = {f"column_{i}": form.initial.get(f"column_{i}", "") for i in range(7)}
    data |= {"reference_language": "fr", "scope": "shared", "marking": "TLP:GREEN"}
    client.post(reverse("imports:import-map", args=[key]), data)
    check = client.get(reverse("imports:import-check", args=[key]))
    assert [row for row, _values in check.context["rows"]] == [5, 6, 7, 9, 10, 11]


def test_a_sheet_the_workbook_lacks_is_said_on_the_mapping_step(cast):
    client = _client(cast.a_officer)
    key = _key(_upload_example(client, cast, b'{"kind": "commitments", "sheet": "Nope"}'))

    page = client.get(reverse("imports:import-map", args=[key]))

    assert (page.status_code, page.context["problem"]) == (
        400,
        "The workbook has no sheet “Nope”.",
    )


def test_a_mapping_file_that_is_not_json_is_refused_on_its_field(cast):
    response = _upload_example(_client(cast.a_officer), cast, b"kind: commitments")

    assert response.status_code == 400
    assert response.context["form"].errors == {"mapping": ["The mapping file is not JSON."]}
