"""`remind`: the right people get the right notices, once, never about what they may not
see, across a day boundary that falls at different moments in Casablanca and Amsterdam."""

import datetime as dt

import pytest
from django.core import mail

from entente.accounts.models import Profile
from entente.agreements.models import Commitment
from entente.agreements.services.commitments import commitment_create
from entente.comments.services import comment_add
from entente.core.enums import Marking, Scope
from entente.core.models import Handling
from entente.liaison.enums import Priority
from entente.liaison.services import request_send
from entente.notices.enums import Channel, EmailState, NoticeKind
from entente.notices.models import Notice, NoticePreference
from entente.notices.services import remind
from entente.testing import with_handling

T = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def quiet(line: str) -> None:
    raise AssertionError(f"no e-mail should fail here: {line}")


def notices(kind: str | None = None) -> set[tuple[str, str]]:
    told = Notice.objects.filter(**({"kind": kind} if kind else {}))
    return {(n.recipient.username, n.key) for n in told.select_related("recipient")}


def told(kind: str) -> set[tuple[str, object]]:
    """(recipient, the record's public id) of the notices of `kind`."""
    return {
        (n.recipient.username, n.target_id)
        for n in Notice.objects.filter(kind=kind).select_related("recipient")
    }


def send(cast, subject, **kwargs):
    defaults = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "from_unit": cast.a_cell,
        "to_unit": cast.b_cell,
        "subject": subject,
        "body": "Body text that never travels by e-mail.",
        "priority": Priority.NORMAL,
        "now": T,
    }
    return request_send(**with_handling(defaults | kwargs))


@pytest.fixture
def requests(cast):
    shared = send(cast, "Identity check")
    red = send(
        cast,
        "Red check",
        actor=cast.a_coordinator,
        marking=Marking.RED,
        red_recipients=[cast.b_coordinator],
    )
    return shared, red


def test_requests_to_the_cell_once_and_never_a_red_one_to_others(cast, requests):
    shared, red = requests
    assert remind(T, quiet).created == 3
    assert notices() == {
        ("b_coordinator", f"request_new:{shared.public_id}"),
        ("b_officer", f"request_new:{shared.public_id}"),
        ("b_coordinator", f"request_new:{red.public_id}"),
    }
    assert remind(T + dt.timedelta(hours=1), quiet).created == 0
    assert len(notices()) == 3


def test_requests_nearing_their_deadline_then_overdue(cast, requests):
    shared, red = requests
    remind(T, quiet)
    # 30 days given; a quarter is 7.5 days: told at 7 days left, not at 8.
    assert remind(T + 22 * DAY, quiet).created == 0
    assert remind(T + 23 * DAY, quiet).created == 3
    assert ("b_officer", f"request_due:{shared.public_id}:25") in notices()
    assert remind(T + 31 * DAY, quiet).created == 3
    assert {key for user, key in notices() if user == "b_officer"} == {
        f"request_new:{shared.public_id}",
        f"request_due:{shared.public_id}:25",
        f"request_overdue:{shared.public_id}",
    }


def test_commitment_due_by_each_users_own_day(cast, time_machine):
    # 22:30 UTC on 9 June: already 10 June in Amsterdam (UTC+2), still 9 June in
    # Casablanca (UTC+1). Due on 17 June: 7 days off in Amsterdam, 8 in Casablanca.
    Profile.objects.create(user=cast.a_officer, time_zone="Europe/Amsterdam")
    evening = dt.datetime(2025, 6, 9, 22, 30, tzinfo=dt.UTC)
    time_machine.move_to(evening - DAY, tick=False)
    internal = commitment_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        title={"en": "Share the yearly figures"},
        responsible_party=cast.a,
        due_date=dt.date(2025, 6, 17),
        handling=Handling(scope=Scope.INTERNAL),
    )
    key = f"commitment_due:{internal.public_id}:2025-06-17:7"
    remind(evening, quiet)
    assert notices() == {("a_officer", key)}
    remind(evening + dt.timedelta(hours=1), quiet)
    assert notices() == {("a_officer", key), ("a_coordinator", key), ("a_reader", key)}
    # The day before, the one-day threshold; after the due date, overdue.
    remind(dt.datetime(2025, 6, 16, 9, 0, tzinfo=dt.UTC), quiet)
    remind(dt.datetime(2025, 6, 18, 9, 0, tzinfo=dt.UTC), quiet)
    assert {key for user, key in notices() if user == "a_reader"} == {
        key,
        f"commitment_due:{internal.public_id}:2025-06-17:1",
        f"commitment_overdue:{internal.public_id}:2025-06-17",
    }


