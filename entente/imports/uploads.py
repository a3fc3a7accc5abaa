"""Spreadsheets kept between the steps of an import on the web: in the private data
directory (settings.IMPORTS_DIR), never in the session, each under a random key that
only its uploader's user id opens, and removed once imported, or by the next upload
once abandoned (`ABANDONED_AFTER` since its last step): uploads are the one thing that
fills the folder, so they empty it too, with no scheduled job to forget."""

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from entente.core.errors import NotFound
from entente.imports.mapping import Mapping

_KEY = re.compile(r"^[A-Za-z0-9_-]{22}$")
SUFFIXES = (".xlsx", ".csv")
ABANDONED_AFTER = 24 * 3600  # seconds


@dataclass
class Upload:
    """An uploaded spreadsheet and what the steps so far have said about it."""

    key: str
    path: Path
    agreement: str  # the agreement's public id
    filename: str
    mapping: Mapping
    header_row: int | None = None

    def state_path(self) -> Path:
        return self.path.with_suffix(".json")

    def save(self) -> None:
        state = {
            "agreement": self.agreement,
            "filename": self.filename,
            "header_row": self.header_row,
            "mapping": json.loads(self.mapping.to_json()),
        }
        self.state_path().write_text(json.dumps(state, ensure_ascii=False))
        self.path.touch()  # the file and its state are abandoned together

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.state_path().unlink(missing_ok=True)


def _folder() -> Path:
    folder = Path(settings.IMPORTS_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _remove_abandoned(folder: Path) -> None:
    """Remove every upload, anyone's, untouched for `ABANDONED_AFTER`."""
    cutoff = time.time() - ABANDONED_AFTER
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def upload_store(user, file: UploadedFile, *, agreement, mapping: Mapping, header_row) -> Upload:
    folder = _folder()
    _remove_abandoned(folder)
    suffix = Path(file.name or "").suffix.lower()
    key = secrets.token_urlsafe(16)
    path = folder / f"{user.pk}-{key}{suffix}"
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    upload = Upload(
        key=key,
        path=path,
        agreement=str(agreement.public_id),
        filename=file.name or "",
        mapping=mapping,
        header_row=header_row,
    )
    upload.save()
    return upload


def get_upload_for_user(user, key: str) -> Upload:
    """The user's own upload under `key`; anyone else's, or none, is not found."""
    if not _KEY.match(key):
        raise NotFound(_("No such import."))
    for suffix in SUFFIXES:
        path = _folder() / f"{user.pk}-{key}{suffix}"
        state = path.with_suffix(".json")
        if path.is_file() and state.is_file():
            data = json.loads(state.read_text())
            return Upload(
                key=key,
                path=path,
                agreement=data["agreement"],
                filename=data["filename"],
                header_row=data["header_row"],
                mapping=Mapping(**data["mapping"]),  # as saved by a step before
            )
    raise NotFound(_("No such import."))
