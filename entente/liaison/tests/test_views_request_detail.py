"""One request: marking, clock, thread, and the actions open to each side."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from entente.audit.models import AuditEvent
from entente.core.enums import Marking
from entente.core.pages import display
from entente.liaison import services
from entente.liaison.enums import MessageKind, Priority, RequestStatus
from entente.liaison.models import LiaisonRequest
from entente.testing import with_handling

DAY = dt.timedelta(days=1)

ACTIONS = {
    "request-acknowledge": "acknowledge",
    "request-clarify": "clarify",
    "request-clarification-provide": "provide",
    "request-answer": "answer",
    "request-refuse": "refuse",
    "request-close": "close",
    "message-post": "post",
}


@pytest.fixture(autouse=True)
def _winter(time_machine):
    """A winter day, when both parties' clocks read alike (UTC+1): times show on the
    reader's clock alone (tests/test_clocks.py shows the other clock)."""
    time_machine.move_to(dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC))


def send(cast, *, ago=DAY, **kwargs) -> LiaisonRequest:
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "from_unit": cast.a_cell,
        "to_unit": cast.b_cell,
        "subject": "Identity check",
        "body": "Please confirm the identity.",
        "priority": Priority.NORMAL,
        "now": timezone.now() - ago,
    }
    return services.request_send(**with_handling(defaults | kwargs))


def detail(request) -> str:
    return reverse("liaison:request-detail", args=[request.public_id])


def action_url(name: str, request) -> str:
    return reverse(f"liaison:{name}", args=[request.public_id])


def forms_on(html: str) -> list[str]:
    """The URL names of the action forms on the page, in page order."""
    names = {f"/requests/{{pk}}/{path}/": name for name, path in _PATHS.items()}
    found = []
    for action in re.findall(
        r'<form method="post" action="(/requests/[0-9a-f-]{36}/[a-z]+/)#[a-z]+-heading"', html
    ):
        found.append(names[re.sub(r"/requests/[0-9a-f-]{36}/", "/requests/{pk}/", action)])
    return found


_PATHS = {
    "request-acknowledge": "acknowledge",
    "request-clarify": "clarify",
    "request-clarification-provide": "clarification",
    "request-answer": "answer",
    "request-refuse": "refuse",
    "request-close": "close",
    "message-post": "messages",
}


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|div|section|li)>', html, re.DOTALL)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def state(request) -> tuple:
    request.refresh_from_db()
    return (request.status, request.version, request.messages.count(), AuditEvent.objects.count())


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def conflict_text(html: str) -> str:
    match = re.search(r'id="conflict">(.*?)</p>\s*</div>', html, re.DOTALL)
    assert match, "no conflict shown"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def thread_section(response) -> str:
    html = response.content.decode()
    match = re.search(r'<section id="thread".*?</section>', html, re.DOTALL)
    assert match
    return match.group(0)


@pytest.fixture
def lr(cast):
    return send(cast)


# --- who sees what ------------------------------------------------------------------------


def test_detail_for_sender_shows_marking_status_clock_and_only_the_thread_form(client, cast, lr):
    client.force_login(cast.a_officer)

    response = client.get(detail(lr))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="marking-banner marking-amber"' in html
    assert text_of(html, "request-status") == "Sent"
    assert text_of(html, "request-clock") == "28 days 23 h left"
    assert text_of(html, "request-body") == "Please confirm the identity."
    assert forms_on(html) == ["message-post"]


def test_detail_for_receiver_offers_the_receiving_actions(client, cast, lr):
    client.force_login(cast.b_officer)

    html = client.get(detail(lr)).content.decode()

    assert forms_on(html) == [
        "message-post",
        "request-acknowledge",
        "request-answer",
        "request-clarify",
        "request-refuse",
    ]
    assert '<input type="hidden" name="answer-version" value="1" id="id_answer-version">' in html


def test_detail_for_a_reader_has_no_forms(client, cast, lr):
    client.force_login(cast.a_reader)

    response = client.get(detail(lr))

    assert response.status_code == 200
    assert forms_on(response.content.decode()) == []


