import pytest
from django.contrib.auth import get_user_model

from entente.accounts import selectors, services
from entente.accounts.models import Contact, Membership, Party
from entente.audit.models import AuditEvent
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from entente.core.models import Handling
from entente.testing import ContactFactory, member


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", password="x")


@pytest.fixture
def a_admin(cast):
    return member("a_admin", cast.a, "party_admin", cast.a_cell)


def test_party_create_by_operator_only(cast, operator):
    party = services.party_create(
        actor=operator,
        code="BE-FPP",
        name={"fr": "Police fédérale", "nl": "Federale Politie"},
        reference_language="fr",
        country="be",
        time_zone="Europe/Brussels",
    )
    assert (party.code, party.country, party.name_fr, party.name_nl) == (
        "BE-FPP",
        "BE",
        "Police fédérale",
        "Federale Politie",
    )
    with pytest.raises(PermissionDenied):
        services.party_create(
            actor=cast.a_coordinator, code="X", name={"en": "X"}, country="X", time_zone="UTC"
        )


def test_party_create_refuses_unknown_time_zone(operator):
    with pytest.raises(ValidationError) as exc:
        services.party_create(
            actor=operator, code="X", name={"en": "X"}, country="XX", time_zone="Mars/Olympus"
        )
    assert exc.value.message_dict == {"time_zone": ["Unknown time zone."]}
    assert Party.objects.filter(code="X").count() == 0


def test_unit_create_by_party_admin_of_that_party(cast, a_admin):
    unit = services.unit_create(actor=a_admin, party=cast.a, name="BCIJ", is_contact_cell=False)
    assert (unit.party, unit.name) == (cast.a, "BCIJ")
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=a_admin, party=cast.b, name="Team")
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=cast.a_coordinator, party=cast.a, name="Team")


def test_contact_internal_is_hidden_from_other_party(cast, a_admin):
    shared = services.contact_create(actor=a_admin, unit=cast.a_cell, name="Officer One")
    internal = services.contact_create(
        actor=a_admin, unit=cast.a_cell, name="Source handler", handling=Handling(scope="internal")
    )
    assert list(selectors.contact_visible_to(cast.a_reader).order_by("pk")) == [shared, internal]
    assert list(selectors.contact_visible_to(cast.b_officer)) == [shared]
    with pytest.raises(NotFound):
        selectors.get_contact_for_user(cast.b_officer, internal.public_id)
    with pytest.raises(PermissionDenied):
        selectors.get_contact_for_user(cast.b_officer, shared.public_id, write=True)


def test_contact_create_by_party_admin_only(cast, a_admin):
    for actor in (cast.a_reader, cast.a_officer, cast.a_coordinator):
        with pytest.raises(PermissionDenied) as exc:
            services.contact_create(actor=actor, unit=cast.a_cell, name="X")
        assert str(exc.value) == "Only the party administrator may change the directory."
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=a_admin, unit=cast.b_cell, name="X")
    assert exc.value.message_dict == {"unit": ["Contacts are added to units of your own party."]}
    assert Contact.objects.count() == 0


def test_contact_red_visible_only_to_recipients(cast):
    contact = ContactFactory(unit=cast.a_cell, name="Undercover liaison", marking="TLP:RED")
    contact.red_recipients.set([cast.a_officer])
    assert list(selectors.contact_visible_to(cast.a_officer)) == [contact]
    assert list(selectors.contact_visible_to(cast.a_reader)) == []
    assert list(selectors.contact_visible_to(cast.b_coordinator)) == []


def test_contact_update_detects_stale_version(cast, a_admin):
    contact = services.contact_create(actor=a_admin, unit=cast.a_cell, name="Officer One")
    services.contact_update(
        actor=a_admin, contact=contact, expected_version=1, phone="+212 5 37 00 00 00"
    )
    with pytest.raises(ConflictError):
        services.contact_update(actor=a_admin, contact=contact, expected_version=1, phone="0")
    b_admin = member("b_admin", cast.b, "party_admin", cast.b_cell)
    for actor in (b_admin, cast.b_officer, cast.a_officer):
        with pytest.raises(PermissionDenied):
            services.contact_update(actor=actor, contact=contact, expected_version=2, phone="0")


def test_membership_set_by_party_admin(cast, a_admin):
    user = get_user_model().objects.create_user("newcomer")
    before = AuditEvent.objects.count()
    membership = services.membership_set(actor=a_admin, user=user, party=cast.a, role="reader")
    assert (membership.party, membership.role) == (cast.a, "reader")
    promoted = services.membership_set(actor=a_admin, user=user, party=cast.a, role="officer")
    assert (promoted.pk, promoted.role) == (membership.pk, "officer")
    assert AuditEvent.objects.count() == before + 2
    with pytest.raises(ValidationError) as exc:
        services.membership_set(actor=a_admin, user=cast.b_officer, party=cast.a, role="reader")
    assert exc.value.message_dict == {"user": ["This user is a member of another party."]}
    with pytest.raises(ValidationError) as exc:
        services.membership_set(actor=a_admin, user=user, party=cast.a, role="king")
    assert exc.value.message_dict == {"role": ["Unknown role."]}
    with pytest.raises(PermissionDenied):
        services.membership_set(actor=cast.a_officer, user=user, party=cast.a, role="coordinator")
    assert Membership.objects.get(user=user).role == "officer"


def test_membership_list_for_party_admin_only(cast, a_admin):
    assert sorted(m.user.username for m in selectors.membership_list_for(a_admin)) == [
        "a_admin",
        "a_coordinator",
        "a_officer",
        "a_reader",
    ]
    assert list(selectors.membership_list_for(cast.a_officer)) == []
