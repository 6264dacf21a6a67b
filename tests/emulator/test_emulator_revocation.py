"""RevokeToken ends the access tokens of that refresh token; a disabled user cannot change
the password; moto's own /moto-api/ (which dumps every secret) is closed by default."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from cognito_auth.testing.process import EmulatorProcess

PASSWORD = "Correct-horse-7"
NEW_PASSWORD = "Battery-staple-8"
REVOKED = "Access Token has been revoked"


@pytest.fixture
def signed_in(cognito_pool, sign_in):
    cognito_pool.create_user("alice", PASSWORD)
    return lambda: sign_in("alice", PASSWORD)["AuthenticationResult"]


def revoke(public_client, pool, refresh_token):
    public_client.revoke_token(Token=refresh_token, ClientId=pool.client_id, ClientSecret=pool.client_secret)


def test_revoke_token_revokes_its_access_tokens(cognito_pool, signed_in, public_client, expect_error):
    tokens = signed_in()

    revoke(public_client, cognito_pool, tokens["RefreshToken"])

    access_token = tokens["AccessToken"]
    expect_error(lambda: public_client.get_user(AccessToken=access_token), "NotAuthorizedException", REVOKED)
    expect_error(
        lambda: public_client.change_password(
            AccessToken=access_token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
        ),
        "NotAuthorizedException",
        REVOKED,
    )


def test_revoke_token_revokes_the_access_tokens_of_its_refreshes(
    cognito_pool, signed_in, public_client, pool_hash, expect_error
):
    tokens = signed_in()
    refreshed = public_client.initiate_auth(
        ClientId=cognito_pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": pool_hash("alice")},
    )["AuthenticationResult"]

    revoke(public_client, cognito_pool, tokens["RefreshToken"])

    expect_error(
        lambda: public_client.get_user(AccessToken=refreshed["AccessToken"]), "NotAuthorizedException", REVOKED
    )


def test_revoke_token_leaves_other_sign_ins_alone(cognito_pool, signed_in, public_client):
    revoked, other = signed_in(), signed_in()

    revoke(public_client, cognito_pool, revoked["RefreshToken"])

    assert public_client.get_user(AccessToken=other["AccessToken"])["Username"] == "alice"


def test_change_password_refuses_a_disabled_user(
    cognito_pool, cognito_emulator, signed_in, public_client, sign_in, expect_error
):
    access_token = signed_in()["AccessToken"]
    cognito_emulator.boto3_admin_client().admin_disable_user(UserPoolId=cognito_pool.pool_id, Username="alice")

    expect_error(
        lambda: public_client.change_password(
            AccessToken=access_token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
        ),
        "NotAuthorizedException",
        "User is disabled.",
    )
    cognito_emulator.boto3_admin_client().admin_enable_user(UserPoolId=cognito_pool.pool_id, Username="alice")
    assert sign_in("alice", PASSWORD)["AuthenticationResult"]  # the old password still holds


def _get(url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("path", ["/moto-api/", "/moto-api/data.json", "/moto-api/reset"])
def test_moto_api_is_closed_by_default(cognito_pool, cognito_emulator, path):
    cognito_pool.create_user("alice", PASSWORD)

    status, body = _get(f"{cognito_emulator.endpoint_url}{path}")

    assert status == 404
    assert PASSWORD.encode() not in body
    assert cognito_pool.client_secret.encode() not in body


def test_moto_api_is_served_when_asked_for_on_the_command_line():
    with EmulatorProcess(serve_moto_api=True) as emulator:
        status, _ = _get(f"{emulator.endpoint_url}/moto-api/data.json")

    assert status == 200


def test_the_moto_api_flag_is_documented():
    result = subprocess.run(
        [sys.executable, "-m", "cognito_auth.testing", "--help"], capture_output=True, text=True, check=True
    )

    assert "--serve-moto-api" in result.stdout
