from django.core.management.base import BaseCommand, CommandError

from entente.audit.selectors import audit_chain_head, audit_chain_verify


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
        sub.add_parser("head", help="Print the sequence number and hash of the last event.")

    def handle(self, *args, verb, expect_head=None, **options):
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