def test_detail_of_another_agreement_is_not_found(client, cast, lr):
    client.force_login(cast.c_officer)

    assert client.get(detail(lr)).status_code == 404
    assert (
        client.get(
            reverse("liaison:request-detail", args=["7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"])
        ).status_code
        == 404
    )


def test_red_request_is_not_found_for_those_not_named(client, cast):
    red = send(cast, actor=cast.a_coordinator, marking=Marking.RED, red_recipients=[cast.b_officer])

    for user, status in [
        (cast.a_coordinator, 200),
        (cast.b_officer, 200),
        (cast.a_officer, 404),
        (cast.a_reader, 404),
        (cast.b_coordinator, 404),
    ]:
        client.force_login(user)
        assert client.get(detail(red)).status_code == status, user.username


def thread_entries(html: str) -> list[str]:
    entries = re.findall(r'<li id="message-[0-9a-f-]{36}"[^>]*>(.*?)</li>', html, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", e).split()) for e in entries]


def test_internal_note_is_labelled_for_its_party_and_hidden_from_the_other(client, cast, lr):
    services.message_post(
        actor=cast.a_officer, request=lr, body="Their cell is slow.", kind=MessageKind.NOTE
    )
    services.message_post(actor=cast.b_officer, request=lr, body="We are on it.")
    note, message = lr.messages.order_by("pk")
    moments = {
        m.pk: dateformat.format(m.created_at.astimezone(ZoneInfo(zone)), "j M Y, H:i")
        for m, zone in [(note, "Africa/Casablanca"), (message, "Africa/Casablanca")]
    }

    client.force_login(cast.a_officer)
    assert thread_entries(client.get(detail(lr)).content.decode()) == [
        f"a_officer MA-DGSN Internal note {moments[note.pk]} Casablanca "
        "Internal note – not visible to NL-POL Their cell is slow.",
        f"b_officer NL-POL Message {moments[message.pk]} Casablanca We are on it.",
    ]

    client.force_login(cast.b_officer)
    html = client.get(detail(lr)).content.decode()
    in_amsterdam = dateformat.format(
        message.created_at.astimezone(ZoneInfo("Europe/Amsterdam")), "j M Y, H:i"
    )
    assert thread_entries(html) == [
        f"b_officer NL-POL Message {in_amsterdam} Amsterdam We are on it."
    ]
    assert "Their cell is slow." not in html


def test_anonymous_is_redirected_to_login(client, cast, lr):
    assert client.get(detail(lr))["Location"] == f"/accounts/login/?next={detail(lr)}"
    response = client.post(action_url("request-acknowledge", lr), {"acknowledge-version": 1})
    assert response.status_code == 302
    assert state(lr)[0] == RequestStatus.SENT


# --- refusals: reader, other party, wrong side --------------------------------------------


def _payload(prefix: str) -> dict:
    return {
        f"{prefix}-version": 1,
        f"{prefix}-body": "Text",
        f"{prefix}-refusal_reason": "Reason",
        f"{prefix}-delay_reason": "",
        f"{prefix}-kind": MessageKind.MESSAGE,
    }


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_is_forbidden_to_a_reader(client, cast, lr, name):
    client.force_login(cast.a_reader)
    before = state(lr)

    response = client.post(action_url(name, lr), _payload(ACTIONS[name]))

    assert response.status_code == 403
    assert "Your role does not allow changes." in response.content.decode()
    assert state(lr) == before


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_is_not_found_for_the_other_party(client, cast, lr, name):
    client.force_login(cast.c_officer)
    before = state(lr)

    assert client.post(action_url(name, lr), _payload(ACTIONS[name])).status_code == 404
    assert state(lr) == before


@pytest.mark.parametrize("name", ["request-acknowledge", "request-answer", "request-refuse"])
def test_receiving_actions_are_forbidden_to_the_sender(client, cast, lr, name):
    client.force_login(cast.a_officer)
    before = state(lr)

    response = client.post(action_url(name, lr), _payload(ACTIONS[name]))

    assert response.status_code == 403
    assert "Only the receiving party may do this." in response.content.decode()
    assert state(lr) == before


def test_actions_answer_get_with_405(client, cast, lr):
    client.force_login(cast.b_officer)

    assert client.get(action_url("request-acknowledge", lr)).status_code == 405


# --- the workflow -------------------------------------------------------------------------


def test_full_exchange_by_plain_form_posts(client, cast, lr):
    client.force_login(cast.b_officer)
    response = client.post(
        action_url("request-acknowledge", lr), {"acknowledge-version": 1}, follow=True
    )
    assert response.redirect_chain == [(detail(lr), 302)]
    assert page_messages(response) == ["Request acknowledged."]
    assert state(lr)[:2] == (RequestStatus.ACKNOWLEDGED, 2)

    response = client.post(
        action_url("request-clarify", lr),
        {"clarify-version": 2, "clarify-body": "Which person?"},
        follow=True,
    )
    assert page_messages(response) == [
        "Question sent. The clock is paused until the clarification arrives."
    ]
    html = response.content.decode()
    assert text_of(html, "request-clock") == "paused – clarification pending"
    assert forms_on(html) == ["message-post", "request-refuse"]

    client.force_login(cast.a_officer)
    assert forms_on(client.get(detail(lr)).content.decode()) == [
        "message-post",
        "request-clarification-provide",
    ]
    response = client.post(
        action_url("request-clarification-provide", lr),
        {"provide-version": 3, "provide-body": "The one in file 12."},
        follow=True,
    )
    assert page_messages(response) == ["Clarification sent. The clock runs again."]
    assert state(lr)[:2] == (RequestStatus.ACKNOWLEDGED, 4)

    client.force_login(cast.b_officer)
    response = client.post(
        action_url("request-answer", lr),
        {"answer-version": 4, "answer-body": "Confirmed.", "answer-delay_reason": ""},
        follow=True,
    )
    assert page_messages(response) == ["Answer sent."]
    assert text_of(response.content.decode(), "request-status") == "Answered"

    client.force_login(cast.a_officer)
    assert forms_on(client.get(detail(lr)).content.decode()) == ["message-post", "request-close"]
    response = client.post(action_url("request-close", lr), {"close-version": 5}, follow=True)
    assert page_messages(response) == ["Request closed."]
    assert state(lr)[:2] == (RequestStatus.CLOSED, 6)
    assert [
        (m.kind, m.author.username, m.body) for m in lr.messages.order_by("created_at", "pk")
    ] == [
        (MessageKind.CLARIFICATION_QUESTION, "b_officer", "Which person?"),
        (MessageKind.CLARIFICATION_ANSWER, "a_officer", "The one in file 12."),
        (MessageKind.ANSWER, "b_officer", "Confirmed."),
    ]


def test_refuse_with_reason(client, cast, lr):
    client.force_login(cast.b_officer)

    response = client.post(
        action_url("request-refuse", lr),
        {"refuse-version": 1, "refuse-refusal_reason": "Outside the agreement."},
        follow=True,
    )

    assert page_messages(response) == ["Request refused."]
    html = response.content.decode()
    assert text_of(html, "request-status") == "Refused"
    assert "Outside the agreement." in html
    assert 'data-confirm="Refuse this request?"' not in html  # no longer offered


def test_refuse_without_reason_shows_the_error_next_to_the_field(client, cast, lr):
    client.force_login(cast.b_officer)
    before = state(lr)

    response = client.post(
        action_url("request-refuse", lr), {"refuse-version": 1, "refuse-refusal_reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["forms"]["refuse"].errors == {
        "refusal_reason": ["This field is required."]
    }
    assert state(lr) == before


def test_answering_late_without_a_delay_reason_shows_the_services_message(client, cast):
    late = send(cast, ago=40 * DAY)
    client.force_login(cast.b_officer)
    before = state(late)

    response = client.post(
        action_url("request-answer", late),
        {"answer-version": 1, "answer-body": "Confirmed.", "answer-delay_reason": ""},
    )

    assert response.status_code == 200
    form = response.context["forms"]["answer"]
    assert form.errors == {"delay_reason": ["The deadline has passed: say why the answer is late."]}
    html = response.content.decode()
    # The message sits with the field it concerns, and the typed answer is kept.
    field = re.search(
        r'<div>\s*<label for="id_answer-delay_reason">.*?</textarea>', html, re.DOTALL
    )
    assert field
    assert "The deadline has passed: say why the answer is late." in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert ">\nConfirmed.</textarea>" in html
    assert state(late) == before

    response = client.post(
        action_url("request-answer", late),
        {"answer-version": 1, "answer-body": "Confirmed.", "answer-delay_reason": "Holidays."},
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert (late.status, late.delay_reason) == (RequestStatus.ANSWERED, "Holidays.")


def test_overdue_request_is_highlighted_on_its_page(client, cast):
    late = send(cast, ago=40 * DAY)
    client.force_login(cast.b_officer)

    html = client.get(detail(late)).content.decode()

    assert 'class="card request-summary overdue"' in html
    assert text_of(html, "request-status") == "Sent Overdue"
    assert text_of(html, "request-clock") == "10 days overdue"


# --- conflicts and forged forms -----------------------------------------------------------


def test_stale_version_shows_the_conflict_and_changes_nothing(client, cast, lr):
    services.request_acknowledge(actor=cast.b_coordinator, request=lr, expected_version=1)
    client.force_login(cast.b_officer)
    before = state(lr)

    response = client.post(
        action_url("request-answer", lr),
        {"answer-version": 1, "answer-body": "Confirmed.", "answer-delay_reason": ""},
    )

    assert response.status_code == 409
    assert page_messages(response) == []
    lr.refresh_from_db()
    with timezone.override(ZoneInfo("Europe/Amsterdam")):  # b_officer's party's zone
        acknowledged_at = display(lr.acknowledged_at)
    assert response.context["conflict"] == [
        {"field": "status", "value": "Acknowledged"},
        {"field": "acknowledged at", "value": acknowledged_at},
    ]
    html = response.content.decode()
    assert conflict_text(html).startswith(
        "Not saved: someone else changed this record while you were editing it. "
        "They changed these fields; the current values are: Status Acknowledged Acknowledged at "
    )
    assert state(lr) == before
    # The typed answer is kept, now against the current version.
    form = response.context["forms"]["answer"]
    assert (form["body"].value(), form["version"].value()) == ("Confirmed.", "2")


def test_stale_version_after_the_action_is_gone_shows_the_conflict_only(client, cast, lr):
    services.request_answer(actor=cast.b_coordinator, request=lr, body="Done.", expected_version=1)
    client.force_login(cast.b_officer)
    before = state(lr)

    response = client.post(action_url("request-acknowledge", lr), {"acknowledge-version": 1})

    assert response.status_code == 409
    assert page_messages(response) == []
    assert [row["field"] for row in response.context["conflict"]] == ["status", "answered at"]
    html = response.content.decode()
    assert conflict_text(html).startswith("Not saved: someone else changed this record")
    assert forms_on(html) == ["message-post"]
    assert state(lr) == before


def test_stale_version_on_a_message_shows_the_conflict(client, cast, lr):
    services.request_acknowledge(actor=cast.b_coordinator, request=lr, expected_version=1)
    client.force_login(cast.a_officer)
    before = state(lr)

    response = client.post(
        action_url("message-post", lr),
        {"post-version": 1, "post-kind": MessageKind.MESSAGE, "post-body": "Any news?"},
    )

    assert response.status_code == 409
    assert response.context["conflict"][0] == {"field": "status", "value": "Acknowledged"}
    # Shown with the thread's form, where the message was written.
    assert "Not saved: someone else changed this record" in thread_section(response)
    assert state(lr) == before


def test_invalid_transition_with_current_version_is_explained(client, cast, lr):
    services.request_acknowledge(actor=cast.b_coordinator, request=lr, expected_version=1)
    client.force_login(cast.b_officer)
    before = state(lr)

    response = client.post(action_url("request-acknowledge", lr), {"acknowledge-version": 2})

    assert response.status_code == 200
    assert page_messages(response) == ["A request cannot go from Acknowledged to Acknowledged."]
    assert state(lr) == before


@pytest.mark.parametrize(
    ("version", "status"),
    [("", 200), ("abc", 200), ("0", 200), ("1.5", 200), ("99999999999999999999", 409)],
)
def test_forged_version_is_an_error_not_a_crash(client, cast, lr, version, status):
    client.force_login(cast.b_officer)
    before = state(lr)

    response = client.post(action_url("request-acknowledge", lr), {"acknowledge-version": version})

    assert response.status_code == status
    assert state(lr) == before


def test_forged_message_kind_is_refused(client, cast, lr):
    client.force_login(cast.a_officer)
    before = state(lr)

    response = client.post(
        action_url("message-post", lr),
        {"post-version": 1, "post-kind": MessageKind.ANSWER, "post-body": "Sneaky"},
    )

    assert response.status_code == 200
    assert response.context["forms"]["post"].errors == {
        "kind": ["Select a valid choice. answer is not one of the available choices."]
    }
    assert state(lr) == before


# --- the thread ---------------------------------------------------------------------------


def test_post_a_message_and_a_note_by_plain_form(client, cast, lr):
    client.force_login(cast.a_officer)

    response = client.post(
        action_url("message-post", lr),
        {"post-version": 1, "post-kind": MessageKind.NOTE, "post-body": "Chase them Friday."},
        follow=True,
    )

    assert page_messages(response) == ["Posted."]
    assert [(m.kind, m.scope, m.owning_party) for m in lr.messages.all()] == [
        (MessageKind.NOTE, "internal", cast.a)
    ]
    html = response.content.decode()
    assert "Chase them Friday." in html
    assert "Only MA-DGSN (internal note, not visible to NL-POL)" in html


def test_post_by_htmx_answers_with_the_page_to_pick_the_thread_from(client, cast, lr):
    client.force_login(cast.b_officer)
    htmx = {"HTTP_HX_REQUEST": "true"}

    response = client.post(
        action_url("message-post", lr),
        {"post-version": 1, "post-kind": MessageKind.MESSAGE, "post-body": "On it."},
        follow=True,
        **htmx,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<section id="thread" class="thread"' in html
    assert 'hx-select="#thread"' in html
    assert "On it." in html

    # A refused post re-renders with 200, so that htmx swaps the thread and its errors in.
    services.request_acknowledge(actor=cast.b_coordinator, request=lr, expected_version=1)
    response = client.post(
        action_url("message-post", lr),
        {"post-version": 1, "post-kind": MessageKind.MESSAGE, "post-body": "Again."},
        **htmx,
    )
    assert response.status_code == 200
    assert "Not saved: someone else changed this record" in thread_section(response)
    response = client.post(
        action_url("message-post", lr),
        {"post-version": 2, "post-kind": MessageKind.MESSAGE, "post-body": ""},
        **htmx,
    )
    assert response.status_code == 200
    assert response.context["forms"]["post"].errors == {"body": ["This field is required."]}


def test_liaison_pages_have_no_inline_scripts_styles_or_handlers(client, cast, lr):
    services.message_post(actor=cast.a_officer, request=lr, body="Note", kind=MessageKind.NOTE)
    client.force_login(cast.a_officer)
    pages = [
        reverse("liaison:request-list"),
        reverse("liaison:request-create", args=[cast.agreement.public_id]),
        detail(lr),
    ]

    for url in pages:
        html = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.IGNORECASE) == [], url
        assert re.findall(r"<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", html, re.IGNORECASE) == [], url
