"""Peers for the sync tests: keys made here, an auditor of party A, and a peer of B's
instance recorded by A's coordinator."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from entente.accounts.enums import Role
from entente.core import instance_key
from entente.sync.services import peer_add
from entente.testing import member


def new_key() -> str:
    """A fresh Ed25519 public key as the other party hands it over: base64 of 32 bytes."""
    return instance_key.public_key_text(Ed25519PrivateKey.generate().public_key())


def fingerprint_of(key: str) -> str:
    return instance_key.fingerprint(instance_key.public_key_from_text(key))


@pytest.fixture
def a_auditor(cast):
    return member("a_auditor", cast.a, Role.AUDITOR, cast.a_cell)


@pytest.fixture
def peer(cast):
    """B's instance, as A's coordinator records it for the cast's agreement."""
    return peer_add(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        party=cast.b,
        public_key=new_key(),
        address="https://entente.politie.example/",
    )
