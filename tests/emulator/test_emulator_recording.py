"""Calls are recorded without secrets; the control endpoints answer plain JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

PASSWORD = "Correct-horse-7"
NEW_PASSWORD = "Battery-staple-9"


def fetch(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_calls_are_recorded_without_secrets(cognito_emulator, cognito_pool, public_client, pool_hash, sign_in):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    tokens = sign_in("alice", PASSWORD)["AuthenticationResult"]
    public_client.initiate_auth(
        ClientId=cognito_pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": pool_hash("alice")},
    )
    public_client.forgot_password(
        ClientId=cognito_pool.client_id, Username="alice", SecretHash=pool_hash("alice"),
        UserContextData={"IpAddress": "198.51.100.7"},
    )
    code = cognito_emulator.latest_code("alice")
    public_client.confirm_forgot_password(
        ClientId=cognito_pool.client_id,
        Username="alice",
        SecretHash=pool_hash("alice"),
        ConfirmationCode=code,
        Password=NEW_PASSWORD,
    )
    with pytest.raises(public_client.exceptions.NotAuthorizedException):
        public_client.initiate_auth(
            ClientId=cognito_pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )

    status, raw = fetch(f"{cognito_emulator.endpoint_url}/_emulator/calls")

    assert status == 200
    secrets = [PASSWORD, NEW_PASSWORD, pool_hash("alice"), cognito_pool.client_secret, code, *tokens.values()]
    for secret in secrets:
        if isinstance(secret, str):
            assert secret not in raw
    recorded = [call for call in json.loads(raw) if call["client_id"] == cognito_pool.client_id]
    assert recorded == [
        {
            "action": "InitiateAuth",
            "client_id": cognito_pool.client_id,
            "username": "alice",
            "secret_hash": "present",
            "auth_flow": "USER_PASSWORD_AUTH",
            "parameter_names": ["PASSWORD", "SECRET_HASH", "USERNAME"],
            "ip_address": None,
            "encoded_data": "absent",
            "outcome": "ok",
        },
        {
            "action": "InitiateAuth",
            "client_id": cognito_pool.client_id,
            "username": None,
            "secret_hash": "present",
            "auth_flow": "REFRESH_TOKEN_AUTH",
            "parameter_names": ["REFRESH_TOKEN", "SECRET_HASH"],
            "ip_address": None,
            "encoded_data": "absent",
            "outcome": "ok",
        },
        {
            "action": "ForgotPassword",
            "client_id": cognito_pool.client_id,
            "username": "alice",
            "secret_hash": "present",
            "auth_flow": None,
            "parameter_names": [],
            "ip_address": "198.51.100.7",  # UserContextData's address
            "encoded_data": "absent",
            "outcome": "ok",
        },
        {
            "action": "ConfirmForgotPassword",
            "client_id": cognito_pool.client_id,
            "username": "alice",
            "secret_hash": "present",
            "auth_flow": None,
            "parameter_names": [],
            "ip_address": None,
            "encoded_data": "absent",
            "outcome": "ok",
        },
        {
            "action": "InitiateAuth",
            "client_id": cognito_pool.client_id,
            "username": "alice",
            "secret_hash": "absent",
            "auth_flow": "USER_PASSWORD_AUTH",
            "parameter_names": ["PASSWORD", "USERNAME"],
            "ip_address": None,
            "encoded_data": "absent",
            "outcome": "NotAuthorizedException",
        },
    ]
    assert cognito_pool.calls() == recorded


def test_admin_calls_are_recorded_too(cognito_emulator, cognito_pool):
    cognito_pool.create_user("bob", PASSWORD)

    actions = [call["action"] for call in cognito_emulator.calls() if call["username"] == "bob"]

    assert actions[-2:] == ["AdminCreateUser", "AdminSetUserPassword"]


def test_reset_log_keeps_users(cognito_emulator, cognito_pool, public_client, pool_hash, sign_in):
    cognito_pool.create_user("carol", PASSWORD, {"email": "carol@example.com"})
    public_client.forgot_password(ClientId=cognito_pool.client_id, Username="carol", SecretHash=pool_hash("carol"))
    assert cognito_emulator.calls() and cognito_emulator.outbox()

    status, body = fetch(f"{cognito_emulator.endpoint_url}/_emulator/reset-log", method="POST")

    assert (status, json.loads(body)) == (200, {"ok": True})
    assert cognito_emulator.calls() == []
    assert cognito_emulator.outbox() == []
    assert sign_in("carol", PASSWORD)["AuthenticationResult"]
    assert [call["action"] for call in cognito_emulator.calls()] == ["InitiateAuth"]


def test_health(cognito_emulator):
    assert fetch(f"{cognito_emulator.endpoint_url}/_emulator/health") == (200, '{"ok": true}')


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "nothing-here", 404), ("GET", "reset-log", 405), ("POST", "calls", 405)],
)
def test_control_endpoint_errors(cognito_emulator, method, path, status):
    assert fetch(f"{cognito_emulator.endpoint_url}/_emulator/{path}", method)[0] == status


def test_other_paths_still_reach_moto(cognito_emulator, cognito_pool):
    # The JWKS a token verifier fetches is moto's, served through the middleware.
    status, body = fetch(f"{cognito_emulator.endpoint_url}/{cognito_pool.pool_id}/.well-known/jwks.json")

    assert status == 200
    assert json.loads(body)["keys"][0]["kid"] == "dummy"
