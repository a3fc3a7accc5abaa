"""The training JSON API, through HTTP, with the fixed cast."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.agreements.models import CooperationArea
from entente.apikit.models import IdempotencyKey
from entente.audit.models import AuditEvent
from entente.testing import agreement_between, with_handling
from entente.tests.api_helpers import API, api_client, etag, iso, problem_body
from entente.training.models import TrainingActivity, TrainingParticipation
from entente.training.services import participation_set, training_change_status, training_create

JSON = "application/json"
PAST = dt.date(2023, 3, 6)
LANGS = ("ar", "fr", "en", "nl")
NOT_FOUND = "No such record."
NOT_OWNER = "Only the party that owns this record may change it."
READ_ONLY = "Your role does not allow changes."


def create(cast, actor=None, **fields) -> TrainingActivity:
    values = {
        "actor": actor or cast.a_officer,
        "agreement": cast.agreement,
        "kind": "course",
        "title": {"en": "Forensic imaging course"},
        "host_party": cast.a,
        "sending_party": cast.b,
        "starts_on": PAST,
        "ends_on": PAST + dt.timedelta(days=4),
        "scope": "shared",
        "marking": "TLP:GREEN",
    }
    return training_create(**with_handling(values | fields))


def advance(training, actor, *statuses) -> TrainingActivity:
    for status in statuses:
        training = training_change_status(
            actor=actor, training=training, status=status, expected_version=training.version
        )
    return training


def texts(**given) -> dict:
    return dict.fromkeys(LANGS, "") | given


def training_json(training: TrainingActivity) -> dict:
    training.refresh_from_db()
    return {
        "id": str(training.public_id),
        "agreement": str(training.agreement.public_id),
        "area": str(training.area.public_id) if training.area is not None else None,
        "kind": training.kind,
        "title": {lang: getattr(training, f"title_{lang}") or "" for lang in LANGS},
        "reference_language": training.reference_language,
        "host_party": training.host_party.code,
        "sending_party": training.sending_party.code,
        "starts_on": training.starts_on.isoformat(),
        "ends_on": training.ends_on.isoformat(),
        "place": training.place,
        "status": training.status,
        "evaluation": training.evaluation,
        "owning_party": training.owning_party.code,
        "scope": training.scope,
        "marking": training.marking,
        "red_recipients": sorted(training.red_recipients.values_list("username", flat=True)),
        "version": training.version,
        "created_at": iso(training.created_at),
        "updated_at": iso(training.updated_at),
        "is_illustrative": training.is_illustrative,
    }


def counts() -> tuple[int, ...]:
    return (
        TrainingActivity.objects.count(),
        TrainingParticipation.objects.count(),
        AuditEvent.objects.count(),
    )


def url_of(training) -> str:
    return f"{API}/trainings/{training.public_id}"


def tag_of(training, version: int = 1) -> str:
    return f'"trainingactivity-{training.public_id}-v{version}"'


def send(client, method: str, url: str, body=None, **headers):
    return getattr(client, method)(url, body, content_type=JSON, **headers)


NEW_TRAINING = {
    "kind": "study_visit",
    "title": {"en": "Port security visit", "fr": "Visite sécurité portuaire"},
    "host_party": "NL-POL",
    "sending_party": "MA-DGSN",
    "starts_on": "2024-09-02",
    "ends_on": "2024-09-06",
    "place": "Rotterdam",
    "scope": "shared",
    "marking": "TLP:GREEN",
}


# --- create -------------------------------------------------------------------------------


def test_training_create_by_officer_answers_the_new_activity(cast):
    area = CooperationArea.objects.create(agreement=cast.agreement, code="ports", name_en="Ports")
    client = api_client(cast.a_officer)
    url = f"{API}/agreements/{cast.agreement.public_id}/trainings"
    response = send(client, "post", url, NEW_TRAINING | {"area": str(area.public_id)})
    assert response.status_code == 201
    training = TrainingActivity.objects.get()
    assert response["Location"] == f"/api/v1/trainings/{training.public_id}"
    assert response.json() == {
        "id": str(training.public_id),
        "agreement": str(cast.agreement.public_id),
        "area": str(area.public_id),
        "kind": "study_visit",
        "title": texts(en="Port security visit", fr="Visite sécurité portuaire"),
        "reference_language": "en",
        "host_party": "NL-POL",
        "sending_party": "MA-DGSN",
        "starts_on": "2024-09-02",
        "ends_on": "2024-09-06",
        "place": "Rotterdam",
        "status": "planned",
        "evaluation": "",
        "owning_party": "MA-DGSN",
        "scope": "shared",
        "marking": "TLP:GREEN",
        "red_recipients": [],
        "version": 1,
        "created_at": iso(training.created_at),
        "updated_at": iso(training.updated_at),
        "is_illustrative": False,
    }
    event = AuditEvent.objects.filter(target_type="training.trainingactivity").get()
    assert (event.action, event.actor_name) == ("create", "a_officer")


@pytest.mark.parametrize(
    "field", ["owning_party", "version", "created_at", "updated_at", "status", "evaluation"]
)
def test_training_create_refuses_fields_the_caller_may_not_set(cast, field):
    client = api_client(cast.a_officer)
    before = counts()
    url = f"{API}/agreements/{cast.agreement.public_id}/trainings"
    response = send(client, "post", url, NEW_TRAINING | {field: 1})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"ends_on": "2024-09-01"},
            [{"field": "ends_on", "message": "The activity cannot end before it starts."}],
        ),
        (
            {"sending_party": "NL-POL"},
            [{"field": "sending_party", "message": "The sending party cannot be the host party."}],
        ),
        (
            {"host_party": "XX-OUT"},
            [{"field": "host_party", "message": "The host party is not a party to the agreement."}],
        ),
        ({"host_party": "ZZ"}, [{"field": "host_party", "message": "No such party: ZZ."}]),
        (
            {"area": "7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"},
            [{"field": "area", "message": "No such record: 7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a."}],
        ),
        (
            {"place": "Rotter\x00dam"},
            [{"field": "place", "message": "Null characters are not allowed."}],
        ),
        (
            {"title": {"nl": "Havenbezoek"}},
            [{"field": "title_en", "message": "Give the text in the reference language."}],
        ),
        (
            {"starts_on": "2024-13-01"},
            [
                {
                    "field": "body.starts_on",
                    "message": "Input should be a valid date or datetime, month value is outside expected range of 1-12",
                }
            ],
        ),
    ],
)
def test_training_create_invalid_input_is_422_and_leaves_nothing(cast, changes, errors):
    client = api_client(cast.a_officer)
    before = counts()
    url = f"{API}/agreements/{cast.agreement.public_id}/trainings"
    response = send(client, "post", url, NEW_TRAINING | changes)
    assert response.status_code == 422
    assert response.json() == problem_body(
        422, "Unprocessable Content", "The input is not valid.", url, errors=errors
    )
    assert counts() == before


def test_training_create_refused_to_reader_and_outsider(cast):
    url = f"{API}/agreements/{cast.agreement.public_id}/trainings"
    reader, outsider = api_client(cast.a_reader), api_client(cast.c_officer)
    before = counts()
    response = send(reader, "post", url, NEW_TRAINING)
    assert (response.status_code, response.json()) == (
        403,
        problem_body(403, "Forbidden", READ_ONLY, url),
    )
    response = send(outsider, "post", url, NEW_TRAINING)
    assert (response.status_code, response.json()) == (
        404,
        problem_body(404, "Not Found", NOT_FOUND, url),
    )
    assert counts() == before


def test_training_create_with_idempotency_key_makes_one_activity(cast):
    client = api_client(cast.b_officer)
    url = f"{API}/agreements/{cast.agreement.public_id}/trainings"
    first = send(client, "post", url, NEW_TRAINING, HTTP_IDEMPOTENCY_KEY="t-1")
    again = send(client, "post", url, NEW_TRAINING, HTTP_IDEMPOTENCY_KEY="t-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (
        201,
        201,
        "true",
    )
    training = TrainingActivity.objects.get()
    assert again.json() == first.json() == training_json(training)
    assert training.owning_party == cast.b
    assert IdempotencyKey.objects.count() == 1


# --- list, detail, reciprocity ------------------------------------------------------------


def test_training_list_shows_what_each_user_may_see(cast):
    internal = create(cast, scope="internal", title={"en": "Internal drill"})
    shared = create(cast, starts_on=dt.date(2024, 1, 8), ends_on=dt.date(2024, 1, 9))
    assert api_client(cast.a_reader).get(f"{API}/trainings").json() == {
        "items": [training_json(shared), training_json(internal)],
        "next_cursor": None,
    }
    assert api_client(cast.b_officer).get(f"{API}/trainings").json() == {
        "items": [training_json(shared)],
        "next_cursor": None,
    }
    assert api_client(cast.c_officer).get(f"{API}/trainings").json() == {
        "items": [],
        "next_cursor": None,
    }


def test_training_list_filters(cast):
    other = agreement_between(cast.a, cast.b, title_en="Second letter")
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    course = create(cast, area=area, place="Rabat")
    visit = create(
        cast,
        kind="study_visit",
        title={"en": "Harbour visit", "fr": "Visite du port"},
        host_party=cast.b,
        sending_party=cast.a,
        starts_on=dt.date(2024, 2, 1),
        ends_on=dt.date(2024, 2, 2),
        marking="TLP:AMBER",
    )
    under_other = create(cast, agreement=other, starts_on=dt.date(2023, 1, 2), ends_on=PAST)
    advance(course, cast.a_officer, "confirmed")
    client = api_client(cast.a_officer)

    def ids(**query) -> list[int]:
        response = client.get(f"{API}/trainings", query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [str(visit.public_id), str(course.public_id), str(under_other.public_id)]
    assert ids(agreement=other.public_id) == [str(under_other.public_id)]
    assert ids(area=area.public_id) == [str(course.public_id)]
    assert ids(party="NL-POL") == [
        str(visit.public_id),
        str(course.public_id),
        str(under_other.public_id),
    ]
    assert ids(party="XX-OUT") == []
    assert ids(status="confirmed") == [str(course.public_id)]
    assert ids(marking="TLP:AMBER") == [str(visit.public_id)]
    assert ids(starts_after="2023-03-06") == [str(visit.public_id), str(course.public_id)]
    assert ids(starts_before="2023-03-06") == [str(under_other.public_id)]
    assert ids(q="port") == [str(visit.public_id)]
    assert ids(q="forensic rabat") == [str(course.public_id)]
    response = client.get(f"{API}/trainings", {"status": "done", "q": "\x00"})
    assert [e["field"] for e in response.json()["errors"]] == ["query.status", "query.q"]


def test_training_list_query_count_does_not_grow(cast):
    client = api_client(cast.a_officer)
    create(cast)
    client.get(f"{API}/trainings")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/trainings")
    for _i in range(6):
        create(cast, actor=cast.b_officer, host_party=cast.b, sending_party=cast.a)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/trainings").json()["items"]) == 7
    assert len(many) == len(few)


def test_training_detail_with_participations_and_etag(cast):
    training = advance(create(cast), cast.a_officer, "confirmed", "held")
    participation_set(actor=cast.a_officer, training=training, party=cast.b, count=12, names="Jan")
    participation_set(actor=cast.a_officer, training=training, party=cast.a, count=2)
    response = api_client(cast.b_officer).get(url_of(training))
    assert response.status_code == 200
    assert response["ETag"] == tag_of(training, 3)
    assert response.json() == training_json(training) | {
        "participations": [
            {"party": "MA-DGSN", "count": 2, "names": ""},
            {"party": "NL-POL", "count": 12, "names": "Jan"},
        ],
    }
    internal = create(cast, scope="internal")
    for user, record in [(cast.b_officer, internal), (cast.c_officer, training)]:
        response = api_client(user).get(url_of(record))
        assert (response.status_code, response.json()) == (
            404,
            problem_body(404, "Not Found", NOT_FOUND, url_of(record)),
        )


def test_training_detail_red_only_to_recipients(cast):
    red = create(cast, cast.a_coordinator, marking="TLP:RED", red_recipients=[cast.b_officer])
    assert api_client(cast.b_officer).get(url_of(red)).json()["red_recipients"] == [
        "a_coordinator",
        "b_officer",
    ]
    assert api_client(cast.a_reader).get(url_of(red)).status_code == 404
    assert api_client(cast.a_officer).get(url_of(red)).status_code == 404
    assert api_client(cast.b_coordinator).get(url_of(red)).status_code == 404


def test_reciprocity_rows(cast):
    held = advance(create(cast), cast.a_officer, "confirmed", "held")
    participation_set(actor=cast.a_officer, training=held, party=cast.b, count=12)
    planned = create(
        cast,
        host_party=cast.b,
        sending_party=cast.a,
        starts_on=dt.date(2024, 5, 6),
        ends_on=dt.date(2024, 5, 7),
    )
    participation_set(actor=cast.a_officer, training=planned, party=cast.a, count=5)
    other = agreement_between(cast.a, cast.b, title_en="Other")
    elsewhere = advance(
        create(cast, agreement=other, starts_on=dt.date(2022, 6, 1), ends_on=dt.date(2022, 6, 2)),
        cast.a_officer,
        "confirmed",
        "held",
    )
    participation_set(actor=cast.a_officer, training=elsewhere, party=cast.b, count=8)

    def row(year, party, hosted=0, sent=0, planned_hosted=0, planned_sent=0):
        return {
            "year": year,
            "party": party,
            "hosted": hosted,
            "sent": sent,
            "planned_hosted": planned_hosted,
            "planned_sent": planned_sent,
        }

    client = api_client(cast.b_officer)
    rows_2023_2024 = [
        row(2023, "MA-DGSN", hosted=12),
        row(2023, "NL-POL", sent=12),
        row(2024, "MA-DGSN", planned_sent=5),
        row(2024, "NL-POL", planned_hosted=5),
    ]
    response = client.get(f"{API}/reciprocity", {"agreement": str(cast.agreement.public_id)})
    assert (response.status_code, response.json()) == (200, rows_2023_2024)
    assert client.get(f"{API}/reciprocity").json() == [
        row(2022, "MA-DGSN", hosted=8),
        row(2022, "NL-POL", sent=8),
        *rows_2023_2024,
    ]
    outsider = api_client(cast.c_officer)
    assert outsider.get(f"{API}/reciprocity").json() == []
    response = outsider.get(f"{API}/reciprocity", {"agreement": str(cast.agreement.public_id)})
    assert response.status_code == 404


# --- change, status, participants, evaluation ---------------------------------------------


def test_training_patch_with_if_match(cast):
    training = create(cast)
    client = api_client(cast.a_officer)
    tag = etag(client.get(url_of(training)))
    response = send(
        client,
        "patch",
        url_of(training),
        {"title": {"fr": "Cours d'imagerie"}, "place": "Kenitra", "ends_on": "2023-03-08"},
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200
    assert response["ETag"] == tag_of(training, 2)
    assert response.json() == training_json(training)
    assert (training.title_en, training.title_fr, training.place, training.ends_on) == (
        "Forensic imaging course",
        "Cours d'imagerie",
        "Kenitra",
        dt.date(2023, 3, 8),
    )


def test_training_patch_clears_area_with_null(cast):
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    training = create(cast, area=area)
    response = send(
        api_client(cast.a_officer),
        "patch",
        url_of(training),
        {"area": None},
        HTTP_IF_MATCH=tag_of(training),
    )
    assert response.json()["area"] is None


def test_training_patch_without_fields_answers_the_activity_unchanged(cast):
    training = create(cast)
    client = api_client(cast.a_officer)
    before = counts()
    response = send(client, "patch", url_of(training), {})
    assert response.status_code == 428
    response = send(client, "patch", url_of(training), {}, HTTP_IF_MATCH=tag_of(training))
    assert (response.status_code, response["ETag"]) == (200, tag_of(training))
    assert response.json() == training_json(training)
    assert training.version == 1
    assert counts() == before


def test_training_patch_preconditions_and_refusals(cast):
    training = create(cast)
    url = url_of(training)
    officer = api_client(cast.a_officer)
    clients = {
        name: api_client(getattr(cast, name)) for name in ("a_reader", "b_officer", "c_officer")
    }
    before = counts()
    response = send(officer, "patch", url, {"place": "Fes"})
    assert response.status_code == 428
    response = send(officer, "patch", url, {"place": "Fes"}, HTTP_IF_MATCH=tag_of(training, 9))
    assert (response.status_code, response["ETag"]) == (412, tag_of(training))
    for field in ("owning_party", "version", "status", "marking", "updated_at"):
        response = send(officer, "patch", url, {field: "x"}, HTTP_IF_MATCH=tag_of(training))
        assert response.json()["errors"] == [
            {"field": f"body.{field}", "message": "Extra inputs are not permitted"}
        ]
    response = send(officer, "patch", url, {"sending_party": "MA-DGSN"}, HTTP_IF_MATCH="*")
    assert response.json()["errors"] == [
        {"field": "sending_party", "message": "The sending party cannot be the host party."}
    ]
    for name, status, detail in [
        ("a_reader", 403, READ_ONLY),
        ("b_officer", 403, NOT_OWNER),
        ("c_officer", 404, NOT_FOUND),
    ]:
        response = send(
            clients[name], "patch", url, {"place": "Fes"}, HTTP_IF_MATCH=tag_of(training)
        )
        assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert counts() == before


def test_training_status_moves_along_with_if_match(cast):
    training = create(cast)
    client = api_client(cast.a_officer)
    url = f"{url_of(training)}/status"
    response = send(client, "post", url, {"status": "confirmed"}, HTTP_IF_MATCH=tag_of(training))
    assert (response.status_code, response.json()["status"], response["ETag"]) == (
        200,
        "confirmed",
        tag_of(training, 2),
    )
    before = counts()
    response = send(client, "post", url, {"status": "held"}, HTTP_IF_MATCH=tag_of(training, 1))
    assert response.status_code == 412
    response = send(client, "post", url, {"status": "held"})
    assert response.status_code == 428
    response = send(client, "post", url, {"status": "confirmed"}, HTTP_IF_MATCH=tag_of(training, 2))
    assert response.json()["errors"] == [
        {"field": "status", "message": "A training activity cannot go from Confirmed to Confirmed."}
    ]
    reader = api_client(cast.a_reader)
    before = counts()
    response = send(reader, "post", url, {"status": "held"}, HTTP_IF_MATCH=tag_of(training, 2))
    assert response.status_code == 403
    assert counts() == before
    training.refresh_from_db()
    assert (training.status, training.version) == ("confirmed", 2)


def test_participation_put_records_and_replaces(cast):
    training = create(cast)
    client = api_client(cast.a_officer)
    url = f"{url_of(training)}/participations/NL-POL"
    response = send(client, "put", url, {"count": 12, "names": "Jan\nPiet"})
    assert (response.status_code, response.json()) == (
        200,
        {"party": "NL-POL", "count": 12, "names": "Jan\nPiet"},
    )
    response = send(client, "put", url, {"count": 10})
    assert response.json() == {"party": "NL-POL", "count": 10, "names": ""}
    assert TrainingParticipation.objects.get().count == 10
    training.refresh_from_db()
    assert training.version == 1  # participant figures are not versioned


def test_participation_put_refusals(cast):
    training = create(cast)
    url = f"{url_of(training)}/participations"
    officer, reader, outsider = (
        api_client(cast.a_officer),
        api_client(cast.a_reader),
        api_client(cast.c_officer),
    )
    before = counts()
    response = send(officer, "put", f"{url}/XX-OUT", {"count": 3})
    assert response.json()["errors"] == [
        {"field": "party", "message": "Only the host and the sending party take part."}
    ]
    response = send(officer, "put", f"{url}/NOPE", {"count": 3})
    assert (response.status_code, response.json()["detail"]) == (404, "No such party.")
    response = send(officer, "put", f"{url}/NL-POL", {"count": -1})
    assert response.json()["errors"] == [
        {"field": "body.count", "message": "Input should be greater than or equal to 0"}
    ]
    response = send(officer, "put", f"{url}/NL-POL", {"count": 1, "names": "a\x00"})
    assert response.json()["errors"] == [
        {"field": "names", "message": "Null characters are not allowed."}
    ]
    assert send(reader, "put", f"{url}/NL-POL", {"count": 3}).status_code == 403
    assert send(outsider, "put", f"{url}/NL-POL", {"count": 3}).status_code == 404
    assert counts() == before


def test_evaluation_put_on_held_activity(cast):
    training = create(cast)
    client = api_client(cast.a_officer)
    url = f"{url_of(training)}/evaluation"
    before = counts()
    response = send(client, "put", url, {"evaluation": "Good."}, HTTP_IF_MATCH=tag_of(training))
    assert response.json()["errors"] == [
        {"field": "evaluation", "message": "Only a held activity can be evaluated."}
    ]
    assert counts() == before
    training = advance(training, cast.a_officer, "confirmed", "held")
    response = send(
        client, "put", url, {"evaluation": " Very useful. "}, HTTP_IF_MATCH=tag_of(training, 3)
    )
    assert (response.status_code, response.json()["evaluation"], response["ETag"]) == (
        200,
        "Very useful.",
        tag_of(training, 4),
    )
    response = send(client, "put", url, {"evaluation": "Other"}, HTTP_IF_MATCH=tag_of(training, 3))
    assert response.status_code == 412
    response = send(client, "put", url, {"evaluation": "Other"})
    assert response.status_code == 428
    response = send(
        api_client(cast.b_officer),
        "put",
        url,
        {"evaluation": "X"},
        HTTP_IF_MATCH=tag_of(training, 4),
    )
    assert response.status_code == 403
    training.refresh_from_db()
    assert training.evaluation == "Very useful."


# --- any text -----------------------------------------------------------------------------

ANY_TEXT = st.one_of(
    st.text(max_size=320),
    st.text(alphabet=st.sampled_from("a é\x00\n"), max_size=40),
    st.text(min_size=2000, max_size=3000),
)


def assert_answered(response) -> None:
    """A 2xx, or a 4xx problem that says what is wrong; never a server error."""
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        body = response.json()
        assert response["Content-Type"] == "application/problem+json"
        assert body["detail"]
        assert all(error["message"] for error in body.get("errors") or [])


def test_free_text_fields_never_crash(cast):
    training = advance(create(cast), cast.a_officer, "confirmed", "held")
    client = api_client(cast.a_officer)
    url = url_of(training)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=ANY_TEXT)
    def check(text):
        assert_answered(
            send(
                client,
                "post",
                f"{API}/agreements/{cast.agreement.public_id}/trainings",
                NEW_TRAINING | {"title": {"en": text}, "place": text},
            )
        )
        assert_answered(
            send(client, "patch", url, {"title": {"nl": text}, "place": text}, HTTP_IF_MATCH="*")
        )
        assert_answered(
            send(client, "put", f"{url}/evaluation", {"evaluation": text}, HTTP_IF_MATCH="*")
        )
        assert_answered(
            send(client, "put", f"{url}/participations/NL-POL", {"count": 3, "names": text})
        )
        assert_answered(client.get(f"{API}/trainings", {"q": text, "party": text[:32]}))

    check()
