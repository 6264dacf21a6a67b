"""The service stack: PostgreSQL and Redis, as production sites run them.

A newcomer's machine may have neither, so these tests skip, saying why and how to start
them, when the service does not answer on its usual loopback port. Point them elsewhere
with ``COGNITO_AUTH_TEST_POSTGRES`` (a ``postgres://`` URL without the database name)
and ``COGNITO_AUTH_TEST_REDIS`` (``redis://host:port``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from example_project.stack import Stack, postgres_url, redis_url, unreachable

# The probe suite runs only inside test_stack's own pytest run.
collect_ignore = [] if os.environ.get("COGNITO_AUTH_STACK_INNER") else ["inner"]


def _require(name: str, url: str) -> str:
    if reason := unreachable(name):
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server's URL (no database name), or the test is skipped."""
    return _require("PostgreSQL", postgres_url())


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The Redis server's URL (no database number), or the test is skipped."""
    return _require("Redis", redis_url())


@pytest.fixture(scope="module")
def gunicorn_stack(postgres_server, redis_server) -> Iterator[Stack]:
    """The example project under gunicorn, 4 sync workers on a fresh PostgreSQL database and
    a Redis key prefix of their own, against a strict emulator of its own; each response
    names the worker that made it (``X-Worker-Pid``). Sync (threads=1), not the stack's
    threaded default: one request at a time per process spreads concurrent requests over
    the processes, which is what these tests are about."""
    with Stack(threads=1, worker_pid_header=True) as stack:
        yield stack
