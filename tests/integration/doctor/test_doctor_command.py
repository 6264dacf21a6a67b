"""``manage.py cognito_check``: one line per check, the fix for each problem, JSON for
pipelines, and a non-zero exit when anything is wrong."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cognito_auth.doctor import AWS_CHECKS
from cognito_auth.management.commands.cognito_check import Command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cognito_check", *args, stdout=out)
    return out.getvalue()


def test_a_healthy_client_prints_one_line_per_check_and_succeeds(stored_client, cognito_pool):
    stored_client(name="shop")
    output = run()
    assert "App client 'shop'" in output and cognito_pool.client_id in output
    lines = [line.split() for line in output.splitlines() if line.startswith("  ")]
    assert [line[1] for line in lines][:6] == [
        "endpoint", "client", "secret", "previous_secret", "password_flow", "refresh_flow",
    ]
    assert {line[0] for line in lines} == {"ok", "skipped"}
    assert cognito_pool.client_secret not in output


def test_a_problem_prints_its_fix_and_fails(stored_client):
    stored_client(name="shop", client_secret="wrong-secret-0123456789abcdef")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) found"):
        call_command("cognito_check", stdout=out)
    output = out.getvalue()
    assert "problem" in output and "not this app client's secret" in output
    assert "fix: Copy the secret again" in output
    assert "wrong-secret-0123456789abcdef" not in output


def test_the_exit_status_is_non_zero_when_a_check_finds_a_problem(stored_client, capsys):
    stored_client(name="shop", client_secret="")
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "cognito_check"])
    assert exit_info.value.code == 1
    assert "problem(s) found" in capsys.readouterr().err


def test_json_output_carries_every_check_for_a_pipeline(stored_client, cognito_pool):
    stored_client(name="good")
    stored_client(name="bad", client_secret="wrong-secret-0123456789abcdef", is_default=True)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("cognito_check", "--json", stdout=out)
    parsed = json.loads(out.getvalue())
    assert parsed["ok"] is False
    clients = {client["app_client"]: client for client in parsed["clients"]}
    assert clients["good"]["ok"] is True and clients["bad"]["ok"] is False
    checks = {result["check"]: result for result in clients["bad"]["results"]}
    assert set(AWS_CHECKS) <= set(checks)
    assert checks["secret"]["status"] == "problem" and checks["secret"]["fix"]
    assert cognito_pool.client_secret not in out.getvalue()


def test_client_and_username_options(stored_client, cognito_pool):
    stored_client(name="one")
    stored_client(name="two", client_secret="wrong-secret-0123456789abcdef")
    output = run("--client", "one", "--username", "alice")
    assert "App client 'one'" in output and "'two'" not in output
    assert "username_sign_in_hash" in output and "'alice'" in output


def test_an_unknown_client_name_lists_the_stored_ones(stored_client):
    stored_client(name="one")
    with pytest.raises(CommandError, match=r"No app client named 'nope' \(stored: one\)"):
        run("--client", "nope")


def test_no_stored_clients_is_an_error(db):
    with pytest.raises(CommandError, match="No app clients are stored"):
        run()
