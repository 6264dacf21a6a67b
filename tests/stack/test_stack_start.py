"""A stack whose gunicorn cannot start says so as soon as gunicorn gives up.

gunicorn retries a taken port for about five seconds, then exits with "Can't connect".
`Stack.start` must report that then, with gunicorn's output, not wait out START_TIMEOUT;
``python -m example_project.stack`` refuses a taken port before it starts anything.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from example_project import stack as stack_module
from example_project.stack import Stack

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
# A bound on a start that fails, never expected to pass: START_TIMEOUT is raised far above
# it below, so a start that misses gunicorn's exit shows as still waiting here.
START_BOUND = 300


# Stands in for a gunicorn whose output has ended while its process has not yet been seen
# to exit (the race): it prints, closes its output, and lives on until stop() ends it.
STOPS_TALKING = (
    "import os, signal; print(\"[ERROR] Can't connect to ('127.0.0.1', 8000)\", flush=True); "
    "os.close(1); os.close(2); signal.pause()"
)


class GunicornThatStopsTalking(Stack):
    def _gunicorn_command(self) -> list[str]:
        return [sys.executable, "-c", STOPS_TALKING]


def started(stack: Stack) -> BaseException | None:
    """What `stack.start()` raised (None: it started), within START_BOUND."""
    outcome: list[BaseException | None] = []

    def start() -> None:
        try:
            stack.start()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    starting = threading.Thread(target=start, daemon=True)
    starting.start()
    starting.join(START_BOUND)
    assert outcome, "Stack.start() was still waiting after gunicorn's output had ended"
    return outcome[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port this test listens on, so nobody else can."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_gunicorn_exiting_at_start_fails_the_start_at_once(postgres_server, redis_server, taken_port, monkeypatch):
    monkeypatch.setattr(stack_module, "START_TIMEOUT", START_BOUND * 10)
    error = started(Stack(workers=1, threads=1, port=taken_port))

    assert isinstance(error, RuntimeError), error
    assert "gunicorn did not start" in str(error)
    assert "Can't connect" in str(error)  # gunicorn's own output, for the person to read


def test_the_end_of_gunicorns_output_ends_the_wait(postgres_server, redis_server, monkeypatch):
    # The race above, made certain: the output ends and the process lives on.
    monkeypatch.setattr(stack_module, "START_TIMEOUT", START_BOUND * 10)
    stack = GunicornThatStopsTalking(workers=1, threads=1)
    error = started(stack)

    assert isinstance(error, RuntimeError), error
    assert "Can't connect" in str(error)
    assert stack.master_pid is None  # start() stopped what it had started


def test_the_command_refuses_a_taken_port(taken_port):
    # Only the port check runs: it comes before anything is started.
    done = subprocess.run(
        [sys.executable, "-m", "example_project.stack", "--port", str(taken_port)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 1
    assert f"127.0.0.1:{taken_port} is in use" in done.stderr
    assert "Example site" not in done.stdout
