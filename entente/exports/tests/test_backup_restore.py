"""`entente backup` and `entente restore`: a world is backed up while its instance runs,
restored into a new, empty instance (another data directory and database, in a process
of its own, as an operator would), and there its audit chain verifies and its JSON
export is byte for byte the one taken before. Damaged backups and non-empty instances
are refused, naming why."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from entente.core import instance_key
from entente.exports.tests.instance import entente
from entente.tests.access_world import build


def test_a_restored_backup_verifies_and_exports_the_same(
    transactional_db, cast, tmp_path, empty_instance
):
    # Committed data (transactional_db): the backup reads the database as others do.
    world = build(cast)
    agreement = str(world.cast.agreement.public_id)
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    call_command(
        "export", agreement, "--format", "json", "-o", str(before), "--user", "a_coordinator"
    )
    call_command("backup", str(tmp_path / "backup"))

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"] == connection.vendor
    attachments = sorted(name for name in manifest["files"] if name.startswith("media/"))
    assert len(attachments) == len(world.of_kind("attachment"))

    restored = entente(empty_instance, "restore", str(tmp_path / "backup"))
    assert (restored.returncode, restored.stderr) == (0, "")
    verified = entente(empty_instance, "audit", "verify")
    assert (verified.returncode, verified.stdout.startswith("audit chain intact")) == (0, True)
    exported = entente(
        empty_instance,
        "export",
        agreement,
        "--format",
        "json",
        "-o",
        str(after),
        "--user",
        "a_coordinator",
    )
    assert exported.returncode == 0, exported.stderr
    assert after.read_bytes() == before.read_bytes()
    media = Path(empty_instance["ENTENTE_DATA_DIR"]) / "media"
    assert (
        sorted(f"media/{p.relative_to(media).as_posix()}" for p in media.rglob("*") if p.is_file())
        == attachments
    )

    # Restored once, the instance is no longer empty.
    again = entente(empty_instance, "restore", str(tmp_path / "backup"))
    assert again.returncode == 1
    # One line, however the `entente` command prefixes it.
    assert again.stderr.count("\n") == 1
    assert again.stderr.endswith(
        "this instance is not empty (it has an audit history); restore into "
        "a new, empty database and data directory\n"
    )


@pytest.mark.django_db
def test_a_tampered_backup_is_refused_naming_the_file(cast, tmp_path, settings):
    uploaded = Path(settings.MEDIA_ROOT) / "attachments" / "minutes.txt"
    uploaded.parent.mkdir(parents=True)
    uploaded.write_text("minutes\n")
    call_command("backup", str(tmp_path / "backup"))
    (tmp_path / "backup" / "media" / "attachments" / "minutes.txt").write_text("altered\n")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"))
    assert (
        str(refused.value)
        == "backup damaged: media/attachments/minutes.txt does not match its checksum"
    )

    (tmp_path / "backup" / "media" / "attachments" / "minutes.txt").unlink()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"))
    assert str(refused.value) == "backup damaged: media/attachments/minutes.txt is missing"


@pytest.mark.django_db
def test_a_backup_never_overwrites_and_a_restore_needs_a_backup(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "full"))
    assert str(refused.value) == f"{tmp_path / 'full'} already exists and is not an empty directory"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "full"))
    assert str(refused.value) == f"{tmp_path / 'full'} is not a backup: it has no manifest.json"


@pytest.mark.django_db
def test_restore_refuses_a_non_empty_instance(cast, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"))
    assert "this instance is not empty" in str(refused.value)


def test_a_restored_instance_keeps_its_key_and_retired_keys(
    transactional_db, cast, tmp_path, empty_instance, settings
):
    """The instance key and its retired keys go into the backup and come back, readable
    by their owner only: the restored instance is the same instance to its peers."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    instance_key.generate()
    instance_key.rotate()
    shown = instance_key.public_key()
    call_command("backup", str(tmp_path / "backup"))

    keys = tmp_path / "backup" / "keys"
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert sorted(name for name in manifest["files"] if name.startswith("keys/")) == [
        "keys/instance_key.pem",
        "keys/instance_keys_retired.json",
    ]
    assert [oct(path.stat().st_mode & 0o777) for path in (keys, *sorted(keys.iterdir()))] == [
        "0o700",
        "0o600",
        "0o600",
    ]

    restored = entente(empty_instance, "restore", str(tmp_path / "backup"))
    assert (restored.returncode, restored.stderr) == (0, "")
    data = Path(empty_instance["ENTENTE_DATA_DIR"])
    for name in ("instance_key.pem", "instance_keys_retired.json"):
        assert (data / name).read_bytes() == (settings.DATA_DIR / name).read_bytes()
        assert oct((data / name).stat().st_mode & 0o777) == "0o600"
    show = entente(empty_instance, "keys", "show")
    assert show.returncode == 0, show.stderr
    assert show.stdout.splitlines()[:2] == [
        f"public key: {instance_key.public_key_text(shown)}",
        f"fingerprint: {instance_key.fingerprint(shown)}",
    ]
    retired = instance_key.retired_keys()[0]
    assert show.stdout.splitlines()[2].startswith(
        f"retired {retired.rotated_at}: {retired.old_key}"
    )


@pytest.mark.django_db
def test_restore_refuses_an_instance_that_has_a_key(tmp_path, settings):
    call_command("backup", str(tmp_path / "backup"))
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    instance_key.generate()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"))
    assert str(refused.value) == (
        f"this instance is not empty: it has an instance key "
        f"({settings.DATA_DIR / 'instance_key.pem'}); restore into a new data directory"
    )