def test_never_a_commitment_hidden_from_its_responsible_party(cast):
    # Written directly: an internal record of party A that names party B, which B may
    # not see, so B is never told of it.
    Commitment.objects.create(
        agreement=cast.agreement,
        owning_party=cast.a,
        scope=Scope.INTERNAL,
        responsible_party=cast.b,
        title_en="Hidden from B",
        due_date=T.date() + DAY,
    )
    assert remind(T, quiet).created == 0
    assert notices() == set()


def test_users_without_an_address_are_told_in_the_application_only(cast, requests):
    cast.b_coordinator.email = "b.coordinator@example.nl"
    cast.b_coordinator.save()
    result = remind(T, quiet)
    states = {
        (n.recipient.username, n.email_state)
        for n in Notice.objects.filter(target_id=requests[0].public_id)
    }
    assert states == {("b_coordinator", EmailState.SENT), ("b_officer", EmailState.SKIPPED)}
    assert (result.sent, result.failed) == (2, 0)
    assert [message.to for message in mail.outbox] == [["b.coordinator@example.nl"]] * 2


def test_emails_in_the_recipients_language_without_amber_text(cast):
    amber = send(cast, "Amber subject never mailed")
    green = send(cast, "Green subject may travel", marking=Marking.GREEN)
    cast.b_officer.email = "b.officer@example.nl"
    cast.b_officer.save()
    Profile.objects.create(user=cast.b_officer, language="fr")
    remind(T, quiet)
    by_reference = {m.subject.rsplit(" ", 1)[-1]: m for m in mail.outbox}
    assert set(by_reference) == {amber.reference, green.reference}
    for message in mail.outbox:
        html = message.alternatives[0].content
        assert message.extra_headers["Content-Language"] == "fr"
        assert '<html lang="fr"' in html
        assert "Amber subject never mailed" not in message.subject + message.body + html
    assert "Green subject may travel" in by_reference[green.reference].body
    assert "Green subject may travel" in by_reference[green.reference].alternatives[0].content


def test_mentions_in_comments_the_user_may_see(cast, time_machine):
    time_machine.move_to(T, tick=False)
    shared = commitment_create(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        title={"en": "Joint exercise"},
        responsible_party=cast.a,
        handling=Handling(scope=Scope.SHARED),
    )
    seen = comment_add(
        actor=cast.a_officer,
        record=shared,
        text="@b_officer and @A_READER, see this; not @a_readers nor mail@b_coordinator.",
    )
    internal = comment_add(
        actor=cast.a_officer,
        record=shared,
        text="Internal: ask @b_coordinator",
        scope=Scope.INTERNAL,
    )
    own = comment_add(actor=cast.a_officer, record=shared, text="I, @a_officer, wrote this.")
    remind(T + dt.timedelta(hours=1), quiet)
    assert notices(NoticeKind.MENTION) == {
        ("b_officer", f"mention:{seen.public_id}"),
        ("a_reader", f"mention:{seen.public_id}"),
    }
    # The commitment's author follows it, so is told of every comment on it.
    assert told(NoticeKind.COMMENT) == {
        ("a_coordinator", comment.public_id) for comment in (seen, internal, own)
    }
    # Two days on, the comment is read again and told to nobody twice.
    assert remind(T + 2 * DAY, quiet).created == 0


def test_a_daily_digest_once_a_day_in_the_users_zone(cast):
    cast.b_officer.email = "b.officer@example.nl"
    cast.b_officer.save()
    Profile.objects.create(user=cast.b_officer, time_zone="Europe/Amsterdam")
    NoticePreference.objects.create(
        user=cast.b_officer, kind=NoticeKind.REQUEST_NEW, channel=Channel.DIGEST
    )
    first, second = send(cast, "One"), send(cast, "Two")
    remind(T, quiet)
    assert len(mail.outbox) == 1
    assert first.reference in mail.outbox[0].body and second.reference in mail.outbox[0].body
    later = send(cast, "Three", now=T + 2 * HOUR)
    # 21:59 UTC is 23:59 in Amsterdam: still the same day, no second digest.
    assert remind(dt.datetime(2025, 6, 2, 21, 59, tzinfo=dt.UTC), quiet).sent == 0
    assert remind(dt.datetime(2025, 6, 2, 22, 1, tzinfo=dt.UTC), quiet).sent == 1
    assert len(mail.outbox) == 2
    assert later.reference in mail.outbox[1].body and first.reference not in mail.outbox[1].body
    mine = Notice.objects.filter(recipient=cast.b_officer)
    assert set(mine.values_list("email_state", "digest")) == {(EmailState.SENT, True)}
