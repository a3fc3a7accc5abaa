import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from entente.demo.generator import Sizes, generate

DEFAULTS = Sizes()


class Command(BaseCommand):
    help = (
        "Add generated agreements, commitments, meetings, trainings and liaison requests "
        "to the demo (loaded first if missing), through the services, for measuring."
    )

    def add_arguments(self, parser):
        for name in ("agreements", "commitments", "requests", "messages", "meetings", "trainings"):
            parser.add_argument(
                f"--{name}",
                type=int,
                default=getattr(DEFAULTS, name),
                metavar="N",
                help=f"how many to add (default {getattr(DEFAULTS, name)})",
            )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    def handle(self, *args, seed: int, **options):
        sizes = Sizes(**{name: options[name] for name in Sizes.__dataclass_fields__})
        if min(vars(sizes).values()) < 0 or (sizes.agreements == 0 and sizes.total):
            raise CommandError("Sizes cannot be negative, and records need an agreement.")
        started = time.monotonic()
        with tqdm(total=sizes.total, unit="record", file=self.stderr._out, disable=None) as bar:
            generate(sizes, seed=seed, on_record=bar.update)
        self.stdout.write(
            f"Generated {sizes.total} record(s) in {time.monotonic() - started:.1f} s."
        )
