"""The `entente` command: Django's management commands with the settings preset, plus `serve`.

Every failure ends as one line on stderr (`entente: error: ...`) and exit status 1; set
ENTENTE_DEBUG to get the full traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

PROG = "entente"
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = 2


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `entente` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
    try:
        if args[:1] == ["serve"]:
            serve(args[1:])
        else:
            from django.core.management import execute_from_command_line

            # Django names the program after argv[0] in usage and help texts.
            execute_from_command_line([PROG, *args])
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`entente ... | head`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        if _debug():
            raise
        print(f"{PROG}: error: {_describe(exc)}", file=sys.stderr)
        sys.exit(1)


def serve(args: list[str]) -> None:
    """Run the web application under gunicorn until interrupted."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} serve", description="Serve Entente over HTTP with gunicorn."
    )
    parser.add_argument(
        "--bind", default=DEFAULT_BIND, metavar="HOST:PORT", help=f"default {DEFAULT_BIND}"
    )
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help=f"default {DEFAULT_WORKERS}"
    )
    options = parser.parse_args(args)
    if options.workers < 1:
        parser.error("--workers must be at least 1")

    _preflight()

    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        # Configured from the options below only: no gunicorn.conf.py, no GUNICORN_CMD_ARGS.
        def __init__(self, settings: dict[str, Any]) -> None:
            self.settings = settings
            super().__init__(prog=f"{PROG} serve")

        def load_config(self) -> None:
            for key, value in self.settings.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn 25.1+ opens a control socket at a fixed path under $HOME by default;
                # nothing uses it, and two servers on one machine would compete for it.
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            # Runs in each worker, after the fork.
            from entente.wsgi import application

            return application

    url = options.bind if options.bind.startswith("unix:") else f"http://{options.bind}"
    print(f"Entente is serving on {url} (press Ctrl+C to stop)", flush=True)
    Server(
        {
            "bind": [options.bind],
            "workers": options.workers,
            "proc_name": "entente",
            "accesslog": "-",
        }
    ).run()


def _preflight() -> None:
    """Fail with one clear line before gunicorn starts, rather than in every worker."""
    import django
    from django.conf import settings
    from django.db import connections

    django.setup()
    try:
        # Raises OperationalError when the database cannot be reached.
        connections["default"].ensure_connection()
    finally:
        # No connection may be inherited by the forked workers.
        connections.close_all()
    if not settings.STATIC_ROOT or not Path(settings.STATIC_ROOT).is_dir():
        print(
            f"{PROG}: warning: static files are not collected; run `{PROG} collectstatic`",
            file=sys.stderr,
        )


def _debug() -> bool:
    return os.environ.get("ENTENTE_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def _describe(exc: BaseException) -> str:
    """One line saying what went wrong, with the kind of error when it helps."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    try:
        from django.core.exceptions import ImproperlyConfigured
        from django.db import DatabaseError
    except ImportError:
        return detail
    if isinstance(exc, DatabaseError):
        return f"database: {detail} (check ENTENTE_DATABASE_URL)"
    if isinstance(exc, ImproperlyConfigured):
        return f"configuration: {detail}"
    return detail


if __name__ == "__main__":
    main()
