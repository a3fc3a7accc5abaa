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
from pathlib import Path
from urllib.parse import urlencode

import entente

HOST = "127.0.0.1"
# The bench signs in with a password (no second factor to type) and is not rate limited:
# neither changes what a page costs once signed in.
SERVER_ENVIRONMENT = {"ENTENTE_REQUIRE_MFA": "0", "ENTENTE_API_RATE_LIMIT": "1000000000"}
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(threads: int = 8):
    """`entente serve` on a free loopback port, with this process's code and settings;
    yields the port, and stops the server on leaving."""
    port = free_port()
    source = str(Path(entente.__file__).parent.parent)
    environment = os.environ | SERVER_ENVIRONMENT
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [source, environment.get("PYTHONPATH")])
    )
    command = [sys.executable, "-c", "from entente.cli import main; main()", "serve"]
    # Our own interpreter and arguments, no outside input.
    # Its log goes to a file: a pipe nobody reads would stop the server once full.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(  # noqa: S603
            [*command, "--bind", f"{HOST}:{port}", "--threads", str(threads)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            _wait_for(server, port, log)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


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

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
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
