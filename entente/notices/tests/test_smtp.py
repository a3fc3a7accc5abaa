"""E-mail through a real SMTP server on loopback (aiosmtpd, started here): messages arrive
well-formed, in the recipient's language, without text above the allowed marking; a
server that cannot be reached loses nothing."""

import datetime as dt
import email
import email.policy
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command

from entente.accounts.models import Profile
from entente.core.enums import Marking
from entente.core.models import Handling
from entente.liaison.enums import Priority
from entente.liaison.services import request_send
from entente.notices.enums import EmailState
from entente.notices.models import Notice

T = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def world(cast, time_machine):
    time_machine.move_to(T, tick=False)
    for user, address, language in [
        (cast.b_officer, "b.officer@example.nl", "nl"),
        (cast.b_coordinator, "b.coordinator@example.nl", "fr"),
    ]:
        user.email = address
        user.save()
        Profile.objects.create(user=user, language=language)
    common = {
        "actor": cast.a_officer,
        "agreement": cast.agreement,
        "from_unit": cast.a_cell,
        "to_unit": cast.b_cell,
        "body": "Body text that never travels by e-mail.",
        "priority": Priority.NORMAL,
        "now": T,
    }
    amber = request_send(subject="Amber subject never mailed", **common)
    green = request_send(
        subject="Green subject may travel",
        handling=Handling(marking=Marking.GREEN),
        **common,
    )
    return amber, green


def run_remind() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("remind", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_messages_arrive_well_formed_in_each_language(smtp, world):
    amber, green = world
    out, _err = run_remind()
    assert out == "Notices: 4 new, 4 e-mailed, 0 failed.\n"
    received = {
        (m["To"], m["Content-Language"], m["Subject"].rsplit(" ", 1)[-1]) for m in smtp.messages
    }
    assert received == {
        (address, language, request.reference)
        for address, language in [
            ("b.officer@example.nl", "nl"),
            ("b.coordinator@example.nl", "fr"),
        ]
        for request in (amber, green)
    }
    for message in smtp.messages:
        assert message.get_content_type() == "multipart/alternative"
        text, html = parts(message)
        assert f'<html lang="{message["Content-Language"]}"' in html
        assert "Amber subject never mailed" not in message["Subject"] + text + html
        assert "Body text" not in text + html
        notice = Notice.objects.get(
            recipient__email=message["To"],
            key__contains=str(
                green.public_id if green.reference in message["Subject"] else amber.public_id
            ),
        )
        assert f"/notices/{notice.public_id}/open/" in text
        assert ("Green subject may travel" in text) == (green.reference in message["Subject"])
    assert run_remind()[0] == "Notices: 0 new, 0 e-mailed, 0 failed.\n"
    assert len(smtp.messages) == 4


def test_an_unreachable_server_loses_nothing(world, settings, smtp):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^4 e-mail\(s\) could not be sent"):
        call_command("remind", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 4
    assert all(line.startswith("entente: notice ") for line in lines)
    assert set(Notice.objects.values_list("email_state", "attempts")) == {(EmailState.PENDING, 1)}
    assert all(Notice.objects.values_list("last_error", flat=True))
    assert smtp.messages == []
    # The server is back: the next run sends them all, once.
    settings.EMAIL_PORT = smtp.port
    out, err = run_remind()
    assert (out, err) == ("Notices: 0 new, 4 e-mailed, 0 failed.\n", "")
    assert len(smtp.messages) == 4


def test_the_operator_reads_failed_e_mails_on_the_commands_error_stream(
    world, settings, smtp, admin_client
):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("remind", stdout=io.StringIO(), stderr=err)
    [error] = set(Notice.objects.values_list("last_error", flat=True))
    lines = err.getvalue().splitlines()
    assert (len(lines), all(line.endswith(error) for line in lines)) == (4, True)
    # Not in the admin: the operator's admin holds people and structure, not who was told what.
    assert admin_client.get("/admin/notices/notice/").status_code == 404
