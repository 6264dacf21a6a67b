"""The service stack: PostgreSQL and Redis, as production sites run them.

A newcomer's machine may have neither, so these tests skip, saying why and how to start
them, when the service does not answer on its usual loopback port. Point them elsewhere
with ``COGNITO_AUTH_TEST_POSTGRES`` (a ``postgres://`` URL without the database name)
and ``COGNITO_AUTH_TEST_REDIS`` (``redis://host:port``).
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES = os.environ.get("COGNITO_AUTH_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("COGNITO_AUTH_TEST_REDIS", "redis://127.0.0.1:6379")
# The probe suite runs only inside test_stack's own pytest run.
collect_ignore = [] if os.environ.get("COGNITO_AUTH_STACK_INNER") else ["inner"]
HOW_TO_START = {
    "PostgreSQL": "apt-get install postgresql && service postgresql start, trust auth on 127.0.0.1",
    "Redis": "apt-get install redis-server && service redis-server start",
}


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def _require(name: str, url: str) -> str:
    if not _answers(url):
        pytest.skip(f"{name} is not reachable at {urlsplit(url).netloc} ({HOW_TO_START[name]})")
    return url


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server's URL (no database name), or the test is skipped."""
    return _require("PostgreSQL", POSTGRES)


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The Redis server's URL (no database number), or the test is skipped."""
    return _require("Redis", REDIS)
