"""The `entente` command: Django's management commands with the settings preset, plus `serve`.

Every failure ends as one line on stderr (`entente: error: ...`) and exit status 1; set
ENTENTE_DEBUG to get the full traceback instead.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROG = "entente"
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_THREADS = 8
# Open connections at most, slow ones included (each holds a file descriptor or more;
# the service unit in the README raises the limit on those).
CONNECTION_LIMIT = 1000
# Seconds of silence after which a connection is closed, a half-sent request's included.
CHANNEL_TIMEOUT = 60


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
    """Serve the web application with waitress until interrupted (Ctrl+C or SIGTERM).

    Waitress reads each request whole, head and body, in its event loop before a thread
    runs it: a client that trickles its request, or sends half of one and waits, holds
    only a connection (until CHANNEL_TIMEOUT of silence), never one of the threads. A
    thread-per-connection server (gunicorn's sync and gthread workers) blocks a worker
    on each such client, with no timeout while the head is incomplete.
    """
    parser = argparse.ArgumentParser(
        prog=f"{PROG} serve", description="Serve Entente over HTTP with waitress."
    )
    parser.add_argument(
        "--bind",
        default=DEFAULT_BIND,
        metavar="HOST:PORT",
        help=f"address to listen on, or unix:PATH for a socket (default {DEFAULT_BIND})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"requests handled at once (default {DEFAULT_THREADS})",
    )
    options = parser.parse_args(args)
    if options.threads < 1:
        parser.error("--threads must be at least 1")

    _preflight()

    from django.conf import settings
    from waitress.server import create_server  # type: ignore[import-untyped]

    from entente.wsgi import application

    if options.bind.startswith("unix:"):
        # Readable and writable by the group too: the reverse proxy's user joins it.
        where: dict[str, Any] = {"unix_socket": options.bind[5:], "unix_socket_perms": "660"}
        url = options.bind
    else:
        where = {"listen": options.bind}
        url = f"http://{options.bind}"
    server = create_server(
        application,
        **where,
        threads=options.threads,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=CHANNEL_TIMEOUT,
        # An attachment at its largest, with room for the form around it.
        max_request_body_size=settings.ATTACHMENT_MAX_BYTES + 1024 * 1024,
        # The X-Forwarded-* headers are judged by entente.core.security, from
        # ENTENTE_TRUSTED_PROXIES, for every server alike.
        clear_untrusted_proxy_headers=False,
        ident="",  # no Server header
    )
    # systemd stops a service with SIGTERM: finish like Ctrl+C, letting running requests end.
    signal.signal(signal.SIGTERM, _stop)
    _start_reminders(settings.REMIND_INTERVAL)
    print(f"Entente is serving on {url} (press Ctrl+C to stop)", flush=True)
    server.run()


def _start_reminders(interval: int) -> threading.Thread | None:
    """Run `remind` every `interval` seconds beside the server (none when 0), so the
    embedded set-up sends notices without cron; several servers may all do it."""
    if interval <= 0:
        return None
    thread = threading.Thread(target=_remind_forever, args=(interval,), daemon=True)
    thread.start()
    return thread


def _remind_forever(interval: int) -> None:
    from django.db import connection

    from entente.notices.services import remind

    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    while True:
        try:
            result = remind(report=report)
            if result.failed:
                report(f"{PROG}: error: {result.failed} e-mail(s) could not be sent; retried later")
        except Exception as exc:  # the next run tries again: the server must keep serving
            report(f"{PROG}: error: reminders: {_describe(exc)}")
        finally:
            connection.close()
        time.sleep(interval)


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _preflight() -> None:
    """Fail with one clear line before serving, rather than on every request."""
    import django
    from django.conf import settings
    from django.db import connections

    django.setup()
    try:
        # Raises OperationalError when the database cannot be reached.
        connections["default"].ensure_connection()
    finally:
        # The serving threads open their own.
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
