"""The training page and its forms: status, participants, evaluation, attachments."""

import datetime as dt

import pytest
from django.urls import reverse

from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.reports.tests.pages import rows, text
from entente.testing import with_handling
from entente.training.models import TrainingActivity, TrainingParticipation
from entente.training.services import participation_set, training_change_status, training_create

PAST = dt.date(2023, 3, 6)
FUTURE = dt.date(2031, 7, 20)


def make(cast, actor=None, *, starts_on=PAST, **fields):
    values = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "kind": "course",
        "title": {"en": "Forensic imaging course"},
        "host_party": cast.a,
        "sending_party": cast.b,
        "starts_on": starts_on,
        "ends_on": starts_on + dt.timedelta(days=4),
        "place": "Rabat",
        "scope": Scope.SHARED,
        "marking": Marking.GREEN,
    }
    return training_create(**with_handling(values | fields))


@pytest.fixture
def shared(cast):
    return make(cast)


@pytest.fixture
def internal(cast):
    return make(cast, title={"en": "A internal workshop"}, scope=Scope.INTERNAL)


def url(name, training, *args):
    if name == "attachment-add":  # the attachments app's, on every record's page
        return reverse("attachments:upload", args=["training.trainingactivity", training.public_id])
    return reverse(f"training:training-{name}", args=[training.public_id, *args])


def page(client, user, training):
    client.force_login(user)
    response = client.get(url("detail", training))
    assert response.status_code == 200
    return response.content.decode()


def unchanged(call):
    """Run a refused request; nothing may be written, not even an audit event."""
    before = (
        AuditEvent.objects.count(),
        TrainingParticipation.objects.count(),
        list(TrainingActivity.objects.values_list("pk", "version", "status", "evaluation")),
    )
    response = call()
    after = (
        AuditEvent.objects.count(),
        TrainingParticipation.objects.count(),
        list(TrainingActivity.objects.values_list("pk", "version", "status", "evaluation")),
    )
    assert after == before
    return response


# --- the page -------------------------------------------------------------------------


def test_detail_shows_the_record_with_marking_and_scope(client, cast, shared):
    participation_set(actor=cast.a_officer, training=shared, party=cast.b, count=6, names="X\nY")

    html = page(client, cast.a_officer, shared)

    assert text(html, "training-details") == (
        "Kind Course Dates 6 Mar 2023 – 10 Mar 2023 Host party MA-DGSN – DGSN-DGST "
        "Sending party NL-POL – Netherlands Police Place Rabat Cooperation area — "
        "Agreement Letter of intent on police cooperation Owner MA-DGSN"
    )
    assert rows(html, "participants") == [["NL-POL", "6", "X Y"]]
    assert 'class="marking-banner marking-green"' in html
    assert '<p class="marking-scope scope-shared">' in html
    assert text(html, "training-status") == "Planned"


def test_detail_for_the_writer_offers_the_forms(client, cast, shared):
    html = page(client, cast.a_officer, shared)

    for name in ("edit", "status", "participation", "attachment-add"):
        assert url(name, shared) in html
    assert url("evaluation", shared) not in html  # only once held


def test_detail_for_the_reader_offers_no_forms(client, cast, shared):
    html = page(client, cast.a_reader, shared)

    for name in ("edit", "status", "participation", "evaluation", "attachment-add"):
        assert url(name, shared) not in html


def test_detail_for_the_other_party_shows_shared_without_forms(client, cast, shared):
    html = page(client, cast.b_officer, shared)

    for name in ("edit", "status", "participation", "evaluation"):
        assert url(name, shared) not in html
    # B may add its own files to a shared record of the agreement.
    assert url("attachment-add", shared) in html


def test_detail_internal_is_404_for_the_other_party(client, cast, internal):
    client.force_login(cast.b_officer)

    response = client.get(url("detail", internal))

    assert response.status_code == 404
    assert "A internal workshop" not in response.content.decode()


