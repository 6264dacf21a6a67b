"""A refresh's SECRET_HASH is over the user's internal username, not what they typed."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-horse-7"
EMAIL = "erin@example.com"


@pytest.fixture
def email_pool(cognito_emulator, openssl_hash):
    """A pool whose users sign in with their email; its client, and the user's internal name."""
    pool_id = cognito_emulator.create_user_pool("by-email", UsernameAttributes=["email"])
    client_id, secret = cognito_emulator.create_app_client(pool_id, "site", secret=True)
    internal = cognito_emulator.create_user(pool_id, EMAIL, PASSWORD)
    yield client_id, (lambda username: openssl_hash(secret, client_id, username)), internal
    cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=pool_id)


def refresh(public_client, client_id, refresh_token, secret_hash, flow="REFRESH_TOKEN_AUTH"):
    return public_client.initiate_auth(
        ClientId=client_id,
        AuthFlow=flow,
        AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": secret_hash},
    )


def sign_in_by_email(public_client, client_id, hash_of):
    result = public_client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": hash_of(EMAIL)},
    )
    return result["AuthenticationResult"]["RefreshToken"]


def test_refresh_hash_over_the_email_is_refused(email_pool, public_client, expect_error):
    client_id, hash_of, internal = email_pool
    assert internal != EMAIL  # moto names the user by its sub, as Cognito does
    refresh_token = sign_in_by_email(public_client, client_id, hash_of)

    expect_error(
        lambda: refresh(public_client, client_id, refresh_token, hash_of(EMAIL)),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_hash_over_the_internal_username_is_accepted(email_pool, public_client, flow):
    client_id, hash_of, internal = email_pool
    refresh_token = sign_in_by_email(public_client, client_id, hash_of)

    result = refresh(public_client, client_id, refresh_token, hash_of(internal), flow)

    assert result["AuthenticationResult"]["IdToken"]


def test_refresh_ignores_the_username_parameter(email_pool, public_client):
    client_id, hash_of, internal = email_pool
    refresh_token = sign_in_by_email(public_client, client_id, hash_of)

    result = public_client.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token, "USERNAME": EMAIL, "SECRET_HASH": hash_of(internal)},
    )

    assert result["AuthenticationResult"]["AccessToken"]


def test_refresh_without_hash_is_refused(email_pool, public_client, expect_error):
    client_id, hash_of, _ = email_pool
    refresh_token = sign_in_by_email(public_client, client_id, hash_of)

    expect_error(
        lambda: public_client.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        ),
        "NotAuthorizedException",
        f"Client {client_id} is configured with secret but SECRET_HASH was not received",
    )


def test_unknown_refresh_token_is_refused(cognito_pool, public_client, pool_hash, expect_error):
    cognito_pool.create_user("alice", PASSWORD)

    error = expect_error(
        lambda: refresh(public_client, cognito_pool.client_id, "not-a-token", pool_hash("alice")),
        "NotAuthorizedException",
        "Invalid Refresh Token",
    )
    assert "not-a-token" not in error["Message"]


def test_refresh_with_a_plain_username(cognito_pool, sign_in, public_client, pool_hash):
    cognito_pool.create_user("alice", PASSWORD)
    refresh_token = sign_in("alice", PASSWORD)["AuthenticationResult"]["RefreshToken"]

    result = refresh(public_client, cognito_pool.client_id, refresh_token, pool_hash("alice"))

    assert result["AuthenticationResult"]["AccessToken"]
