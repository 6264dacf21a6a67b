"""The emulator's entry points: the command line and the process wrapper."""

from __future__ import annotations

import pytest

from cognito_auth.testing import emulator, process


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