def test_detail_is_404_for_the_outsider_and_for_nothing(client, cast, shared):
    client.force_login(cast.c_officer)
    assert client.get(url("detail", shared)).status_code == 404

    client.force_login(cast.a_officer)
    assert (
        client.get(
            reverse("training:training-detail", args=["7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"])
        ).status_code
        == 404
    )


# --- status -----------------------------------------------------------------------------


def test_status_change_by_the_owner(client, cast, shared):
    client.force_login(cast.a_officer)

    response = client.post(url("status", shared), {"status": "confirmed", "version": 1})

    assert response.status_code == 302
    assert response["Location"] == url("detail", shared)
    shared.refresh_from_db()
    assert (shared.status, shared.version) == ("confirmed", 2)


def test_status_change_refused_for_the_reader(client, cast, shared):
    client.force_login(cast.a_reader)

    response = unchanged(
        lambda: client.post(url("status", shared), {"status": "confirmed", "version": 1})
    )

    assert response.status_code == 403


def test_status_change_of_internal_is_404_for_the_other_party(client, cast, internal):
    client.force_login(cast.b_officer)

    response = unchanged(
        lambda: client.post(url("status", internal), {"status": "confirmed", "version": 1})
    )

    assert response.status_code == 404


def test_status_change_of_shared_is_403_for_the_other_party(client, cast, shared):
    client.force_login(cast.b_officer)

    response = unchanged(
        lambda: client.post(url("status", shared), {"status": "confirmed", "version": 1})
    )

    assert response.status_code == 403


def test_status_held_in_the_future_is_refused_next_to_the_field(client, cast):
    training = make(cast, starts_on=FUTURE)
    training = training_change_status(
        actor=cast.a_officer, training=training, status="confirmed", expected_version=1
    )
    client.force_login(cast.a_officer)

    response = unchanged(
        lambda: client.post(url("status", training), {"status": "held", "version": 2})
    )

    assert response.status_code == 400
    form = response.context["status_form"]
    assert form.errors == {"status": ["An activity that has not started cannot be held."]}


def test_status_impossible_move_is_refused_next_to_the_field(client, cast, shared):
    client.force_login(cast.a_officer)

    response = unchanged(
        lambda: client.post(url("status", shared), {"status": "held", "version": 1})
    )

    assert response.status_code == 400
    assert response.context["status_form"].errors == {
        "status": ["A training activity cannot go from Planned to Held."]
    }


def test_status_form_offers_only_the_moves_open_now(client, cast, shared):
    html = page(client, cast.a_officer, shared)

    assert '<option value="confirmed">Confirmed</option>' in html
    assert '<option value="cancelled">Cancelled</option>' in html
    assert '<option value="held"' not in html


@pytest.mark.parametrize(
    "data",
    [
        {"status": "nonsense", "version": 1},
        {"status": "confirmed", "version": "x"},
        {"status": "confirmed"},
        {},
    ],
)
def test_status_forged_forms_are_refused_without_a_500(client, cast, shared, data):
    client.force_login(cast.a_officer)

    response = unchanged(lambda: client.post(url("status", shared), data))

    assert response.status_code == 400
    assert response.context["status_form"].errors


