"""The instance's own Ed25519 key: what it signs its tree heads (and, later, its bundles)
with, and what the other party's instance knows it by.

The private key lives in the data directory beside the secret key, as PKCS8 PEM readable
by its owner only. The other party is given the public key out of band and checks it by
its fingerprint, read aloud. Rotating makes a new key and keeps the retired public keys
with their rotation statements (the new key signed by the old one), so signatures made
before still verify and a peer can follow the change from the key it already trusts.
"""

import base64
import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

KEY_FILE = "instance_key.pem"
RETIRED_FILE = "instance_keys_retired.json"
ROTATION_TYPE = "entente-key-rotation/1"


class InstanceKeyError(Exception):
    """The instance key is missing, already there, or unusable; the message says which."""


@dataclass(frozen=True)
class RotationStatement:
    """`new_key` replaces `old_key` from `rotated_at` on, signed by the old key."""

    old_key: str  # base64 of the raw public keys
    new_key: str
    rotated_at: str  # ISO 8601, UTC, to the second
    signature: str = ""  # base64

    def canonical(self) -> bytes:
        """The exact bytes the signature covers."""
        return canonical_json(
            {
                "type": ROTATION_TYPE,
                "old_key": self.old_key,
                "new_key": self.new_key,
                "rotated_at": self.rotated_at,
            }
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def canonical_json(value: dict) -> bytes:
    """One encoding of a signed statement: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def utc_timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def exists() -> bool:
    return key_path().exists()


def load() -> Ed25519PrivateKey:
    path = key_path()
    try:
        mode = path.stat().st_mode & 0o777
        data = path.read_bytes()
    except FileNotFoundError:
        raise InstanceKeyError(
            f"this instance has no key yet ({path}); create one with 'entente keys init'"
        ) from None
    if mode & 0o077:
        raise InstanceKeyError(
            f"the instance key {path} may be read by others (mode {mode:o}); "
            f"make it readable by its owner only: chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise InstanceKeyError(f"the instance key {path} cannot be read: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InstanceKeyError(f"the instance key {path} is not an Ed25519 key")
    return key


def generate() -> Ed25519PrivateKey:
    """Create the instance key; refused when there is one (rotate it instead)."""
    key = Ed25519PrivateKey.generate()
    try:
        _write_private(key_path(), _pem(key), replace=False)
    except FileExistsError:
        raise InstanceKeyError(
            f"this instance already has a key ({key_path()}); "
            "to replace it, use 'entente keys rotate'"
        ) from None
    return key


def public_key() -> Ed25519PublicKey:
    return load().public_key()


def sign(message: bytes) -> bytes:
    return load().sign(message)


def verify(key: Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def public_key_text(key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key in base64: what is handed to the other party."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        raise InstanceKeyError(
            f"not an Ed25519 public key (32 bytes in base64): {text!r}"
        ) from None


def fingerprint(key: Ed25519PublicKey) -> str:
    """The first 128 bits of the SHA-256 of the raw public key, as 8 groups of 4
    hexadecimal digits: short enough for both sides to compare aloud."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digits = hashlib.sha256(raw).hexdigest()[:32].upper()
    return " ".join(digits[i : i + 4] for i in range(0, 32, 4))


def retired_keys() -> list[RotationStatement]:
    """The rotations so far, oldest first: each names a retired key and when."""
    path = Path(settings.DATA_DIR) / RETIRED_FILE
    try:
        entries = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    except ValueError as error:
        raise InstanceKeyError(f"the list of retired keys {path} cannot be read: {error}") from None
    return [RotationStatement(**entry) for entry in entries]


def rotate() -> RotationStatement:
    """Replace the instance key with a new one; keep the old public key as retired.

    The retired list is written before the key is replaced: a crash between the two
    leaves the old key in use and listed, never an old public key lost."""
    old = load()
    new = Ed25519PrivateKey.generate()
    statement = RotationStatement(
        old_key=public_key_text(old.public_key()),
        new_key=public_key_text(new.public_key()),
        rotated_at=utc_timestamp(),
    )
    signature = base64.b64encode(old.sign(statement.canonical())).decode()
    statement = replace(statement, signature=signature)
    entries = [entry.as_dict() for entry in retired_keys()] + [statement.as_dict()]
    _write_private(
        Path(settings.DATA_DIR) / RETIRED_FILE,
        json.dumps(entries, indent=2).encode(),
        replace=True,
    )
    _write_private(key_path(), _pem(new), replace=True)
    return statement


def verify_rotation(old_key: Ed25519PublicKey, statement: RotationStatement) -> bool:
    """Whether `statement` was signed by `old_key` and names it as the key replaced."""
    if statement.old_key != public_key_text(old_key):
        return False
    try:
        signature = base64.b64decode(statement.signature, validate=True)
    except ValueError:
        return False
    return verify(old_key, statement.canonical(), signature)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes, *, replace: bool) -> None:
    """Write `path` whole or not at all, readable by its owner only. Without `replace`,
    FileExistsError when it is there (of two processes, one wins)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    draft = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:  # mkstemp makes it readable by its owner only
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            draft.replace(path)
        else:
            path.hardlink_to(draft)
    finally:
        draft.unlink(missing_ok=True)
