"""Creating and editing a training: errors next to their field, conflicts shown, 403/404."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from entente.agreements.models import CooperationArea
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.reports.tests.pages import text
from entente.testing import agreement_between
from entente.training.models import TrainingActivity
from entente.training.services import participation_set, training_create, training_update


def create_url(agreement):
    return reverse("training:training-create", args=[agreement.public_id])


def edit_url(training):
    return reverse("training:training-edit", args=[training.public_id])


def valid(cast, **overrides) -> dict:
    data = {
        "kind": "workshop",
        "reference_language": "en",
        "title_en": "Cyber workshop",
        "title_fr": "Atelier cyber",
        "title_nl": "",
        "title_ar": "",
        "host_party": cast.a.pk,
        "sending_party": cast.b.pk,
        "starts_on": "2031-07-20",
        "ends_on": "2031-07-22",
        "area": "",
        "place": "Rabat",
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return data | overrides


def nothing_written(call):
    before = (AuditEvent.objects.count(), TrainingActivity.objects.count())
    response = call()
    assert (AuditEvent.objects.count(), TrainingActivity.objects.count()) == before
    return response


def options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select [^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, select_id
    return re.findall(r"<option[^>]*>([^<]*)</option>", select[1])


# --- create -----------------------------------------------------------------------------


def test_create_form_offers_the_agreement_parties_and_areas(client, cast):
    CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    other = agreement_between(cast.a, cast.c, title_en="Other")
    CooperationArea.objects.create(agreement=other, code="other", name_en="Other area")
    client.force_login(cast.a_officer)

    response = client.get(create_url(cast.agreement))

    assert response.status_code == 200
    html = response.content.decode()
    assert options(html, "id_host_party") == [
        "---------",
        "MA-DGSN – DGSN-DGST",
        "NL-POL – Netherlands Police",
    ]
    assert options(html, "id_area") == ["---------", "Cyber"]
    assert '<label for="id_title_en">Title (English):</label>' in html


def test_create_by_the_officer(client, cast):
    client.force_login(cast.a_officer)

    response = client.post(create_url(cast.agreement), valid(cast))

    training = TrainingActivity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:training-detail", args=[training.public_id])
    assert {
        "owner": training.owning_party.code,
        "title": (training.title_en, training.title_fr, training.title_nl),
        "kind": training.kind,
        "dates": (training.starts_on, training.ends_on),
        "scope": training.scope,
        "marking": training.marking,
        "status": training.status,
        "version": training.version,
    } == {
        "owner": "MA-DGSN",
        "title": ("Cyber workshop", "Atelier cyber", None),
        "kind": "workshop",
        "dates": (dt.date(2031, 7, 20), dt.date(2031, 7, 22)),
        "scope": "shared",
        "marking": "TLP:GREEN",
        "status": "planned",
        "version": 1,
    }


def test_create_by_the_other_party_is_owned_by_it(client, cast):
    client.force_login(cast.b_officer)

    client.post(create_url(cast.agreement), valid(cast, scope="internal"))

    assert list(TrainingActivity.objects.values_list("owning_party__code", "scope")) == [
        ("NL-POL", "internal")
    ]


def test_create_refused_for_the_reader(client, cast):
    client.force_login(cast.a_reader)

    assert client.get(create_url(cast.agreement)).status_code == 403
    assert (
        nothing_written(lambda: client.post(create_url(cast.agreement), valid(cast))).status_code
        == 403
    )


def test_create_under_an_invisible_agreement_is_404(client, cast):
    internal_b = agreement_between(cast.a, cast.b, owner=cast.b, scope=Scope.INTERNAL)
    client.force_login(cast.c_officer)
    assert client.get(create_url(cast.agreement)).status_code == 404

    client.force_login(cast.a_officer)
    assert client.get(create_url(internal_b)).status_code == 404
    assert (
        client.get(
            reverse("training:training-create", args=["7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"])
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"ends_on": "2031-07-19"}, {"ends_on": ["The activity cannot end before it starts."]}),
        (
            {"sending_party": "A"},
            {"sending_party": ["The sending party cannot be the host party."]},
        ),
        ({"title_en": ""}, {"title_en": ["Give the text in the reference language."]}),
        (
            {"reference_language": "nl"},
            {"title_nl": ["Give the text in the reference language."]},
        ),
        (
            {"marking": "TLP:RED"},
            {"marking": ["Only a coordinator of the owning party may mark a record TLP:RED."]},
        ),
        (
            {"host_party": "C"},
            {
                "host_party": [
                    "Select a valid choice. That choice is not one of the available choices."
                ]
            },
        ),
        ({"starts_on": "2031-02-30"}, {"starts_on": ["Enter a valid date."]}),
        ({"kind": "party"}, {"kind": ["Select a valid choice. party is not one of the available choices."]}),
        ({"scope": "public"}, {"scope": ["Select a valid choice. public is not one of the available choices."]}),
        ({"title_en": "x" * 301}, {"title_en": ["Ensure this value has at most 300 characters (it has 301)."]}),
        ({"place": "Rabat\x00"}, {"place": ["Null characters are not allowed."]}),
    ],
)  # fmt: skip
def test_create_bad_input_is_shown_next_to_the_field(client, cast, overrides, errors):
    parties = {"A": cast.a.pk, "C": cast.c.pk}
    overrides = {k: parties.get(v, v) for k, v in overrides.items()}
    client.force_login(cast.a_officer)

    response = nothing_written(
        lambda: client.post(create_url(cast.agreement), valid(cast, **overrides))
    )

    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_create_red_with_a_recipient_keeps_the_author(client, cast):
    client.force_login(cast.a_coordinator)

    client.post(
        create_url(cast.agreement),
        valid(cast, marking="TLP:RED", red_recipients=[cast.b_officer.pk]),
    )

    training = TrainingActivity.objects.get()
    assert sorted(u.username for u in training.red_recipients.all()) == [
        "a_coordinator",
        "b_officer",
    ]


def test_create_red_by_an_officer_is_refused_on_the_marking_field(client, cast):
    client.force_login(cast.a_officer)

    response = client.post(
        create_url(cast.agreement),
        valid(cast, marking="TLP:RED", red_recipients=[cast.a_officer.pk]),
    )

    assert response.context["form"].errors["marking"] == [
        "Only a coordinator of the owning party may mark a record TLP:RED."
    ]
    assert TrainingActivity.objects.count() == 0


def test_create_red_recipients_are_members_of_the_agreement_parties(client, cast):
    client.force_login(cast.a_officer)

    html = client.get(create_url(cast.agreement)).content.decode()

    assert options(html, "id_red_recipients") == [
        "a_coordinator (MA-DGSN)",
        "a_officer (MA-DGSN)",
        "a_reader (MA-DGSN)",
        "b_coordinator (NL-POL)",
        "b_officer (NL-POL)",
    ]


# --- edit -------------------------------------------------------------------------------


@pytest.fixture
def training(cast):
    return training_create(
        actor=cast.a_officer,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Forensic imaging course"},
        host_party=cast.a,
        sending_party=cast.b,
        starts_on=dt.date(2031, 7, 20),
        ends_on=dt.date(2031, 7, 24),
        place="Rabat",
        handling=Handling(scope=Scope.SHARED, marking=Marking.GREEN),
    )


def edit_data(cast, **overrides) -> dict:
    data = valid(cast, kind="course", title_en="Forensic imaging course", title_fr="",
                 starts_on="2031-07-20", ends_on="2031-07-24", version=1)  # fmt: skip
    for name in ("scope", "marking"):
        data.pop(name)
    return data | overrides


def test_edit_form_is_filled_with_the_record(client, cast, training):
    client.force_login(cast.a_officer)

    response = client.get(edit_url(training))

    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in ("title_en", "place", "starts_on", "version")} == {
        "title_en": "Forensic imaging course",
        "place": "Rabat",
        "starts_on": dt.date(2031, 7, 20),
        "version": 1,
    }
    html = response.content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert 'value="2031-07-20"' in html
    assert 'class="marking-banner marking-green"' in html


def test_edit_by_the_owner(client, cast, training):
    client.force_login(cast.a_officer)

    response = client.post(edit_url(training), edit_data(cast, place="Kenitra", title_fr="Cours"))

    assert response.status_code == 302
    training.refresh_from_db()
    assert (training.place, training.title_fr, training.version) == ("Kenitra", "Cours", 2)


def test_edit_refused_for_reader_and_other_party(client, cast, training):
    client.force_login(cast.a_reader)
    assert client.get(edit_url(training)).status_code == 403
    assert (
        nothing_written(lambda: client.post(edit_url(training), edit_data(cast))).status_code == 403
    )

    client.force_login(cast.b_officer)
    assert client.get(edit_url(training)).status_code == 403

    client.force_login(cast.c_officer)
    assert client.get(edit_url(training)).status_code == 404


def test_edit_of_internal_is_404_for_the_other_party(client, cast):
    internal = training_create(
        actor=cast.a_officer, agreement=cast.agreement, kind="course", title={"en": "Secret"},
        host_party=cast.a, sending_party=cast.b, starts_on=dt.date(2031, 1, 6),
        ends_on=dt.date(2031, 1, 7),
    )  # fmt: skip
    client.force_login(cast.b_officer)

    assert client.get(edit_url(internal)).status_code == 404
    assert (
        nothing_written(lambda: client.post(edit_url(internal), edit_data(cast))).status_code == 404
    )


def test_edit_with_a_stale_version_shows_what_changed(client, cast, training):
    training_update(
        actor=cast.a_coordinator, training=training, expected_version=1, place="Casablanca"
    )
    client.force_login(cast.a_officer)

    response = nothing_written(
        lambda: client.post(edit_url(training), edit_data(cast, title_en="My new title"))
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert text(html, "conflict") == (
        "Not saved: someone else changed this record while you were editing it. "
        "They changed these fields; the current values are: Place Casablanca "
        "Your input is kept below and nothing was overwritten. Check it against the current "
        "values; saving again will replace them with yours."
    )
    training.refresh_from_db()
    assert (training.title_en, training.place, training.version) == (
        "Forensic imaging course",
        "Casablanca",
        2,
    )
    form = response.context["form"]
    assert (form["title_en"].value(), form["version"].value()) == ("My new title", "2")


def test_edit_saving_again_after_a_conflict_is_deliberate(client, cast, training):
    training_update(
        actor=cast.a_coordinator, training=training, expected_version=1, place="Casablanca"
    )
    client.force_login(cast.a_officer)

    response = client.post(edit_url(training), edit_data(cast, place="Rabat", version=2))

    assert response.status_code == 302
    training.refresh_from_db()
    assert (training.place, training.version) == ("Rabat", 3)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"ends_on": "2031-07-01"}, {"ends_on": ["The activity cannot end before it starts."]}),
        ({"version": "abc"}, {"version": ["Enter a whole number."]}),
        ({"version": "0"}, {"version": ["Ensure this value is greater than or equal to 1."]}),
        ({"title_en": ""}, {"title_en": ["Give the text in the reference language."]}),
    ],
)
def test_edit_bad_input_is_shown_next_to_the_field(client, cast, training, overrides, errors):
    client.force_login(cast.a_officer)

    response = nothing_written(
        lambda: client.post(edit_url(training), edit_data(cast, **overrides))
    )

    assert response.status_code == 400
    assert response.context["form"].errors == errors


def test_edit_cannot_strand_recorded_participants(client, cast):
    three = agreement_between(cast.a, cast.b, cast.c, title_en="Three parties")
    training = training_create(
        actor=cast.a_officer, agreement=three, kind="course", title={"en": "Course"}, host_party=cast.a, sending_party=cast.b, starts_on=dt.date(2031, 1, 6), ends_on=dt.date(2031, 1, 7), handling=Handling(scope=Scope.SHARED))  # fmt: skip
    participation_set(actor=cast.a_officer, training=training, party=cast.b, count=3)
    client.force_login(cast.a_officer)

    response = nothing_written(
        lambda: client.post(
            edit_url(training),
            edit_data(
                cast,
                title_en="Course",
                sending_party=cast.c.pk,
                starts_on="2031-01-06",
                ends_on="2031-01-07",
            ),  # fmt: skip
        )
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "sending_party": ["Participants are recorded for a party this change removes."]
    }


def test_edit_ignores_fields_it_does_not_offer(client, cast, training):
    client.force_login(cast.a_officer)

    client.post(
        edit_url(training),
        edit_data(cast, scope="internal", marking="TLP:CLEAR", owning_party=cast.b.pk),
    )

    training.refresh_from_db()
    assert (training.scope, training.marking, training.owning_party_id) == (
        "shared",
        "TLP:GREEN",
        cast.a.pk,
    )
