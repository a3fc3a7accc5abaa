import dataclasses
import json

from django.core.management.base import BaseCommand, CommandError

from entente.audit.selectors import audit_chain_head, audit_chain_verify, signed_tree_head
from entente.core.instance_key import InstanceKeyError


class Command(BaseCommand):
    help = "Verify the audit chain, or print its head to hand to the other party."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser("verify", help="Walk the chain; exit 1 at the first bad event.")
        verify.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="A head printed earlier by 'entente audit head'; it must still be in the chain.",
        )
        head = sub.add_parser("head", help="Print the sequence number and hash of the last event.")
        head.add_argument(
            "--tree",
            action="store_true",
            help="Print the Merkle tree head instead (size, root, time), signed with the "
            "instance key when there is one.",
        )

    def handle(self, *args, verb, expect_head=None, tree=False, **options):
        if verb == "head" and tree:
            try:
                tree_head = signed_tree_head()
            except (InstanceKeyError, ValueError) as error:
                raise CommandError(str(error)) from None
            fields = dataclasses.asdict(tree_head)
            if not tree_head.signature:
                del fields["instance"], fields["signature"]
                self.stderr.write(
                    "unsigned: this instance has no key yet; create one with 'entente keys init'"
                )
            self.stdout.write(json.dumps(fields, indent=2))
            return
        if verb == "head":
            seq, digest = audit_chain_head()
            self.stdout.write(f"{seq}:{digest}")
            return
        report = audit_chain_verify(expect_head=_parse_head(expect_head) if expect_head else None)
        if not report.ok:
            raise CommandError(
                f"audit chain broken at sequence {report.first_bad_seq}: {report.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(
            f"audit chain intact: {report.checked} events, head {report.head_seq}:{report.head_hash}"
        )


def _parse_head(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(
            "--expect-head must look like SEQ:HASH, as printed by 'entente audit head'"
        )
    return int(seq), digest
