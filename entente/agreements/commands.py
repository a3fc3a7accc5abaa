"""What the `entente` commands that act for a user share (`--user NAME`, `AGREEMENT`):
who they act for, and the agreement they name, among those that user may see; and, for
those that write a file of it (`-o FILE`), the writing.

An agreement the user may not see is answered exactly as one that does not exist.
"""

import uuid
from collections.abc import Iterable
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from entente.agreements.models import Agreement
from entente.agreements.selectors import agreement_visible_to
from entente.core.enums import Language


def acting_user(username: str):
    """The active user named `username`."""
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"--user: no active user {username!r}") from None


def named_agreement(user, name: str) -> Agreement:
    """The agreement `user` may see whose public id, or exact title in any language
    (case aside), is `name`."""
    visible = agreement_visible_to(user)
    try:
        found = list(visible.filter(public_id=uuid.UUID(name)))
    except ValueError:
        titled = reduce(or_, (Q(**{f"title_{code}__iexact": name}) for code in Language.values))
        found = list(visible.filter(titled)[:2])
    if not found:
        raise CommandError(f"no agreement {name!r} that {user.get_username()} may see")
    if len(found) > 1:
        raise CommandError(f"more than one agreement is titled {name!r}: give its public id")
    return found[0]


def reader_and_agreement(username: str, name: str) -> tuple[Any, Agreement]:
    """The active user `username` a command reads for, and the agreement `name` among
    those they may see."""
    reader = acting_user(username)
    return reader, named_agreement(reader, name)


def add_agreement_file_arguments(parser, *, user_help: str, metavar: str | None = None) -> None:
    """AGREEMENT, `--user NAME` (whose view, `user_help`) and `-o FILE`, the file to write."""
    parser.add_argument("agreement", help="The agreement's public id, or its exact title.")
    parser.add_argument("--user", required=True, help=user_help)
    parser.add_argument("-o", "--output", required=True, metavar=metavar, help="The file to write.")


def write_output(command: BaseCommand, output: str, content: bytes | Iterable[bytes]) -> None:
    """Write `content` (or its chunks, as they come) to the file `output`, saying so on
    stderr (stdout may be the file)."""
    try:
        with Path(output).open("wb") as file:
            file.writelines([content] if isinstance(content, bytes) else content)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}.") from None
    command.stderr.write(f"Wrote {output}.")
