"""SECRET_HASH is checked on every call that carries one, against openssl's computation."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from cognito_auth.testing.emulator import make_app

PASSWORD = "Correct-horse-7"
NON_ASCII_USERNAME = "zoë-用户"


def password_auth(client_id: str, username: str, **extra: str) -> dict:
    return {
        "ClientId": client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD, **extra},
    }


@pytest.mark.parametrize("username", ["alice", NON_ASCII_USERNAME])
def test_correct_hash_signs_in(cognito_pool, public_client, pool_hash, username):
    cognito_pool.create_user(username, PASSWORD)

    result = public_client.initiate_auth(
        **password_auth(cognito_pool.client_id, username, SECRET_HASH=pool_hash(username))
    )

    assert result["AuthenticationResult"]["AccessToken"]


def test_missing_hash_is_refused(cognito_pool, public_client, expect_error):
    cognito_pool.create_user("alice", PASSWORD)

    expect_error(
        lambda: public_client.initiate_auth(**password_auth(cognito_pool.client_id, "alice")),
        "NotAuthorizedException",
        f"Client {cognito_pool.client_id} is configured with secret but SECRET_HASH was not received",
    )


@pytest.mark.parametrize("hashed_username", ["bob", "Alice", NON_ASCII_USERNAME])
def test_hash_over_another_username_is_refused(cognito_pool, public_client, pool_hash, expect_error, hashed_username):
    cognito_pool.create_user("alice", PASSWORD)
    wrong = pool_hash(hashed_username)

    expect_error(
        lambda: public_client.initiate_auth(**password_auth(cognito_pool.client_id, "alice", SECRET_HASH=wrong)),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {cognito_pool.client_id}",
    )


def test_hash_with_another_secret_is_refused(cognito_pool, public_client, openssl_hash, expect_error):
    cognito_pool.create_user(NON_ASCII_USERNAME, PASSWORD)
    wrong = openssl_hash(cognito_pool.client_secret[::-1], cognito_pool.client_id, NON_ASCII_USERNAME)

    expect_error(
        lambda: public_client.initiate_auth(
            **password_auth(cognito_pool.client_id, NON_ASCII_USERNAME, SECRET_HASH=wrong)
        ),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {cognito_pool.client_id}",
    )


def test_hash_is_checked_before_the_user_is_looked_up(cognito_emulator, cognito_pool, public_client, expect_error):
    # A LEGACY client would say UserNotFoundException for an unknown user: the hash comes first.
    client_id, _ = cognito_emulator.create_app_client(
        cognito_pool.pool_id, "legacy", secret=True, prevent_user_existence_errors=None
    )

    expect_error(
        lambda: public_client.initiate_auth(**password_auth(client_id, "nobody", SECRET_HASH="AAAA")),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )


def test_secretless_client_refuses_a_hash(cognito_emulator, cognito_pool, public_client, openssl_hash, expect_error):
    client_id, secret = cognito_emulator.create_app_client(cognito_pool.pool_id, "public", secret=False)
    cognito_pool.create_user("alice", PASSWORD)
    assert secret == ""

    expect_error(
        lambda: public_client.initiate_auth(
            **password_auth(client_id, "alice", SECRET_HASH=openssl_hash("anything", client_id, "alice"))
        ),
        "InvalidParameterException",
        f"Client {client_id} is not configured for secret but secret hash was received",
    )
    assert public_client.initiate_auth(**password_auth(client_id, "alice"))["AuthenticationResult"]


def test_unknown_client(public_client, cognito_emulator, expect_error):
    expect_error(
        lambda: public_client.initiate_auth(**password_auth("doesnotexist", "alice", SECRET_HASH="AAAA")),
        "ResourceNotFoundException",
        "User pool client doesnotexist does not exist.",
    )


SECRET_HASH_PARAMETER_CALLS = {
    "forgot_password": {},
    "confirm_forgot_password": {"ConfirmationCode": "123456", "Password": "Another-pass-8"},
    "sign_up": {"Password": PASSWORD},
    "confirm_sign_up": {"ConfirmationCode": "123456"},
    "resend_confirmation_code": {},
}


@pytest.mark.parametrize("operation", sorted(SECRET_HASH_PARAMETER_CALLS))
def test_secret_hash_parameter_is_required(cognito_pool, public_client, expect_error, operation):
    call = getattr(public_client, operation)
    arguments = {
        "ClientId": cognito_pool.client_id,
        "Username": "carol",
        **SECRET_HASH_PARAMETER_CALLS[operation],
    }

    expect_error(
        lambda: call(**arguments),
        "NotAuthorizedException",
        f"Client {cognito_pool.client_id} is configured for secret but secret was not received",
    )


@pytest.mark.parametrize("operation", sorted(SECRET_HASH_PARAMETER_CALLS))
def test_secret_hash_parameter_is_verified(cognito_pool, public_client, pool_hash, expect_error, operation):
    call = getattr(public_client, operation)
    arguments = {
        "ClientId": cognito_pool.client_id,
        "Username": "carol",
        "SecretHash": pool_hash("carol-not"),
        **SECRET_HASH_PARAMETER_CALLS[operation],
    }

    expect_error(
        lambda: call(**arguments),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {cognito_pool.client_id}",
    )


def test_respond_to_auth_challenge_checks_the_hash(
    cognito_emulator, cognito_pool, public_client, pool_hash, expect_error
):
    # A user with only a temporary password gets the NEW_PASSWORD_REQUIRED challenge.
    cognito_emulator.boto3_admin_client().admin_create_user(
        UserPoolId=cognito_pool.pool_id, Username="dave", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
    )
    challenge = public_client.initiate_auth(
        **password_auth(cognito_pool.client_id, "dave", SECRET_HASH=pool_hash("dave"))
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = {
        "ClientId": cognito_pool.client_id,
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": challenge["Session"],
    }
    responses = {"USERNAME": "dave", "NEW_PASSWORD": "Brand-new-pass-3"}

    expect_error(
        lambda: public_client.respond_to_auth_challenge(**answer, ChallengeResponses=responses),
        "NotAuthorizedException",
        f"Client {cognito_pool.client_id} is configured with secret but SECRET_HASH was not received",
    )
    expect_error(
        lambda: public_client.respond_to_auth_challenge(
            **answer, ChallengeResponses={**responses, "SECRET_HASH": pool_hash("eve")}
        ),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {cognito_pool.client_id}",
    )
    result = public_client.respond_to_auth_challenge(
        **answer, ChallengeResponses={**responses, "SECRET_HASH": pool_hash("dave")}
    )
    assert result["AuthenticationResult"]["IdToken"]


def test_new_wording_for_a_wrong_hash(openssl_hash):
    # In-process, so the session keeps a single emulator process.
    app = Client(make_app(secret_hash_wording="new"))

    def cognito(action: str, body: dict) -> tuple[int, dict]:
        response = app.post(
            "/",
            data=json.dumps(body),
            headers={
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
                "Content-Type": "application/x-amz-json-1.1",
            },
        )
        return response.status_code, json.loads(response.get_data())

    _, pool = cognito("CreateUserPool", {"PoolName": "wording"})
    _, created = cognito(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool["UserPool"]["Id"],
            "ClientName": "c",
            "GenerateSecret": True,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
        },
    )
    client_id, secret = created["UserPoolClient"]["ClientId"], created["UserPoolClient"]["ClientSecret"]

    wrong = openssl_hash(secret, client_id, "someone-else")
    status, body = cognito("InitiateAuth", password_auth(client_id, "alice", SECRET_HASH=wrong))

    assert status == 400
    assert body == {
        "__type": "NotAuthorizedException",
        "message": f"SecretHash does not match for the client: {client_id}",
    }


def test_unknown_wording_is_refused():
    with pytest.raises(ValueError, match="secret_hash_wording"):
        make_app(secret_hash_wording="newest")
