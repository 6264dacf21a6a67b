"""Exactly one renewal for 20 concurrent requests of one session, served by two server
processes of the example project that share the database and a database cache (issue 10,
Proof). Not the file cache: its ``add`` checks, then writes, so two processes can both take
the renewal lock (Django's FileBasedCache.add; the database cache's insert cannot).
The servers are ``manage.py runserver`` on loopback, started and stopped here by
their PID; readiness and the outcome are waited on as conditions, never with sleeps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings

from cognito_auth.sessions import SessionTokens

from .conftest import PASSWORD, Site
from .test_processes import database_url
from .test_session_middleware import make_due, renewals, session_of

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 20
START_LIMIT = 60.0  # seconds a server may take to come up before the test gives up


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a condition (the port), not waiting for an outcome
    raise RuntimeError(f"server on port {port} did not listen within {START_LIMIT} s")


@pytest.fixture
def two_servers(app_client_for_pool) -> Iterator[list[str]]:
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "PYTHONPATH", "HOME"}},
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": database_url(),
        "CACHE_URL": "dbcache://renewal_test_cache",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The example project pins its emulator's port; these servers use the test's one.
        "COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS": urlsplit(app_client_for_pool.endpoint_url).netloc,
    }
    servers: list[tuple[int, subprocess.Popen]] = []
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    try:
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
                 f"127.0.0.1:{port}"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            servers.append((port, process))
        for port, process in servers:
            wait_until_listening(port, process)
        yield [f"http://127.0.0.1:{port}" for port, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_twenty_concurrent_requests_across_two_processes_renew_once(two_servers, alice, cognito_pool):
    first, second = two_servers
    browser = Site(first)
    assert browser.login("alice", PASSWORD).status_code == 302
    before = SessionTokens.load(session_of(browser))
    cognito_pool.emulator.reset_log()
    make_due(browser)
    cookies = {"sessionid": browser.http.cookies["sessionid"]}

    def page(n: int) -> int:
        base = (first, second)[n % 2]
        return requests.get(base + "/", cookies=cookies, allow_redirects=False, timeout=30).status_code

    with ThreadPoolExecutor(REQUESTS) as pool:
        statuses = list(pool.map(page, range(REQUESTS)))
    assert statuses == [200] * REQUESTS
    assert renewals(cognito_pool) == ["InitiateAuth"]
    after = SessionTokens.load(session_of(browser))
    assert after.access_token != before.access_token
    # And the next requests, on either server, make no call at all.
    cognito_pool.emulator.reset_log()
    assert [page(n) for n in range(4)] == [200] * 4
    assert cognito_pool.calls() == []
