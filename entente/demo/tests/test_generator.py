"""The generator writes exactly the records asked for, through the services: a valid
audit chain, and each party's readers see what the access rule lets them see."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from entente.agreements.models import Agreement, Commitment
from entente.agreements.selectors import agreement_visible_to, commitment_visible_to
from entente.audit.selectors import audit_chain_verify
from entente.core.enums import Marking, Scope
from entente.demo.generator import GENERATED, Sizes
from entente.liaison.models import LiaisonMessage, LiaisonRequest
from entente.liaison.selectors import liaison_request_visible_to, message_visible_to
from entente.meetings.models import Meeting
from entente.meetings.selectors import meeting_visible_to
from entente.training.models import TrainingActivity
from entente.training.selectors import training_visible_to

SIZES = Sizes(agreements=3, commitments=30, requests=20, messages=45, meetings=10, trainings=8)
MODELS = GENERATED


def test_generate_writes_exactly_what_is_asked_as_the_rules_allow(db):
    call_command("demo")
    before = {name: model.objects.count() for name, model in MODELS.items()}
    call_command("generate", seed=7, **{name: getattr(SIZES, name) for name in MODELS})

    added = {name: model.objects.count() - before[name] for name, model in MODELS.items()}
    assert added == {name: getattr(SIZES, name) for name in MODELS}
    assert audit_chain_verify().ok is True
    for model in (Commitment, LiaisonRequest):
        generated = model.objects.filter(is_illustrative=False)
        assert generated.values("owning_party").distinct().count() == 2
        assert generated.values("status").distinct().count() >= 3
    for username in ("ma.reader", "nl.reader"):
        _check_reader_sees_what_the_rule_allows(get_user_model().objects.get(username=username))


def _readable(record, user) -> bool:
    """The access rule of core/access.py for a reader (not a coordinator), in Python."""
    party = user.membership.party_id
    if isinstance(record, Agreement):
        shared = record.scope == Scope.SHARED and record.parties.filter(pk=party).exists()
    else:
        shared = record.scope == Scope.SHARED
    own = record.owning_party_id == party or shared
    red_ok = record.marking != Marking.RED or record.red_recipients.filter(pk=user.pk).exists()
    return own and red_ok


def _visible(record, user) -> bool:
    parent = getattr(record, "request", None) or getattr(record, "agreement", None)
    return _readable(record, user) and (parent is None or _visible(parent, user))


def _check_reader_sees_what_the_rule_allows(user) -> None:
    selectors = {
        Agreement: agreement_visible_to,
        Commitment: commitment_visible_to,
        LiaisonRequest: liaison_request_visible_to,
        LiaisonMessage: message_visible_to,
        Meeting: meeting_visible_to,
        TrainingActivity: training_visible_to,
    }
    hidden = 0
    for model, selector in selectors.items():
        expected = sum(_visible(record, user) for record in model._default_manager.all())
        assert (model.__name__, selector(user).count()) == (model.__name__, expected)
        hidden += model._default_manager.count() - expected
    assert hidden > 0
