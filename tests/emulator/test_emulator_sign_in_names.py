"""Sign-in names as Cognito resolves them: verified aliases (AliasAttributes), email or
phone as username (UsernameAttributes), and case-insensitive pools. The SECRET_HASH is
over the name as sent; tokens and challenges carry the internal username."""

from __future__ import annotations

import base64
import json

import pytest

PASSWORD = "Correct-horse-7"
NEW_PASSWORD = "Battery-staple-8"
EMAIL = "alice@example.com"
PHONE = "+15550100123"
ALL_ALIASES = ["email", "phone_number", "preferred_username"]


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def pool_client(public_client, openssl_hash):
    """pool_client(pool): calls of the pool's app client, each hashed over the name it sends."""

    class PoolClient:
        def __init__(self, pool):
            self.pool = pool

        def hash(self, name):
            return openssl_hash(self.pool.client_secret, self.pool.client_id, name)

        def sign_in(self, name, password=PASSWORD, hash_over=None):
            return public_client.initiate_auth(
                ClientId=self.pool.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "PASSWORD": password, "SECRET_HASH": self.hash(hash_over or name)},
            )

        def refresh(self, refresh_token, hash_over):
            return public_client.initiate_auth(
                ClientId=self.pool.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": self.hash(hash_over)},
            )

        def forgot_password(self, name):
            return public_client.forgot_password(
                ClientId=self.pool.client_id, Username=name, SecretHash=self.hash(name)
            )

        def confirm_forgot_password(self, name, code, password=NEW_PASSWORD):
            return public_client.confirm_forgot_password(
                ClientId=self.pool.client_id,
                Username=name,
                SecretHash=self.hash(name),
                ConfirmationCode=code,
                Password=password,
            )

        def sign_up(self, name, attributes):
            return public_client.sign_up(
                ClientId=self.pool.client_id,
                Username=name,
                SecretHash=self.hash(name),
                Password=PASSWORD,
                UserAttributes=[{"Name": key, "Value": value} for key, value in attributes.items()],
            )

        def confirm_sign_up(self, name, code, **options):
            return public_client.confirm_sign_up(
                ClientId=self.pool.client_id,
                Username=name,
                SecretHash=self.hash(name),
                ConfirmationCode=code,
                **options,
            )

    return PoolClient


@pytest.fixture
def alias_pool(cognito_pool_factory):
    return cognito_pool_factory(alias_attributes=ALL_ALIASES)


def tokens_name(result, internal):
    tokens = result["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == internal
    assert claims(tokens["AccessToken"])["username"] == internal


# AliasAttributes ------------------------------------------------------------------------


@pytest.mark.parametrize("alias", [EMAIL, PHONE, "ally"])
def test_a_verified_alias_signs_in_and_tokens_carry_the_username(alias_pool, pool_client, alias):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL, "phone_number": PHONE, "preferred_username": "ally"})

    result = pool_client(alias_pool).sign_in(alias)

    tokens_name(result, "alice")


@pytest.mark.parametrize(("attribute", "value"), [("email", EMAIL), ("phone_number", PHONE)])
def test_an_unverified_email_or_phone_is_no_alias(alias_pool, pool_client, expect_error, attribute, value):
    alias_pool.create_user("alice", PASSWORD, {attribute: value, f"{attribute}_verified": "false"})

    expect_error(
        lambda: pool_client(alias_pool).sign_in(value), "NotAuthorizedException", "Incorrect username or password."
    )


def test_alias_sign_in_hash_is_over_the_alias_as_sent(alias_pool, pool_client, expect_error):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL})

    expect_error(
        lambda: pool_client(alias_pool).sign_in(EMAIL, hash_over="alice"),
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {alias_pool.client_id}",
    )


def test_an_alias_is_not_a_name_in_a_pool_without_aliases(cognito_pool, pool_client, expect_error):
    cognito_pool.create_user("alice", PASSWORD, {"email": EMAIL})

    expect_error(
        lambda: pool_client(cognito_pool).sign_in(EMAIL), "NotAuthorizedException", "Incorrect username or password."
    )


def test_refresh_after_an_alias_sign_in_is_hashed_over_the_username(alias_pool, pool_client, expect_error):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL})
    client = pool_client(alias_pool)
    refresh_token = client.sign_in(EMAIL)["AuthenticationResult"]["RefreshToken"]

    tokens_name(client.refresh(refresh_token, "alice"), "alice")
    expect_error(lambda: client.refresh(refresh_token, EMAIL), "NotAuthorizedException")


def test_password_reset_by_alias(alias_pool, pool_client):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL})
    client = pool_client(alias_pool)

    client.forgot_password(EMAIL)
    client.confirm_forgot_password(EMAIL, alias_pool.latest_code("alice"))

    tokens_name(client.sign_in(EMAIL, NEW_PASSWORD), "alice")


def test_new_password_challenge_names_the_username(alias_pool, pool_client, cognito_emulator):
    cognito_emulator.boto3_admin_client().admin_create_user(
        UserPoolId=alias_pool.pool_id,
        Username="alice",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
    )

    result = pool_client(alias_pool).sign_in(EMAIL)

    assert result["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    # Cognito names the internal username as USER_ID_FOR_SRP here, not as USERNAME.
    assert result["ChallengeParameters"]["USER_ID_FOR_SRP"] == "alice"
    assert "USERNAME" not in result["ChallengeParameters"]


def test_admin_get_user_by_alias(alias_pool, cognito_emulator):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL})

    user = cognito_emulator.boto3_admin_client().admin_get_user(UserPoolId=alias_pool.pool_id, Username=EMAIL)

    assert user["Username"] == "alice"


