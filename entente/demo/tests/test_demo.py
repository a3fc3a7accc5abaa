import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from entente.accounts.models import Contact, Unit
from entente.accounts.selectors import contact_visible_to
from entente.agreements.models import Agreement, AgreementEvent, Commitment
from entente.audit.models import AuditEvent
from entente.audit.selectors import audit_chain_verify
from entente.demo.data import TITLE_EN
from entente.demo.loader import load_demo
from entente.liaison.clock import is_overdue
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.meetings.models import Decision, Meeting
from entente.reports.selectors import dashboard_for
from entente.training.models import TrainingActivity


@pytest.fixture
def demo(db):
    return load_demo(password="demo-pass-123")


def test_demo_directory_has_both_sides_contacts_one_internal_each(demo):
    rows = Contact.objects.order_by("owning_party__code", "name").values_list(
        "owning_party__code", "name", "unit__is_contact_cell", "scope", "is_illustrative"
    )
    assert list(rows) == [
        ("MA-DGSN-DGST", "Analyst C. (illustrative)", False, "internal", True),
        ("MA-DGSN-DGST", "Commissioner B. (illustrative)", True, "shared", True),
        ("MA-DGSN-DGST", "Officer A. (illustrative)", True, "shared", True),
        ("NL-POLITIE", "Analyst F. (illustrative)", True, "internal", True),
        ("NL-POLITIE", "Inspector E. (illustrative)", False, "shared", True),
        ("NL-POLITIE", "Officer D. (illustrative)", True, "shared", True),
    ]
    assert Unit.objects.filter(is_contact_cell=True).count() == 2
    nl_officer = get_user_model().objects.get(username="nl.officer")
    assert sorted(c.name for c in contact_visible_to(nl_officer)) == [
        "Analyst F. (illustrative)",
        "Commissioner B. (illustrative)",
        "Inspector E. (illustrative)",
        "Officer A. (illustrative)",
        "Officer D. (illustrative)",
    ]


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


def test_demo_shows_work_across_the_parties(demo):
    """Commitments one party owns and the other carries out, a decision that became
    commitments, and a planned meeting whose agenda both parties set, the host carrying
    over the first meeting's open decisions."""
    across = Commitment.objects.exclude(owning_party=F("responsible_party")).values_list(
        "owning_party__code", "responsible_party__code", "title_en"
    )
    assert sorted(across) == [
        ("MA-DGSN-DGST", "NL-POLITIE", "Quarterly test of the secure channel"),
        ("MA-DGSN-DGST", "NL-POLITIE", "Send the list of Dutch liaison officers for the directory"),
        (
            "NL-POLITIE",
            "MA-DGSN-DGST",
            "Confirm the Moroccan participants of the cybercrime course",
        ),
    ]
    decision = Decision.objects.get(number=1, meeting__status="held")
    assert sorted(
        (c.responsible_party.code, c.responsible_unit.is_contact_cell, c.marking)
        + tuple(c.clauses.values_list("number", flat=True))
        for c in decision.commitments.all()
    ) == [
        ("MA-DGSN-DGST", True, "TLP:GREEN", "2"),
        ("NL-POLITIE", True, "TLP:GREEN", "2"),
    ]
    planned = Meeting.objects.get(status="planned")
    agenda = planned.agenda_items.order_by("position")
    assert [(i.owning_party.code, i.carried_decision_id is not None) for i in agenda] == [
        ("MA-DGSN-DGST", False),
        ("NL-POLITIE", False),
        ("MA-DGSN-DGST", True),  # both decisions of the first meeting are still open
        ("MA-DGSN-DGST", True),
    ]


# Moments at which the demo must hold together when loaded: a new year's night (in
# Morocco already the next day), a leap day, and the night Europe's clocks go forward.
LOAD_MOMENTS = [
    dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
    dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC),
    dt.datetime(2027, 3, 28, 0, 45, tzinfo=dt.UTC),
]


@pytest.fixture(params=LOAD_MOMENTS, ids=lambda moment: moment.date().isoformat())
def demo_loaded_then(request, db):
    """The demo loaded at one of LOAD_MOMENTS; yields the time just after loading."""
    with time_machine.travel(request.param, tick=True):
        load_demo(password="demo-pass-123")
        yield timezone.now()


