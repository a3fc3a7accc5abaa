import time
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from entente.demo.bench import instance, report
from entente.demo.bench.importing import timed_import
from entente.demo.bench.measure import measure
from entente.demo.bench.pages import pages
from entente.demo.bench.server import Client, running_server
from entente.demo.generator import Sizes


class Command(BaseCommand):
    help = (
        "Measure the real server on a generated instance through HTTP, with concurrent "
        "clients, and write the results into BENCHMARKS.md (a section per database)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="share of the issue's sizes (default 1)"
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="the instance's directory (ENTENTE_DATA_DIR), built there or reused",
        )
        parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
        parser.add_argument(
            "--requests", type=int, default=20, help="requests per client per page (default 20)"
        )
        parser.add_argument(
            "--import-rows",
            type=int,
            help="rows of the measured import (default 10,000 × scale, at least 100)",
        )
        parser.add_argument(
            "--output", type=Path, default=Path("BENCHMARKS.md"), help="default: %(default)s"
        )

    def handle(self, *args, scale, data_dir, clients, requests, import_rows, output, **options):
        instance.run_in(data_dir)
        sizes = Sizes().scaled(scale)
        rows = import_rows or max(100, round(10_000 * scale))
        instance.ensure_database()
        started = time.monotonic()
        with tqdm(total=sizes.total, unit="record", file=self.stderr._out, disable=None) as bar:
            if instance.ensure_data(sizes, on_record=bar.update):
                self.stdout.write(f"Generated in {time.monotonic() - started:.1f} s.")
        credentials = instance.credentials()
        measured = pages(credentials)
        results = []
        with running_server() as server:
            port = server.port
            browsers = [Client(port) for _ in range(clients)]
            for browser in browsers:
                browser.sign_in(credentials.username, credentials.password)
            programs = [Client(port, token=credentials.token) for _ in range(clients)]
            for page in tqdm(measured, unit="page", file=self.stderr._out, disable=None):
                result = measure(page, programs if page.api else browsers, requests, credentials)
                results.append(result)
                self.stdout.write(
                    f"{page.name}: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms"
                )
            for client in browsers + programs:
                client.close()
        text = report.section(results, sizes=sizes, scale=scale, clients=clients, each=requests)
        agreement = measured[2].path.split("/")[2]
        imported = timed_import(agreement, credentials.username, rows)
        self.stdout.write(f"Import: {imported}")
        report.write(output, text.replace(report.IMPORT_PENDING, imported))
        self.stdout.write(f"Written to {output}.")
