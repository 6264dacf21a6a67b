"""Two secrets per app client, as Cognito allows for rotation: AddUserPoolClientSecret,
ListUserPoolClientSecrets, DeleteUserPoolClientSecret, and every hash-checking call
accepting a hash made with either secret."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

PASSWORD = "Correct-horse-7"
CHOSEN = "chosensecret0123456789abcdef"
WRONG_HASH = "Unable to verify secret hash for client {}"


@pytest.fixture
def rotate(cognito_pool):
    """Helpers bound to cognito_pool's app client."""
    emulator, pool_id, client_id = cognito_pool.emulator, cognito_pool.pool_id, cognito_pool.client_id

    class Rotate:
        @staticmethod
        def add(secret: str | None = None) -> tuple[str, str]:
            return emulator.add_client_secret(pool_id, client_id, secret)

        @staticmethod
        def ids() -> list[str]:
            return emulator.client_secret_ids(pool_id, client_id)

        @staticmethod
        def delete(secret_id: str) -> None:
            emulator.delete_client_secret(pool_id, client_id, secret_id)

    return Rotate


@pytest.fixture
def sign_in_with(cognito_pool, public_client, openssl_hash):
    """sign_in_with(secret, username="alice"): USER_PASSWORD_AUTH hashed with that secret."""
    cognito_pool.create_user("alice", PASSWORD)

    def sign_in(secret: str, username: str = "alice"):
        return public_client.initiate_auth(
            ClientId=cognito_pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD,
                            "SECRET_HASH": openssl_hash(secret, cognito_pool.client_id, username)},
        )

    return sign_in


def test_both_secrets_sign_in_until_the_old_one_is_deleted(cognito_pool, rotate, sign_in_with, expect_error):
    old_id = rotate.ids()[0]
    new_id, value = rotate.add(CHOSEN)
    assert value == CHOSEN and new_id.startswith(f"{cognito_pool.client_id}--") and rotate.ids() == [old_id, new_id]
    assert sign_in_with(cognito_pool.client_secret)["AuthenticationResult"]
    assert sign_in_with(CHOSEN)["AuthenticationResult"]

    rotate.delete(old_id)
    assert rotate.ids() == [new_id]
    assert sign_in_with(CHOSEN)["AuthenticationResult"]
    expect_error(lambda: sign_in_with(cognito_pool.client_secret), "NotAuthorizedException",
                 WRONG_HASH.format(cognito_pool.client_id))


def test_a_refresh_with_the_new_secret_works_after_the_old_one_is_gone(cognito_pool, rotate, sign_in_with,
                                                                       public_client, openssl_hash):
    old_id = rotate.ids()[0]
    rotate.add(CHOSEN)
    rotate.delete(old_id)
    refresh_token = sign_in_with(CHOSEN)["AuthenticationResult"]["RefreshToken"]
    renewed = public_client.initiate_auth(
        ClientId=cognito_pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token,
                        "SECRET_HASH": openssl_hash(CHOSEN, cognito_pool.client_id, "alice")},
    )
    assert renewed["AuthenticationResult"]["AccessToken"]


def test_a_generated_secret_is_returned_once_and_never_listed(cognito_pool):
    admin = cognito_pool.emulator.boto3_admin_client()
    added = admin.add_user_pool_client_secret(UserPoolId=cognito_pool.pool_id, ClientId=cognito_pool.client_id)
    value = added["ClientSecretDescriptor"]["ClientSecretValue"]
    assert len(value) == 51 and value.isalnum()
    listed = admin.list_user_pool_client_secrets(UserPoolId=cognito_pool.pool_id, ClientId=cognito_pool.client_id)
    assert len(listed["ClientSecrets"]) == 2
    assert all(set(secret) == {"ClientSecretId", "ClientSecretCreateDate"} for secret in listed["ClientSecrets"])


def test_a_chosen_secret_is_not_echoed_back(cognito_pool):
    added = cognito_pool.emulator.boto3_admin_client().add_user_pool_client_secret(
        UserPoolId=cognito_pool.pool_id, ClientId=cognito_pool.client_id, ClientSecret=CHOSEN,
    )
    assert "ClientSecretValue" not in added["ClientSecretDescriptor"]


def test_describe_shows_a_secret_the_client_still_holds(cognito_pool, rotate):
    admin = cognito_pool.emulator.boto3_admin_client()

    def described() -> str:
        return admin.describe_user_pool_client(
            UserPoolId=cognito_pool.pool_id, ClientId=cognito_pool.client_id,
        )["UserPoolClient"]["ClientSecret"]

    old_id = rotate.ids()[0]
    rotate.add(CHOSEN)
    assert described() == cognito_pool.client_secret
    rotate.delete(old_id)
    assert described() == CHOSEN


def test_limits_and_refusals(cognito_pool, cognito_emulator, rotate, expect_error):
    # botocore would retry LimitExceededException after a backoff: one attempt says it all.
    admin = boto3.client(
        "cognito-idp", region_name=cognito_emulator.region, endpoint_url=cognito_emulator.endpoint_url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    pool, client = cognito_pool.pool_id, cognito_pool.client_id
    refused = "has-dashes-which-cognito-refuses"  # long enough for botocore, not Cognito's [\w+]
    expect_error(lambda: admin.add_user_pool_client_secret(UserPoolId=pool, ClientId=client, ClientSecret=refused),
                 "InvalidParameterException")
    rotate.add(CHOSEN)
    expect_error(lambda: admin.add_user_pool_client_secret(UserPoolId=pool, ClientId=client),
                 "LimitExceededException")
    for secret_id in rotate.ids()[:-1]:
        rotate.delete(secret_id)
    expect_error(lambda: rotate.delete(rotate.ids()[0]), "InvalidParameterException",
                 "You cannot delete the last remaining secret for an app client.")
    expect_error(lambda: rotate.delete(f"{client}--1"), "ResourceNotFoundException")
    public_id, _ = cognito_emulator.create_app_client(pool, "public", secret=False)
    expect_error(lambda: admin.add_user_pool_client_secret(UserPoolId=pool, ClientId=public_id),
                 "InvalidParameterException")
    other_pool = cognito_emulator.create_user_pool("another-pool")
    try:
        expect_error(lambda: admin.list_user_pool_client_secrets(UserPoolId=other_pool, ClientId=client),
                     "ResourceNotFoundException")
    finally:
        admin.delete_user_pool(UserPoolId=other_pool)
