"""Sending a new request from one's own contact cell to the other party's."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import dateformat

from entente.agreements.models import CooperationArea
from entente.audit.models import AuditEvent
from entente.core.enums import Marking, Scope
from entente.liaison.enums import Priority, RequestStatus
from entente.liaison.models import LiaisonRequest
from entente.testing import UnitFactory


def url(cast) -> str:
    return reverse("liaison:request-create", args=[cast.agreement.public_id])


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def valid(cast, **fields) -> dict:
    return {
        "from_unit": cast.a_cell.pk,
        "to_unit": cast.b_cell.pk,
        "priority": Priority.URGENT,
        "subject": "Vehicle registration",
        "body": "Who owns the vehicle with this plate?",
        "marking": Marking.AMBER,
    } | fields


def test_create_form_offers_own_cells_and_the_other_partys_cells(client, cast):
    UnitFactory(party=cast.a, name="Archive", is_contact_cell=False)
    second = UnitFactory(party=cast.b, name="Contact cell NL 2")
    area = CooperationArea.objects.create(agreement=cast.agreement, code="cyber", name_en="Cyber")
    client.force_login(cast.a_officer)

    response = client.get(url(cast))

    assert response.status_code == 200
    html = response.content.decode()
    assert options(html, "from_unit") == [(str(cast.a_cell.pk), "MA-DGSN – Contact cell MA")]
    assert options(html, "to_unit") == [
        ("", "---------"),
        (str(cast.b_cell.pk), "NL-POL – Contact cell NL"),
        (str(second.pk), "NL-POL – Contact cell NL 2"),
    ]
    assert options(html, "area") == [("", "None"), (str(str(area.public_id)), "Cyber")]
    assert "This agreement gives 48 hours for an urgent request and 30 days for a normal one." in (
        html
    )
    assert "Under Letter of intent on police cooperation" in html


def test_create_sends_the_request_and_shows_the_computed_deadline(client, cast):
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()

    response = client.post(url(cast), valid(cast), follow=True)

    request = LiaisonRequest.objects.get()
    assert response.redirect_chain == [(f"/requests/{request.public_id}/", 302)]
    assert (
        request.owning_party,
        request.scope,
        request.from_unit,
        request.to_unit,
        request.priority,
        request.status,
        request.due_at - request.sent_at,
    ) == (
        cast.a,
        Scope.SHARED,
        cast.a_cell,
        cast.b_cell,
        Priority.URGENT,
        RequestStatus.SENT,
        dt.timedelta(hours=48),
    )
    assert AuditEvent.objects.count() == before + 1
    due = dateformat.format(request.due_at.astimezone(ZoneInfo("Africa/Casablanca")), "j M Y, H:i")
    assert [str(m) for m in response.context["messages"]] == [
        f"Request {request.reference} sent to NL-POL. The answer is due by {due} "
        "(Africa/Casablanca)."
    ]


def test_create_shows_service_errors_next_to_their_fields(client, cast):
    client.force_login(cast.a_officer)
    before = AuditEvent.objects.count()

    response = client.post(url(cast), valid(cast, marking=Marking.RED))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "red_recipients": ["Name at least one recipient of the receiving party for TLP:RED."]
    }
    assert (LiaisonRequest.objects.count(), AuditEvent.objects.count()) == (0, before)


def test_create_refuses_forged_units_and_blank_fields(client, cast):
    client.force_login(cast.a_officer)

    response = client.post(
        url(cast), valid(cast, from_unit=cast.b_cell.pk, to_unit=cast.c_cell.pk, subject=" ")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "from_unit": ["Select a valid choice. That choice is not one of the available choices."],
        "to_unit": ["Select a valid choice. That choice is not one of the available choices."],
        "subject": ["This field is required."],
    }
    assert LiaisonRequest.objects.count() == 0


def test_create_under_an_unshared_agreement_says_why(client, cast):
    cast.agreement.scope = Scope.INTERNAL
    cast.agreement.save()
    client.force_login(cast.a_officer)

    response = client.post(url(cast), valid(cast))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The agreement is not shared with the other parties yet."
    ]
    assert '<ul class="errorlist nonfield">' in response.content.decode()


def test_create_is_refused_to_a_reader(client, cast):
    client.force_login(cast.a_reader)

    assert client.get(url(cast)).status_code == 403
    assert client.post(url(cast), valid(cast)).status_code == 403
    assert LiaisonRequest.objects.count() == 0


def test_create_under_an_agreement_of_others_is_not_found(client, cast):
    client.force_login(cast.c_officer)

    assert client.get(url(cast)).status_code == 404
    assert client.post(url(cast), valid(cast, from_unit=cast.c_cell.pk)).status_code == 404
    assert (
        client.get(
            reverse("liaison:request-create", args=["7d4e2c1a-9b3f-4e5d-8a6c-0f1e2d3c4b5a"])
        ).status_code
        == 404
    )
    assert LiaisonRequest.objects.count() == 0
