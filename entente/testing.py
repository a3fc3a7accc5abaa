"""Factories and the fixed cast shared by every test module."""

import datetime as dt
from dataclasses import replace

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection

from entente.accounts.enums import Role
from entente.accounts.models import Contact, Membership, Party, Unit
from entente.agreements.enums import InstrumentType, PartyRole
from entente.agreements.models import Agreement, AgreementParty
from entente.core.enums import Scope
from entente.core.models import HANDLING_FIELDS, Handling

PASSWORD = "correct horse battery staple"


class PartyFactory(factory.django.DjangoModelFactory[Party]):
    class Meta:
        model = Party
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n}")
    name_en = factory.LazyAttribute(lambda o: f"Party {o.code}")
    country = "MA"
    time_zone = "UTC"


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    party = factory.SubFactory(PartyFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")
    is_contact_cell = True


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(username: str, party: Party, role: str, unit: Unit | None = None):
    user = UserFactory.create(username=username)
    Membership.objects.create(user=user, party=party, role=role, unit=unit)
    return user


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    unit = factory.SubFactory(UnitFactory)
    owning_party = factory.SelfAttribute("unit.party")
    scope = Scope.SHARED
    name = factory.Sequence(lambda n: f"Contact {n}")


def agreement_between(*parties: Party, owner: Party | None = None, **fields) -> Agreement:
    """A shared agreement between `parties`, written directly (test set-up only)."""
    owner = owner or parties[0]
    defaults = {
        "instrument_type": InstrumentType.LETTER_OF_INTENT,
        "title_en": "Letter of intent on police cooperation",
        "owning_party": owner,
        "scope": Scope.SHARED,
        "signed_on": dt.date(2022, 5, 10),
    }
    agreement = Agreement.objects.create(**(defaults | fields))
    for party in parties:
        AgreementParty.objects.create(agreement=agreement, party=party, role=PartyRole.PARTY)
    return agreement


def postgres_url(name: str | None = None) -> str:
    """The URL of this test run's PostgreSQL database, or of database `name` on the same
    server: for an `entente` process of its own (a restore, a bench server, remind)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "localhost", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{name or db['NAME']}"


__all__ = ["PASSWORD", "ContactFactory", "PartyFactory", "Role", "UnitFactory", "UserFactory"]


def with_handling(fields: dict) -> dict:
    """A create service's keyword arguments, with the loose `scope`, `marking`,
    `red_recipients` and `is_illustrative` a test gives gathered into its `handling`."""
    fields = dict(fields)
    loose = {name: fields.pop(name) for name in HANDLING_FIELDS if name in fields}
    return fields | {"handling": replace(fields.get("handling", Handling()), **loose)}
