import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from entente.agreements.models import Agreement, AgreementEvent, Commitment
from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_verify
from entente.demo.data import TITLE_EN
from entente.demo.loader import load_demo
from entente.liaison.models import LiaisonRequest
from entente.liaison.selectors import inbox_for
from entente.meetings.models import Meeting
from entente.training.models import TrainingActivity


@pytest.fixture
def demo(db):
    return load_demo(password="demo-pass-123")


def test_demo_loads_the_letter_of_intent_as_fact(demo):
    agreement = Agreement.objects.get(title_en=TITLE_EN)
    assert (
        agreement.instrument_type,
        agreement.signed_on,
        agreement.place,
        agreement.status,
        agreement.is_illustrative,
    ) == ("letter_of_intent", dt.date(2022, 5, 10), "Rabat", "signed", False)
    assert sorted(agreement.parties.values_list("code", flat=True)) == [
        "MA-DGSN-DGST",
        "NL-POLITIE",
    ]
    assert sorted(agreement.signatories.values_list("name", flat=True)) == [
        "Abdellatif Hammouchi",
        "Henk van Essen",
    ]
    events = AgreementEvent.objects.filter(agreement=agreement).order_by("kind")
    assert [(e.kind, e.certainty, e.is_illustrative) for e in events] == [
        ("initialed", "uncertain", False),
        ("signed", "reported", False),
    ]


def test_demo_flags_everything_beyond_the_facts_as_illustrative(demo):
    agreement = Agreement.objects.get(title_en=TITLE_EN)
    assert Commitment.objects.filter(is_illustrative=False).count() == 0
    assert Meeting.objects.filter(is_illustrative=False).count() == 0
    assert TrainingActivity.objects.filter(is_illustrative=False).count() == 0
    assert LiaisonRequest.objects.filter(is_illustrative=False).count() == 0
    assert set(agreement.clauses.values_list("is_illustrative", flat=True)) == {True}


def test_demo_has_an_overdue_request_and_one_awaiting_clarification(demo):
    ma_officer = get_user_model().objects.get(username="ma.officer")
    now = timezone.now()
    inbox = list(inbox_for(ma_officer))
    assert [r.due_at < now for r in inbox if r.status == "acknowledged"] == [True]
    assert LiaisonRequest.objects.filter(status="clarification").count() == 1


def test_demo_is_idempotent(demo):
    counts = (Agreement.objects.count(), Commitment.objects.count(), AuditEvent.objects.count())
    again = load_demo()
    assert again.created is False
    assert (
        Agreement.objects.count(),
        Commitment.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert audit_chain_verify().ok is True


def test_demo_command_prints_each_role_and_what_it_may_do(db, capsys, monkeypatch):
    monkeypatch.setenv("ENTENTE_DEMO_PASSWORD", "from-the-environment")
    call_command("demo")
    assert capsys.readouterr().out == (
        "Demo agreement loaded.\n"
        "Sign in at http://127.0.0.1:8000/ as one of these users:\n"
        "  ma.reader, nl.reader            Reader: reads what their party may see; "
        "changes nothing\n"
        "  ma.officer, nl.officer          Contact-cell officer: also writes their own "
        "party's records\n"
        "  ma.coordinator, nl.coordinator  Coordinator: also publishes to the other party, "
        "sets markings, decides\n"
        "  ma.admin                        Party administrator: manages their party's people "
        "and directory\n"
        "  auditor                         Auditor: reads the audit chain\n"
        "  operator                        Technical operator: structure only (parties, "
        "units, people), at /admin/\n"
        "Password: from-the-environment\n"
    )


def test_demo_command_prints_the_address_it_is_given(db, capsys):
    call_command("demo", "--url", "http://127.0.0.1:8123/")
    call_command("demo", "--url", "http://127.0.0.1:8124/")
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith("Sign in")] == [
        "Sign in at http://127.0.0.1:8123/ as one of these users:",
        "Sign in at http://127.0.0.1:8124/ as one of these users:",
    ]
    assert out[-1] == (
        "Passwords are unchanged; set ENTENTE_DEMO_PASSWORD and run 'entente demo' again "
        "to reset them."
    )


def test_demo_operator_can_log_in_to_admin(demo, client):
    assert client.login(username="operator", password="demo-pass-123")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Site administration" in response.text
    assert client.get("/admin/accounts/membership/").status_code == 200
    assert client.get("/admin/agreements/commitment/").status_code == 404  # content: no admin


def test_demo_content_user_cannot_use_admin(demo, client):
    assert client.login(username="ma.coordinator", password="demo-pass-123")
    response = client.get("/admin/")
    assert response.status_code == 302