def _timeline(request: LiaisonRequest) -> list[tuple[str, dt.datetime]]:
    """The request's stamps and its thread's, in time order (a state change before the
    thread entry it comes with)."""
    stamps = [
        ("sent", request.sent_at),
        ("acknowledged", request.acknowledged_at),
        ("paused", request.paused_at),
        ("answered", request.answered_at),
        ("closed", request.closed_at),
    ]
    stamps += [(m.kind, m.created_at) for m in request.messages.order_by("created_at", "pk")]
    return sorted(((name, at) for name, at in stamps if at is not None), key=lambda s: s[1])


def test_demo_requests_happen_in_order_and_before_now(demo_loaded_then):
    now = demo_loaded_then
    requests = LiaisonRequest.objects.select_related("from_unit__party", "to_unit__party")
    timelines = {r.subject: _timeline(r) for r in requests}
    assert {subject: [name for name, _at in t] for subject, t in timelines.items()} == {
        "Background on a seized firearms shipment": ["sent", "acknowledged", "note"],
        "Ownership of a company suspected of laundering drug proceeds": [
            "sent",
            "acknowledged",
            "message",
        ],
        "Contact details of the BCIJ liaison officer": ["sent", "answered", "answer", "closed"],
        "Travel movements of a person of interest": ["sent"],
        "Identification of a suspect in a fraud case": [
            "sent",
            "paused",
            "clarification_question",
        ],
    }
    assert max(at for t in timelines.values() for _name, at in t) <= now
    # A thread entry that comes with a state change bears its time, to the microsecond.
    stamped = dict(timelines["Identification of a suspect in a fraud case"])
    assert stamped["clarification_question"] == stamped["paused"]
    stamped = dict(timelines["Contact details of the BCIJ liaison officer"])
    assert stamped["answer"] == stamped["answered"]
    assert all(r.created_at <= r.updated_at <= now for r in requests)
    assert all(m.created_at <= now for m in LiaisonMessage.objects.all())
    assert AuditEvent.objects.order_by("-seq").first().at <= now


def test_demo_has_one_overdue_request_each_way_and_one_paused(demo_loaded_then):
    now = demo_loaded_then
    requests = LiaisonRequest.objects.select_related("from_unit__party", "to_unit__party")
    assert sorted(
        (r.from_unit.party.code, r.to_unit.party.code, r.subject)
        for r in requests
        if is_overdue(r, now)
    ) == [
        (
            "MA-DGSN-DGST",
            "NL-POLITIE",
            "Ownership of a company suspected of laundering drug proceeds",
        ),
        ("NL-POLITIE", "MA-DGSN-DGST", "Background on a seized firearms shipment"),
    ]
    assert [(r.subject, r.due_at > now) for r in requests if r.status == "clarification"] == [
        ("Identification of a suspect in a fraud case", True)
    ]
    # As each side's dashboard shows what waits on it.
    for username, overdue in [
        ("ma.officer", "Background on a seized firearms shipment"),
        ("nl.officer", "Ownership of a company suspected of laundering drug proceeds"),
    ]:
        waiting = dashboard_for(get_user_model().objects.get(username=username), now=now).waiting
        assert [w.request.subject for w in waiting if w.overdue] == [overdue]


def test_demo_commitments_meetings_and_trainings_agree_with_the_calendar(demo_loaded_then):
    today = timezone.localdate(demo_loaded_then, dt.UTC)
    ma_officer = get_user_model().objects.get(username="ma.officer")
    assert [c.title for c in dashboard_for(ma_officer, now=demo_loaded_then).overdue] == [
        "Share an assessment of drug trafficking routes"
    ]
    assert [(m.status, m.ends_at < demo_loaded_then) for m in Meeting.objects.all()] == [
        ("held", True),
        ("planned", False),
    ]
    # The monthly commitment done five days ago has its next occurrence, due ahead.
    (following,) = Commitment.objects.filter(previous_occurrence__isnull=False)
    assert (following.status, following.due_date > today, following.recurrence) == (
        "planned",
        True,
        "monthly",
    )
    assert sorted(
        (t.status, t.ends_on < today, t.starts_on > today) for t in TrainingActivity.objects.all()
    ) == [("held", True, False), ("planned", False, True)]


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
        "  ma.admin, nl.admin              Party administrator: manages their party's people "
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
