"""Writes to training activities and their participants, each a service as the
README's architecture describes; a training is changed only by its owning party's
writers, and held only once it has started.
"""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Party
from entente.agreements.models import Agreement, CooperationArea
from entente.agreements.selectors import require_party_to
from entente.audit.services import (
    audited_create_owned,
    audited_update,
    audited_upsert,
    owner_transition,
)
from entente.core.access import require_owner_writer
from entente.core.enums import Language
from entente.core.models import Handling
from entente.core.translated import translated_fields
from entente.core.validation import refuse_unknown_changes
from entente.training.enums import TRAINING_WORKFLOW, TrainingStatus
from entente.training.models import TrainingActivity, TrainingParticipation

# Ownership, scope, marking, status and evaluation change through their own services.
UPDATABLE_FIELDS = frozenset(
    {
        "kind",
        "title",
        "reference_language",
        "host_party",
        "sending_party",
        "starts_on",
        "ends_on",
        "area",
        "place",
        "is_illustrative",
    }
)


def training_create(
    *,
    actor,
    agreement: Agreement,
    kind: str,
    title: Mapping[str, str],
    host_party: Party,
    sending_party: Party,
    starts_on: dt.date,
    ends_on: dt.date,
    area: CooperationArea | None = None,
    place: str = "",
    reference_language: str = "en",
    handling: Handling = Handling(),
) -> TrainingActivity:
    """A new planned training activity under an agreement, owned by the actor's party."""
    membership = require_party_to(actor, agreement)
    training = TrainingActivity(
        agreement=agreement,
        kind=kind,
        reference_language=reference_language,
        host_party=host_party,
        sending_party=sending_party,
        starts_on=starts_on,
        ends_on=ends_on,
        area=area,
        place=place.strip(),
        **translated_fields("title", title, reference_language=reference_language),
    )
    _check_training(training)
    return audited_create_owned(
        actor=actor, instance=training, party_id=membership.party_id, handling=handling
    )


def _check_training(training: TrainingActivity) -> None:
    """The rules between fields, checked on the values the record would have."""
    errors: dict[str, str] = {}
    if training.starts_on and training.ends_on and training.ends_on < training.starts_on:
        errors["ends_on"] = _("The activity cannot end before it starts.")
    parties = set(training.agreement.agreement_parties.values_list("party_id", flat=True))
    if training.host_party_id not in parties:
        errors["host_party"] = _("The host party is not a party to the agreement.")
    if training.sending_party_id == training.host_party_id:
        errors["sending_party"] = _("The sending party cannot be the host party.")
    elif training.sending_party_id not in parties:
        errors["sending_party"] = _("The sending party is not a party to the agreement.")
    if training.area is not None and training.area.agreement_id != training.agreement_id:
        errors["area"] = _("The area belongs to another agreement.")
    started = training.starts_on and training.starts_on <= timezone.localdate()
    if training.status == TrainingStatus.HELD and not started:
        errors["starts_on"] = _("A held activity cannot start in the future.")
    if errors:
        raise ValidationError(errors)


def training_update(
    *, actor, training: TrainingActivity, expected_version: int, **changes
) -> TrainingActivity:
    """Change a training's description, parties, dates or area; `title` is a dict of
    languages merged into the texts already there."""
    require_owner_writer(actor, training)
    refuse_unknown_changes(changes, UPDATABLE_FIELDS)
    changes = _with_title_columns(training, changes)
    probe = TrainingActivity(
        **{f.attname: getattr(training, f.attname) for f in TrainingActivity._meta.concrete_fields}
    )
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_training(probe)
    _check_participants_kept(training, probe)
    return audited_update(
        actor=actor, instance=training, changes=changes, expected_version=expected_version
    )


def _with_title_columns(training: TrainingActivity, changes: dict) -> dict:
    if "title" not in changes and "reference_language" not in changes:
        return changes
    current = {
        lang: text for lang in Language.values if (text := getattr(training, f"title_{lang}"))
    }
    changes = dict(changes)
    title = current | dict(changes.pop("title", None) or {})
    reference = changes.get("reference_language", training.reference_language)
    return changes | translated_fields("title", title, reference_language=reference)


def _check_participants_kept(training: TrainingActivity, probe: TrainingActivity) -> None:
    # Participants of a party that no longer hosts or sends would corrupt the ledger.
    stranded = training.participations.exclude(
        party__in=[probe.host_party_id, probe.sending_party_id]
    )
    if stranded.exists():
        raise ValidationError(
            {"sending_party": _("Participants are recorded for a party this change removes.")}
        )


def training_change_status(
    *, actor, training: TrainingActivity, status: str, expected_version: int
) -> TrainingActivity:
    """Move a training along its workflow; it can be held only once it has started."""
    return owner_transition(actor, training, TRAINING_WORKFLOW, status, expected_version)


def participation_set(
    *, actor, training: TrainingActivity, party: Party, count: int, names: str = ""
) -> TrainingParticipation:
    """Record how many officers of `party` take part, replacing any earlier figure."""
    require_owner_writer(actor, training)
    if party.pk not in (training.host_party_id, training.sending_party_id):
        raise ValidationError({"party": _("Only the host and the sending party take part.")})
    if count is None or count < 0:
        raise ValidationError({"count": _("The number of participants cannot be negative.")})
    return audited_upsert(
        actor=actor,
        model=TrainingParticipation,
        key={"activity": training, "party": party},
        values={"count": count, "names": names.strip()},
        action="participation",
        target=training,
    )


def training_record_evaluation(
    *, actor, training: TrainingActivity, evaluation: str, expected_version: int
) -> TrainingActivity:
    """Record how a held activity went."""
    require_owner_writer(actor, training)

    def check(current: TrainingActivity) -> None:
        if current.status != TrainingStatus.HELD:
            raise ValidationError({"evaluation": _("Only a held activity can be evaluated.")})

    return audited_update(
        actor=actor,
        instance=training,
        changes={"evaluation": evaluation.strip()},
        expected_version=expected_version,
        action="evaluation",
        check=check,
    )
