"""Integration fixtures: the example site served over HTTP (pytest-django's live server,
Django's real stack) talking HTTP to the strict Cognito emulator process."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

PASSWORD = "Correct-Horse-7-battery"


@dataclass
class Site:
    """A person's browser, minus the browser: cookies, CSRF tokens and plain HTTP."""

    base_url: str
    host: str | None = None

    def __post_init__(self) -> None:
        self.http = requests.Session()
        if self.host:
            self.http.headers["Host"] = self.host

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, allow_redirects=False, timeout=30, **kwargs)

    def post_form(self, path: str, data: dict, **kwargs) -> requests.Response:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path} ({page.status_code})"
        headers = {"Referer": self.base_url + path}
        return self.http.post(
            self.base_url + path, data={"csrfmiddlewaretoken": token.group(1), **data},
            headers=headers, allow_redirects=False, timeout=30, **kwargs,
        )

    def login(self, username: str, password: str, **extra) -> requests.Response:
        return self.post_form("/accounts/login/", {"username": username, "password": password, **extra})


@pytest.fixture
def site(live_server, settings) -> Site:
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", ".example.test"]
    return Site(live_server.url)


@pytest.fixture
def alice(cognito_pool, app_client_for_pool):
    """A confirmed Cognito user with a verified email, in the emulator's fresh pool."""
    cognito_pool.create_user(
        "alice", PASSWORD,
        {"email": "alice@example.com", "email_verified": "true", "given_name": "Alice", "family_name": "Liddell"},
    )
    return "alice"


@pytest.fixture
def hanging_endpoint() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:  # the listening socket was shut down: stop
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.shutdown(socket.SHUT_RDWR)
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def closed_endpoint() -> str:
    """A loopback port with nothing listening: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class CaptureServer:
    """Accepts connections on 127.0.0.1, records every byte, answers 400 and closes."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.data = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _address = self.server.accept()
            except OSError:  # the listening socket was shut down: stop
                return
            self.connections += 1
            with conn:
                conn.settimeout(5)
                try:
                    chunk = conn.recv(65536)
                    self.data += chunk
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def stop(self) -> None:
        """Stop accepting and wait for the server thread: after this, the counts are final."""
        self.server.shutdown(socket.SHUT_RDWR)
        self.thread.join()
        self.server.close()


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    server = CaptureServer()
    yield server
    if server.thread.is_alive():
        server.stop()
