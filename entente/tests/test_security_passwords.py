"""The password policy: Argon2 first, at least 12 characters, no common, numeric or
username-like password, for every user, the demo's included."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError

import entente.settings as production
from entente.cli import _describe
from entente.core.passwords import validate_demo_password
from entente.testing import UserFactory

SHORT = "This password is too short. It must contain at least 12 characters."
COMMON = "This password is too common."
NUMERIC = "This password is entirely numeric."
SIMILAR = "The password is too similar to the username."


def refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_argon2_hashes_new_passwords_in_production():
    # The tests' own fast hasher (conftest) aside, this is the production order.
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_an_older_hash_still_signs_in_and_is_upgraded_to_argon2(db, settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = UserFactory(username="veteran")
    user.password = make_password("an old long passphrase", hasher="pbkdf2_sha256")
    user.save()
    assert user.check_password("an old long passphrase")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Tr0ub4dor&3", [SHORT]),
        ("password1234", [COMMON]),
        ("314159265358979", [NUMERIC]),
        ("12345", [SHORT, COMMON, NUMERIC]),
        ("patient quiet lantern", []),
    ],
)
def test_password_policy(password, expected):
    assert refusals(password) == expected


def test_a_password_like_the_username_is_refused(db):
    user = UserFactory.build(username="a_coordinator")
    assert refusals("a_coordinator1", user) == [SIMILAR]


def test_demo_password_refused_in_one_line():
    with pytest.raises(ImproperlyConfigured) as refused:
        validate_demo_password("a")
    line = f"ENTENTE_DEMO_PASSWORD is too weak: {SHORT} {COMMON}"
    assert str(refused.value) == line
    # What `entente demo` prints after "entente: error: ".
    assert _describe(refused.value) == f"configuration: {line}"


def test_demo_password_checked_against_every_demo_username():
    with pytest.raises(ImproperlyConfigured) as refused:
        validate_demo_password("nl_officer_2026", ["ma_coordinator", "nl_officer", "operator"])
    assert str(refused.value) == f"ENTENTE_DEMO_PASSWORD is too weak: {SIMILAR}"


def test_demo_password_reasons_are_not_repeated_per_user():
    with pytest.raises(ImproperlyConfigured) as refused:
        validate_demo_password("123456", ["ma_coordinator", "nl_officer"])
    assert str(refused.value) == f"ENTENTE_DEMO_PASSWORD is too weak: {SHORT} {COMMON} {NUMERIC}"


def test_a_strong_demo_password_passes():
    assert validate_demo_password("patient quiet lantern", ["ma_coordinator", "operator"]) is None