def test_status_with_a_stale_version_shows_the_conflict(client, cast, shared):
    training_change_status(
        actor=cast.a_coordinator, training=shared, status="cancelled", expected_version=1
    )
    client.force_login(cast.a_officer)

    response = unchanged(
        lambda: client.post(url("status", shared), {"status": "confirmed", "version": 1})
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert text(html, "conflict") == (
        "Not saved: someone else changed this record while you were editing it. "
        "They changed these fields; the current values are: Status Cancelled "
        "Your input is kept below and nothing was overwritten. Check it against the current "
        "values; saving again will replace them with yours."
    )
    assert text(html, "training-status") == "Cancelled"


def test_status_refuses_get(client, cast, shared):
    client.force_login(cast.a_officer)

    assert client.get(url("status", shared)).status_code == 405


# --- participants -------------------------------------------------------------------------


def test_participation_recorded_by_the_owner(client, cast, shared):
    client.force_login(cast.a_officer)

    response = client.post(
        url("participation", shared), {"party": cast.b.pk, "count": 7, "names": " A\nB "}
    )

    assert response.status_code == 302
    assert list(TrainingParticipation.objects.values_list("party__code", "count", "names")) == [
        ("NL-POL", 7, "A\nB")
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"party": "C", "count": 1}, {"party": ["Select a valid choice. That choice is not "
                                                "one of the available choices."]}),
        ({"party": "B", "count": -1}, {"count": ["Ensure this value is greater than or "
                                                 "equal to 0."]}),
        ({"party": "B", "count": "many"}, {"count": ["Enter a whole number."]}),
        ({"party": "B"}, {"count": ["This field is required."]}),
    ],
)  # fmt: skip
def test_participation_bad_input_next_to_the_field(client, cast, shared, data, errors):
    data = data | {"party": {"B": cast.b.pk, "C": cast.c.pk}[data["party"]]}
    client.force_login(cast.a_officer)

    response = unchanged(lambda: client.post(url("participation", shared), data))

    assert response.status_code == 400
    assert response.context["participation_form"].errors == errors


def test_participation_refused_for_reader_and_other_party(client, cast, shared, internal):
    data = {"party": cast.b.pk, "count": 1}
    client.force_login(cast.a_reader)
    assert unchanged(lambda: client.post(url("participation", shared), data)).status_code == 403

    client.force_login(cast.b_officer)
    assert unchanged(lambda: client.post(url("participation", shared), data)).status_code == 403
    assert unchanged(lambda: client.post(url("participation", internal), data)).status_code == 404


# --- evaluation ---------------------------------------------------------------------------


@pytest.fixture
def held(cast, shared):
    training = shared
    for status in ("confirmed", "held"):
        training = training_change_status(
            actor=cast.a_officer,
            training=training,
            status=status,
            expected_version=training.version,
        )
    return training


def test_evaluation_recorded_once_held(client, cast, held):
    client.force_login(cast.a_officer)

    response = client.post(url("evaluation", held), {"evaluation": " Went well. ", "version": 3})

    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.evaluation, held.version) == ("Went well.", 4)
    assert text(page(client, cast.b_officer, held), "evaluation") == "Went well."


def test_evaluation_before_held_is_refused_next_to_the_field(client, cast, shared):
    client.force_login(cast.a_officer)

    response = unchanged(
        lambda: client.post(url("evaluation", shared), {"evaluation": "Early", "version": 1})
    )

    assert response.status_code == 400
    assert response.context["evaluation_form"].errors == {
        "evaluation": ["Only a held activity can be evaluated."]
    }


def test_evaluation_empty_is_refused(client, cast, held):
    client.force_login(cast.a_officer)

    response = unchanged(lambda: client.post(url("evaluation", held), {"version": 3}))

    assert response.status_code == 400
    assert response.context["evaluation_form"].errors == {"evaluation": ["This field is required."]}


def test_evaluation_with_a_stale_version_is_a_conflict(client, cast, held):
    client.force_login(cast.a_officer)

    response = unchanged(
        lambda: client.post(url("evaluation", held), {"evaluation": "Late", "version": 1})
    )

    assert response.status_code == 409
    assert text(response.content.decode(), "conflict") == (
        "Not saved: someone else changed this record while you were editing it. "
        "They changed these fields; the current values are: Status Held "
        "Your input is kept below and nothing was overwritten. Check it against the current "
        "values; saving again will replace them with yours."
    )
    form = response.context["evaluation_form"]
    assert (form["evaluation"].value(), form["version"].value()) == ("Late", "3")


def test_evaluation_refused_for_the_reader(client, cast, held):
    client.force_login(cast.a_reader)

    response = unchanged(
        lambda: client.post(url("evaluation", held), {"evaluation": "X", "version": 3})
    )

    assert response.status_code == 403
