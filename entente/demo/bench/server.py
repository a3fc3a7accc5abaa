"""The real server (`entente serve` in a subprocess) and an HTTP client signed in to it."""

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from json import dumps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import entente

HOST = "127.0.0.1"
# The bench signs in with a password (no second factor to type) and is not rate limited:
# neither changes what a page costs once signed in.
# No reminder runs inside the measured server: on a generated instance the first one reads
# every generated event, holding SQLite's write lock batch after batch, and a sign-in
# waiting for it can time out (503); the pages are measured, not `remind`.
SERVER_ENVIRONMENT = {
    "ENTENTE_REQUIRE_MFA": "0",
    "ENTENTE_API_RATE_LIMIT": "1000000000",
    "ENTENTE_REMIND_INTERVAL": "0",
}
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def environment_of(changes: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with `changes`, for an `entente` subprocess running
    this code (the first on PYTHONPATH)."""
    environment = os.environ | SERVER_ENVIRONMENT | (changes or {})
    source = str(Path(entente.__file__).parent.parent)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [source, environment.get("PYTHONPATH")])
    )
    return environment


class Server:
    """`entente serve` in a subprocess, with this process's code and settings and
    `environment` on top; `start` returns once it answers on `port`."""

    def __init__(self, *, threads: int = 8, environment: dict[str, str] | None = None):
        self.port = free_port()
        self.threads = threads
        self.environment = environment_of(environment)
        self.process: subprocess.Popen | None = None
        # Its log goes to a file: a pipe nobody reads would stop the server once full.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)

    def start(self) -> None:
        command = [sys.executable, "-c", "from entente.cli import main; main()", "serve"]
        bind = ["--bind", f"{HOST}:{self.port}", "--threads", str(self.threads)]
        # Our own interpreter and arguments, no outside input.
        self.process = subprocess.Popen(  # noqa: S603
            [*command, *bind], env=self.environment, stdout=subprocess.DEVNULL, stderr=self.log
        )
        _wait_for(self.process, self.port, self.log)

    def errors(self) -> list[str]:
        """The exceptions in its log so far, a line each ("module.Error: message")."""
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        return re.findall(r"^[\w.]+(?:Error|Exception): .*$", text, re.M)

    def kill(self) -> None:
        """kill -9: no chance to finish a request or close the database."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Stop it (and forget its log)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


@contextmanager
def running_server(threads: int = 8, *, environment: dict[str, str] | None = None):
    """`entente serve` on a free loopback port, with this process's code and settings;
    yields the `Server`, and stops it on leaving."""
    server = Server(threads=threads, environment=environment)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _wait_for(server: subprocess.Popen, port: int, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"The server stopped: {log.read().decode()[-2000:]}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The server did not answer within {STARTUP_SECONDS} s.")


class Client:
    """One keep-alive connection with its own cookies, as one browser or API client."""

    def __init__(self, port: int, *, token: str = ""):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=300)
        self.cookies: dict[str, str] = {}
        self.token = token

    def request(
        self, method: str, path: str, body: dict | None = None, *, json: Any = None
    ) -> tuple[int, bytes]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        if json is not None:
            data = dumps(json)
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def sign_in(self, username: str, password: str) -> None:
        _status, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if match is None:
            raise RuntimeError("The sign-in page has no CSRF token.")
        form = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": password,
        }
        status, _body = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Signing in as {username} failed (HTTP {status}).")

    def close(self) -> None:
        self.connection.close()
