"""When the database is down, busy or out of disk: a clear 503 or 507, not a 500.

Such an error is no bug of the request: the client should hear that nothing was done
and whether trying again soon may help. Two doors lead here: `core.pages.server_error`,
Django's handler500, for every page (and for errors of the API raised outside its
operations, such as the rate limit's count); and the API's problem handlers
(`core.problems`).
"""

import shutil
from pathlib import Path

from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext as _

# SQLite raises OperationalError for mistakes in SQL as well; only these are outages.
SQLITE_OUTAGES = (
    "database is locked",
    "disk i/o error",
    "database or disk is full",
    "unable to open database file",
)
# Below this, SQLite's disk is as good as full (it fails "disk I/O error" on its WAL).
LOW_DISK_BYTES = 1 << 20


def outage_status(exc: BaseException) -> int | None:
    """507 when the database's disk is full, 503 when the database cannot be reached or
    is busy; None for any other error."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    text = str(exc).lower()
    sqlite = connection.vendor == "sqlite"
    if (
        sqlite
        and isinstance(exc, OperationalError)
        and not any(outage in text for outage in SQLITE_OUTAGES)
    ):
        return None
    if "full" in text or "no space left" in text or (sqlite and _sqlite_disk_low()):
        return 507
    return 503


def _sqlite_disk_low() -> bool:
    directory = Path(connection.settings_dict["NAME"]).parent
    try:
        return shutil.disk_usage(directory).free < LOW_DISK_BYTES
    except OSError:
        return False


# A 503 says when to try again, as its message does ("in a minute").
RETRY_AFTER_SECONDS = 60


def outage_headers(status: int) -> dict[str, str]:
    """A 503's Retry-After; a full disk (507) is not over in a minute."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {}


def outage_message(status: int) -> str:
    if status == 507:
        return _(
            "The server's disk is full, so changes cannot be saved until space is freed. "
            "Nothing was changed; tell your administrator."
        )
    return _(
        "The database cannot be reached at the moment. Nothing was changed; try again in a minute."
    )
