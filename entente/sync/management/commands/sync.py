"""`entente sync peer add|list|retire`: the other parties' instances this one exchanges
bundles with, per agreement. (Bundles themselves, `sync export|import|run`, come later.)"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from entente.accounts.models import Party
from entente.agreements.commands import acting_user, named_agreement
from entente.core.errors import ConflictError, NotFound
from entente.sync import services
from entente.sync.selectors import get_peer_for_user, peer_list, peer_visible_to


def _refusal(error: Exception) -> CommandError:
    """A service's refusal in one line, naming the field it concerns."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return CommandError(
            "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
        )
    if isinstance(error, ValidationError):
        return CommandError(" ".join(error.messages))
    return CommandError(str(error))


class Command(BaseCommand):
    help = "Manage the other parties' instances (peers) this instance exchanges bundles with."

    def add_arguments(self, parser):
        nouns = parser.add_subparsers(dest="noun", required=True)
        peer = nouns.add_parser("peer", help="Peer instances, per agreement.")
        verbs = peer.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="Record another party's instance for an agreement.")
        add.add_argument("agreement", help="The agreement's public id, or its exact title.")
        add.add_argument("party", help="The code of the party whose instance it is.")
        add.add_argument("public_key", help="Its Ed25519 public key (base64, 32 bytes).")
        add.add_argument("--address", default="", help="Its https:// address, if reachable.")
        add.add_argument("--user", required=True, help="The coordinator who records it.")
        listed = verbs.add_parser("list", help="List the peers (of one agreement).")
        listed.add_argument("agreement", nargs="?", help="The agreement's public id or title.")
        listed.add_argument("--user", required=True, help="Whose party's peers to list.")
        retire = verbs.add_parser("retire", help="Stop using a peer's key.")
        retire.add_argument("peer", help="The peer's public id.")
        retire.add_argument("--user", required=True, help="The coordinator who retires it.")

    def handle(self, *args, verb, user, **options):
        actor = acting_user(user)
        try:
            if verb == "add":
                self._add(actor, **options)
            elif verb == "list":
                self._list(actor, options["agreement"])
            else:
                self._retire(actor, options["peer"])
        except (ValidationError, PermissionDenied, NotFound, ConflictError) as error:
            raise _refusal(error) from None

    def _add(self, actor, *, agreement, party, public_key, address, **_options) -> None:
        found = named_agreement(actor, agreement)
        other = Party.objects.filter(code=party).first()
        if other is None:
            raise CommandError(f"party: no party {party!r}")
        peer = services.peer_add(
            actor=actor, agreement=found, party=other, public_key=public_key, address=address
        )
        self.stdout.write(f"peer {peer.public_id} added: {other.code} {peer.fingerprint}")
        self.stdout.write(
            "Read the fingerprint aloud to the other party; they compare it with "
            "'entente keys show' on their instance."
        )

    def _list(self, actor, agreement: str | None) -> None:
        if agreement is None:
            peers = peer_visible_to(actor).order_by("agreement__pk", "retired_at", "party__code")
        else:
            peers = peer_list(actor, named_agreement(actor, agreement))
        self.stdout.write("id\tagreement\tparty\tfingerprint\taddress\tsince\tretired")
        for peer in peers:
            self.stdout.write(
                "\t".join(
                    [
                        str(peer.public_id),
                        str(peer.agreement.public_id),
                        peer.party.code,
                        peer.fingerprint,
                        peer.address or "-",
                        peer.created_at.isoformat(timespec="seconds"),
                        peer.retired_at.isoformat(timespec="seconds") if peer.retired_at else "-",
                    ]
                )
            )

    def _retire(self, actor, public_id: str) -> None:
        try:
            uuid.UUID(public_id)
        except ValueError:
            raise CommandError(f"peer: not a peer id: {public_id!r}") from None
        try:
            peer = get_peer_for_user(actor, public_id, write=True)
        except NotFound:
            raise CommandError(
                f"peer: no peer {public_id} that {actor.get_username()} may see"
            ) from None
        services.peer_retire(actor=actor, peer=peer, expected_version=peer.version)
        self.stdout.write(f"peer {peer.public_id} retired: {peer.party.code} {peer.fingerprint}")
