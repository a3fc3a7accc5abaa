"""Records to comment on, written through their services."""

import datetime as dt

from django.utils import timezone

from entente.agreements.services.commitments import commitment_create
from entente.core.enums import Scope
from entente.meetings.services.meetings import meeting_create
from entente.testing import with_handling
from entente.training.services import training_create


def commitment(cast, actor=None, **fields):
    actor = actor or cast.a_officer
    return commitment_create(
        actor=actor,
        agreement=cast.agreement,
        title={"en": "Designate a contact cell"},
        responsible_party=actor.membership.party,
        due_date=dt.date(2031, 6, 30),
        **with_handling({"scope": Scope.SHARED} | fields),
    )


def meeting(cast, actor=None, **fields):
    actor = actor or cast.a_officer
    start = (timezone.now() + dt.timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    return meeting_create(
        actor=actor,
        agreement=cast.agreement,
        kind="expert_meeting",
        title={"en": "Expert meeting"},
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Africa/Casablanca",
        host_party=actor.membership.party,
        place="Rabat",
        **with_handling({"scope": Scope.SHARED} | fields),
    )


def training(cast, actor=None, **fields):
    actor = actor or cast.a_officer
    return training_create(
        actor=actor,
        agreement=cast.agreement,
        kind="course",
        title={"en": "Course on forensics"},
        host_party=actor.membership.party,
        sending_party=cast.b,
        starts_on=dt.date(2031, 7, 6),
        ends_on=dt.date(2031, 7, 9),
        **with_handling({"scope": Scope.SHARED} | fields),
    )
