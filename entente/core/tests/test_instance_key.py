import base64
import dataclasses
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from entente.core import instance_key
from entente.core.instance_key import InstanceKeyError

# RFC 8032 §7.1, TEST 1: a known secret key, its public key and its signature of "".
RFC8032_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def keys(*args) -> list[str]:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue().splitlines()


def current() -> tuple[str, str]:
    key = instance_key.public_key()
    return instance_key.public_key_text(key), instance_key.fingerprint(key)


def test_public_key_fingerprint_and_signature_of_the_rfc8032_key():
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_SECRET))
    public = key.public_key()
    assert base64.b64decode(instance_key.public_key_text(public)).hex() == RFC8032_PUBLIC
    assert instance_key.fingerprint(public) == "21FE 31DF A154 A261 626B F854 046F D227"
    assert key.sign(b"").hex() == RFC8032_SIGNATURE
    text = instance_key.public_key_text(public)
    assert instance_key.public_key_from_text(text).public_bytes_raw().hex() == RFC8032_PUBLIC


def test_init_writes_a_pkcs8_key_readable_by_its_owner_only(data_dir):
    lines = keys("init")
    path = data_dir / "instance_key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().splitlines()[0] == "-----BEGIN PRIVATE KEY-----"
    text, fingerprint = current()
    assert lines == [
        f"instance key created: {path}",
        f"public key: {text}",
        f"fingerprint: {fingerprint}",
        "Give the public key to the other party and read the fingerprint aloud to them; "
        "they read it back from what they received.",
    ]
    assert sorted(p.name for p in data_dir.iterdir()) == ["instance_key.pem"]


def test_second_init_is_refused_and_keeps_the_key(data_dir):
    keys("init")
    before = (data_dir / "instance_key.pem").read_bytes()
    with pytest.raises(CommandError) as error:
        keys("init")
    assert str(error.value) == (
        f"this instance already has a key ({data_dir / 'instance_key.pem'}); "
        "to replace it, use 'entente keys rotate'"
    )
    assert (data_dir / "instance_key.pem").read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["instance_key.pem"]


def test_show_and_rotate_without_a_key_are_refused(data_dir):
    message = (
        f"this instance has no key yet ({data_dir / 'instance_key.pem'}); "
        "create one with 'entente keys init'"
    )
    for verb in ("show", "rotate"):
        with pytest.raises(CommandError) as error:
            keys(verb)
        assert str(error.value) == message


def test_a_key_others_may_read_is_refused(data_dir):
    keys("init")
    path = data_dir / "instance_key.pem"
    path.chmod(0o644)
    with pytest.raises(CommandError) as error:
        keys("show")
    assert str(error.value) == (
        f"the instance key {path} may be read by others (mode 644); "
        f"make it readable by its owner only: chmod 600 {path}"
    )


def test_a_damaged_key_is_refused(data_dir):
    path = data_dir / "instance_key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    path.chmod(0o600)
    with pytest.raises(InstanceKeyError, match=r"^the instance key .* cannot be read: "):
        instance_key.load()


def test_signature_verifies_only_with_its_key_and_message(data_dir):
    instance_key.generate()
    public = instance_key.public_key()
    signature = instance_key.sign(b"tree head")
    assert instance_key.verify(public, b"tree head", signature) is True
    assert instance_key.verify(public, b"tree heads", signature) is False
    other = Ed25519PrivateKey.generate().public_key()
    assert instance_key.verify(other, b"tree head", signature) is False
    changed = bytes([signature[0] ^ 1]) + signature[1:]
    assert instance_key.verify(public, b"tree head", changed) is False


def test_rotate_keeps_the_old_public_key_and_signs_the_new_one_with_it(data_dir):
    keys("init")
    old_text, old_fingerprint = current()
    old = instance_key.public_key()
    old_signature = instance_key.sign(b"before the rotation")
    lines = keys("rotate")
    new_text, new_fingerprint = current()
    assert new_text != old_text
    (statement,) = instance_key.retired_keys()
    assert (statement.old_key, statement.new_key) == (old_text, new_text)
    assert lines[:3] == [
        "instance key rotated; the new key:",
        f"public key: {new_text}",
        f"fingerprint: {new_fingerprint}",
    ]
    assert lines[3] == (
        "Rotation statement (the new key signed by the old one), for the other party:"
    )
    assert json.loads("\n".join(lines[4:])) == statement.as_dict()
    assert instance_key.verify_rotation(old, statement) is True
    assert instance_key.verify_rotation(instance_key.public_key(), statement) is False
    forged = dataclasses.replace(
        statement, new_key=instance_key.public_key_text(Ed25519PrivateKey.generate().public_key())
    )
    assert instance_key.verify_rotation(old, forged) is False
    assert instance_key.verify_rotation(old, dataclasses.replace(statement, signature="")) is False
    # What the old key signed still verifies with the retired key.
    retired = instance_key.public_key_from_text(statement.old_key)
    assert instance_key.verify(retired, b"before the rotation", old_signature) is True
    assert (data_dir / "instance_keys_retired.json").stat().st_mode & 0o777 == 0o600
    assert keys("show") == [
        f"public key: {new_text}",
        f"fingerprint: {new_fingerprint}",
        f"retired {statement.rotated_at}: {old_text} (fingerprint {old_fingerprint})",
    ]


def test_rotating_twice_lists_both_retired_keys_in_order(data_dir):
    instance_key.generate()
    first_key = instance_key.public_key()
    first = instance_key.rotate()
    second_key = instance_key.public_key()
    second = instance_key.rotate()
    assert instance_key.retired_keys() == [first, second]
    assert first.new_key == second.old_key
    assert instance_key.verify_rotation(first_key, first) is True
    assert instance_key.verify_rotation(second_key, second) is True
    assert instance_key.verify_rotation(first_key, second) is False


def test_a_public_key_that_is_not_ed25519_is_refused():
    with pytest.raises(InstanceKeyError) as error:
        instance_key.public_key_from_text("c2hvcnQ=")
    assert str(error.value) == "not an Ed25519 public key (32 bytes in base64): 'c2hvcnQ='"
