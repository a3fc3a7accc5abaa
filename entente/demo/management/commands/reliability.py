import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from entente.demo.bench import instance
from entente.demo.bench.report import write
from entente.demo.generator import Sizes
from entente.demo.reliability import report, scenarios
from entente.demo.reliability.scenarios import Options

# By letter, in the order they run: the migrations last, as they rewrite the instance.
SCENARIOS = {
    "a": scenarios.concurrent_writes,
    "b": scenarios.killed_server,
    "f": scenarios.mixed_load,
    "c": scenarios.postgres_restart,
    "d": scenarios.full_disk,
    "e": scenarios.migrations,
}
# Where a scenario does not apply: the other database's section reports it.
ONLY_ON = {"c": "postgresql", "d": "sqlite"}


class Command(BaseCommand):
    help = (
        "Drive the real server through failures (concurrent writes, kill -9, a PostgreSQL "
        "restart, a full disk, migrations back and forth, long mixed load) and write the "
        "outcomes into RELIABILITY.md (a section per database)."
    )

    def add_arguments(self, parser):
        default = Options()
        add = parser.add_argument
        add("--scale", type=float, default=0.001, help="generated sizes (default %(default)s)")
        add("--data-dir", type=Path, help="the instance's directory (ENTENTE_DATA_DIR)")
        add("--clients", type=int, default=default.clients, help="default %(default)s")
        add("--seconds", type=float, default=default.seconds, help="(a) writes; %(default)s")
        add("--kill-rounds", type=int, default=default.kill_rounds, help="(b) %(default)s")
        add("--restart-seconds", type=float, default=default.restart_seconds, help="(c)")
        add("--disk-megabytes", type=int, default=default.disk_megabytes, help="(d)")
        add("--disk-seconds", type=float, default=default.disk_seconds, help="(d)")
        add("--minutes", type=float, default=default.minutes, help="(f) default %(default)s")
        add("--only", default="abcdef", help="the scenarios to run, by letter")
        add("--output", type=Path, default=Path("RELIABILITY.md"), help="default %(default)s")

    def handle(self, *args, scale, data_dir, only, output, **given):
        instance.run_in(data_dir)
        if set(only) - set(SCENARIOS):
            raise CommandError(f"--only takes letters among {''.join(sorted(SCENARIOS))}")
        fields = set(vars(Options()))
        options = Options(**{key: value for key, value in given.items() if key in fields})
        instance.ensure_database()
        sizes = Sizes().scaled(scale)
        with tqdm(total=sizes.total, unit="record", file=self.stderr._out, disable=None) as bar:
            instance.ensure_data(sizes, on_record=bar.update)
        options.token = instance.credentials().token
        if connection.vendor == "sqlite":
            options.sqlite_file = str(connection.settings_dict["NAME"])
        outcomes = []
        for letter, scenario in SCENARIOS.items():
            if letter not in only:
                continue
            if ONLY_ON.get(letter, connection.vendor) != connection.vendor:
                reason = f"on {ONLY_ON[letter]} only (see its section)"
                outcome = scenarios.Outcome(scenarios.NAMES[letter], "not run", reason)
            else:
                started = time.monotonic()
                outcome = scenario(options)
                outcome.details += f" [{time.monotonic() - started:.0f} s]"
            outcomes.append(outcome)
            self.stdout.write(outcome.line())
        write(
            output,
            report.section(outcomes, options=options, scale=scale),
            marker="reliability",
            header=report.HEADER,
        )
        self.stdout.write(f"Written to {output}.")
        if failed := [outcome.line() for outcome in outcomes if outcome.verdict == "FAIL"]:
            raise CommandError("\n".join(failed))