def test_sign_up_refuses_a_username_shaped_like_an_alias(alias_pool, pool_client, expect_error):
    expect_error(
        lambda: pool_client(alias_pool).sign_up("bob@example.com", {}),
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    )


def test_confirming_an_email_another_user_holds_as_alias(alias_pool, pool_client, expect_error):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL})
    client = pool_client(alias_pool)
    client.sign_up("mallory", {"email": EMAIL})
    code = alias_pool.latest_code("mallory", "sign_up")

    expect_error(
        lambda: client.confirm_sign_up("mallory", code),
        "AliasExistsException",
        "An account with the email already exists.",
    )
    tokens_name(client.sign_in(EMAIL), "alice")


def test_force_alias_creation_moves_the_alias(alias_pool, pool_client):
    alias_pool.create_user("alice", PASSWORD, {"email": EMAIL})
    client = pool_client(alias_pool)
    client.sign_up("bob", {"email": EMAIL})

    client.confirm_sign_up("bob", alias_pool.latest_code("bob", "sign_up"), ForceAliasCreation=True)

    tokens_name(client.sign_in(EMAIL), "bob")
    tokens_name(client.sign_in("alice"), "alice")


# Case-insensitive pools -----------------------------------------------------------------


@pytest.fixture
def insensitive_pool(cognito_pool_factory):
    return cognito_pool_factory(alias_attributes=["email", "preferred_username"], case_sensitive=False)


@pytest.mark.parametrize("name", ["ALICE", "Alice", "ALICE@Example.COM", "ALLY"])
def test_any_letter_case_signs_in_to_a_case_insensitive_pool(insensitive_pool, pool_client, name):
    insensitive_pool.create_user("alice", PASSWORD, {"email": EMAIL, "preferred_username": "ally"})

    tokens_name(pool_client(insensitive_pool).sign_in(name), "alice")


def test_letter_case_matters_in_a_case_sensitive_pool(cognito_pool_factory, pool_client, expect_error):
    pool = cognito_pool_factory(case_sensitive=True)
    pool.create_user("alice", PASSWORD)

    expect_error(
        lambda: pool_client(pool).sign_in("ALICE"), "NotAuthorizedException", "Incorrect username or password."
    )


def test_password_reset_in_another_letter_case(insensitive_pool, pool_client):
    insensitive_pool.create_user("alice", PASSWORD, {"email": EMAIL})
    client = pool_client(insensitive_pool)

    client.forgot_password("ALICE")
    client.confirm_forgot_password("Alice", insensitive_pool.latest_code("alice"))

    tokens_name(client.sign_in("ALICE", NEW_PASSWORD), "alice")


def test_sign_up_and_confirm_in_another_letter_case(insensitive_pool, pool_client, public_client, expect_error):
    client = pool_client(insensitive_pool)
    client.sign_up("bob", {"email": "bob@example.com"})
    public_client.resend_confirmation_code(
        ClientId=insensitive_pool.client_id, Username="BOB", SecretHash=client.hash("BOB")
    )

    client.confirm_sign_up("Bob", insensitive_pool.latest_code("bob", "sign_up"))

    tokens_name(client.sign_in("BOB"), "bob")
    expect_error(lambda: client.sign_up("BOB", {}), "UsernameExistsException", "User already exists")


def test_admin_create_user_refuses_another_letter_case(insensitive_pool, expect_error):
    insensitive_pool.create_user("alice", PASSWORD)

    expect_error(lambda: insensitive_pool.create_user("ALICE", PASSWORD), "UsernameExistsException")


# UsernameAttributes ---------------------------------------------------------------------


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_email_as_username(cognito_pool_factory, pool_client, case_sensitive):
    pool = cognito_pool_factory(username_attributes=["email"], case_sensitive=case_sensitive)
    internal = pool.create_user(EMAIL, PASSWORD)
    name = EMAIL if case_sensitive else EMAIL.upper()

    result = pool_client(pool).sign_in(name)

    assert internal != EMAIL
    tokens_name(result, internal)
    assert claims(result["AuthenticationResult"]["IdToken"])["email"] == EMAIL


def test_phone_as_username_tokens_carry_the_sub(cognito_pool_factory, pool_client):
    pool = cognito_pool_factory(username_attributes=["email", "phone_number"])
    internal = pool.create_user(PHONE, PASSWORD)

    result = pool_client(pool).sign_in(PHONE)

    tokens_name(result, internal)
    assert "email" not in claims(result["AuthenticationResult"]["IdToken"])


def test_an_unverified_email_as_username_still_signs_in(cognito_pool_factory, pool_client):
    pool = cognito_pool_factory(username_attributes=["email"])
    internal = pool.create_user(EMAIL, PASSWORD, {"email_verified": "false"})

    tokens_name(pool_client(pool).sign_in(EMAIL), internal)


def test_sign_up_with_an_email_taken_in_another_case(cognito_pool_factory, pool_client, expect_error):
    pool = cognito_pool_factory(username_attributes=["email"], case_sensitive=False)
    pool.create_user(EMAIL, PASSWORD)

    expect_error(
        lambda: pool_client(pool).sign_up(EMAIL.upper(), {}),
        "UsernameExistsException",
        "An account with the given email already exists.",
    )
