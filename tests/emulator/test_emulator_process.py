"""The emulator's entry points: the command line and the process wrapper."""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cognito_auth.testing import emulator, process

ROOT = Path(__file__).resolve().parents[2]
# Bounds on waits for the child, never expected to pass: a slow machine only waits longer.
WAIT = 30


def test_process_reads_the_listening_line(cognito_emulator):
    assert cognito_emulator.endpoint_url.startswith("http://127.0.0.1:")
    assert cognito_emulator.health() == {"ok": True}
    assert f"{process.LISTENING_PREFIX}{cognito_emulator.endpoint_url}" in cognito_emulator.output_tail


def test_both_sides_agree_on_the_listening_line():
    assert process.LISTENING_PREFIX == f"{emulator.LISTENING_PREFIX} "


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])
def test_non_loopback_host_is_refused(host, capsys, monkeypatch):
    def serve_nothing(*args, **kwargs):
        raise AssertionError(f"main() went on to listen on {host}")

    monkeypatch.setattr(emulator, "make_server", serve_nothing)  # fail, never hang, if the guard breaks
    with pytest.raises(SystemExit) as exit_info:
        emulator.main(["--host", host])

    assert exit_info.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_endpoint_url_needs_a_running_emulator():
    with pytest.raises(RuntimeError, match="not running"):
        _ = process.EmulatorProcess().endpoint_url


def test_latest_code_without_one(cognito_emulator):
    with pytest.raises(LookupError):
        cognito_emulator.latest_code("nobody-ever", kind="sign_up")


def test_stop_is_a_clean_exit():
    # Its own emulator: the suite's shared one stops only at the end of the run.
    with process.EmulatorProcess() as running:
        assert running.health() == {"ok": True}
        assert running.returncode is None

    assert running.returncode == 0, running.output_tail
    assert "Fatal Python error" not in running.output_tail


def listening_child(*options: str) -> subprocess.Popen[str]:
    """``python -m cognito_auth.testing`` as a person runs it, once it listens. stdin stays
    open, as a terminal's does, until the test closes it."""
    child = subprocess.Popen(
        [sys.executable, "-m", "cognito_auth.testing", "--port", "0", *options],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(child.stdout, selectors.EVENT_READ)
            assert selector.select(WAIT), "the emulator printed nothing"
        assert child.stdout.readline().startswith(process.LISTENING_PREFIX)
    except BaseException:
        child.kill()
        ended(child)
        raise
    return child


def ended(child: subprocess.Popen[str]) -> str:
    """The child's remaining output once it has exited; killed if it does not in time."""
    # wait(), not communicate(): the test may have closed stdin, which communicate() flushes.
    # The little the emulator prints after its listening line fits in the pipe.
    try:
        child.wait(timeout=WAIT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if not child.stdin.closed:
            child.stdin.close()
    with child.stdout:
        return child.stdout.read()


@pytest.mark.parametrize(
    "options",
    [pytest.param([], id="by-hand"), pytest.param(["--exit-when-stdin-closes"], id="watching-stdin")],
)
def test_sigterm_is_a_clean_exit(options):
    child = listening_child(*options)
    child.send_signal(signal.SIGTERM)
    output = ended(child)

    assert child.returncode == 0, output
    assert "Fatal Python error" not in output


def test_the_end_of_stdin_stops_it():
    # What a parent's death, even by SIGKILL, looks like from the emulator.
    child = listening_child("--exit-when-stdin-closes")
    child.stdin.close()
    output = ended(child)

    assert child.returncode == 0, output
    assert "Fatal Python error" not in output
