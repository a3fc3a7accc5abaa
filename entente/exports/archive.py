"""Backups of a whole instance, and their restore into an empty one.

A backup is a directory: the database (SQLite's online backup of the live file, or
`pg_dump --format=custom`), a copy of the uploaded files (`media/`), the instance's
Ed25519 key and its retired keys when it has them (`keys/`, readable by their owner
only: a restored instance keeps its identity toward its peers), and
`manifest.json` with the sha256 of every file, the Entente version, the database
vendor, the applied migrations and the time it was taken. The database is copied
first and the files after, so every file the copied database names is in the backup
(a file uploaded meanwhile is only one more).
"""

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from tqdm import tqdm

from entente.audit.models import AuditEvent
from entente.core import instance_key

MANIFEST = "manifest.json"
MEDIA = "media"
KEYS = "keys"
KEY_FILES = (instance_key.KEY_FILE, instance_key.RETIRED_FILE)
DATABASE_FILES = {"sqlite": "entente.sqlite3", "postgresql": "entente.pgdump"}


class ArchiveError(Exception):
    """A backup or restore that cannot go on; its message says why, in one line."""


def _progress(items: Iterable, description: str, total: int | None = None) -> Iterable:
    """A progress bar on a terminal only; logs and pipes get none."""
    return tqdm(items, desc=description, total=total, disable=not sys.stderr.isatty())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    return (path for path in sorted(root.rglob("*")) if path.is_file())


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise ArchiveError(f"backups know SQLite and PostgreSQL, not {vendor}")
    return vendor


# --- the database -------------------------------------------------------------------------


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    """SQLite's online backup: a consistent copy while others keep writing."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    return os.environ | {key: str(value) for key, value in values.items() if value}


def _run(command: list[str]) -> None:
    try:
        # PostgreSQL's own tools, with words of ours and the settings' connection values.
        subprocess.run(command, env=_pg_environment(), check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError:
        raise ArchiveError(f"{command[0]} is not installed (PostgreSQL's client tools)") from None
    except subprocess.CalledProcessError as exc:
        detail = " ".join(exc.stderr.split()) or f"exit status {exc.returncode}"
        raise ArchiveError(f"{command[0]} failed: {detail}") from None


def _dump_database(target: Path) -> None:
    if _vendor() == "sqlite":
        _sqlite_copy(connection.settings_dict["NAME"], target)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"])


def _load_database(source: Path) -> None:
    connections.close_all()
    if _vendor() == "sqlite":
        _sqlite_copy(source, connection.settings_dict["NAME"])
    else:
        # The instance is empty (checked first): tables `migrate` made are replaced.
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                _dbname(),
                str(source),
            ]
        )
    connections.close_all()


def _dbname() -> str:
    return str(connection.settings_dict["NAME"])


# --- backup -------------------------------------------------------------------------------


def _migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def backup(target: Path) -> dict[str, Any]:
    """Write a backup of this instance into `target` (new, or an empty directory)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ArchiveError(f"{target} already exists and is not an empty directory")
    target.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    _dump_database(target / DATABASE_FILES[vendor])
    media = Path(settings.MEDIA_ROOT)
    sources = list(_files_under(media)) if media.is_dir() else []
    for source in _progress(sources, "Copying files"):
        copy = target / MEDIA / source.relative_to(media)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, copy)
    _copy_keys(Path(settings.DATA_DIR), target / KEYS)
    files = {
        path.relative_to(target).as_posix(): sha256_of(path)
        for path in _progress(list(_files_under(target)), "Checksums")
    }
    manifest = {
        "entente_version": importlib.metadata.version("entente"),
        "database": vendor,
        "migrations": _migrations(),
        "created_at": timezone.now().isoformat(),
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _copy_keys(source: Path, target: Path) -> None:
    """The instance's key files from `source` into `target`, readable by their owner only
    from the moment they exist."""
    for name in KEY_FILES:
        if (source / name).is_file():
            target.mkdir(mode=0o700, exist_ok=True)
            _write_private(target / name, (source / name).read_bytes())


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


# --- restore ------------------------------------------------------------------------------


def _read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise ArchiveError(f"{source} is not a backup: it has no {MANIFEST}") from None
    except (ValueError, OSError) as exc:
        raise ArchiveError(f"{source / MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ArchiveError(f"{source / MANIFEST} is not a backup manifest")
    return manifest


def verify(source: Path) -> dict[str, Any]:
    """The manifest, once every file in the backup has the checksum it lists, and no file
    is missing or added; otherwise the first file that differs is named."""
    manifest = _read_manifest(source)
    listed = manifest["files"]
    present = {p.relative_to(source).as_posix() for p in _files_under(source)} - {MANIFEST}
    for name in sorted(set(listed) - present):
        raise ArchiveError(f"backup damaged: {name} is missing")
    for name in sorted(present - set(listed)):
        raise ArchiveError(f"backup damaged: {name} is not in the manifest")
    for name in _progress(sorted(listed), "Verifying"):
        if sha256_of(source / name) != listed[name]:
            raise ArchiveError(f"backup damaged: {name} does not match its checksum")
    return manifest


def _require_empty() -> None:
    tables = connection.introspection.table_names()
    user_table = get_user_model()._meta.db_table
    if AuditEvent._meta.db_table in tables and AuditEvent.objects.exists():
        raise ArchiveError(
            "this instance is not empty (it has an audit history); restore into a new, "
            "empty database and data directory"
        )
    if user_table in tables and get_user_model().objects.exists():
        raise ArchiveError(
            "this instance is not empty (it has users); restore into a new, empty "
            "database and data directory"
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise ArchiveError(f"this instance is not empty: {media} holds files")
    for name in KEY_FILES:
        if (Path(settings.DATA_DIR) / name).exists():
            raise ArchiveError(
                f"this instance is not empty: it has an instance key "
                f"({Path(settings.DATA_DIR) / name}); restore into a new data directory"
            )


def restore(source: Path) -> dict[str, Any]:
    """Restore the backup in `source` into this instance, which must be empty."""
    manifest = verify(source)
    vendor = _vendor()
    if manifest.get("database") != vendor:
        raise ArchiveError(
            f"the backup is of a {manifest.get('database')} database; this instance uses {vendor}"
        )
    if DATABASE_FILES[vendor] not in manifest["files"]:
        raise ArchiveError(f"backup damaged: it has no {DATABASE_FILES[vendor]}")
    _require_empty()
    _load_database(source / DATABASE_FILES[vendor])
    media = Path(settings.MEDIA_ROOT)
    copied = [name for name in sorted(manifest["files"]) if name.startswith(f"{MEDIA}/")]
    for name in _progress(copied, "Restoring files"):
        target = media / name.removeprefix(f"{MEDIA}/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target)
    _copy_keys(source / KEYS, Path(settings.DATA_DIR))
    return manifest
