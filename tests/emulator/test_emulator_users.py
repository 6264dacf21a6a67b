"""Unknown, disabled and wrong-password users get Cognito's answers, per PreventUserExistenceErrors."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-horse-7"


@pytest.fixture
def legacy_client(cognito_emulator, cognito_pool, openssl_hash):
    """A client of cognito_pool without PreventUserExistenceErrors (so LEGACY), and its hasher."""
    client_id, secret = cognito_emulator.create_app_client(
        cognito_pool.pool_id, "legacy", secret=True, prevent_user_existence_errors=None
    )
    return client_id, lambda username: openssl_hash(secret, client_id, username)


def password_auth(public_client, client_id, username, secret_hash, password=PASSWORD):
    return public_client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, "SECRET_HASH": secret_hash},
    )


def test_unknown_user_is_hidden_when_prevention_is_enabled(cognito_pool, sign_in, expect_error):
    expect_error(lambda: sign_in("nobody", PASSWORD), "NotAuthorizedException", "Incorrect username or password.")


def test_unknown_user_is_reported_by_a_legacy_client(legacy_client, public_client, expect_error):
    client_id, hash_of = legacy_client

    expect_error(
        lambda: password_auth(public_client, client_id, "nobody", hash_of("nobody")),
        "UserNotFoundException",
        "User does not exist.",
    )


def test_wrong_password(cognito_pool, sign_in, expect_error):
    cognito_pool.create_user("alice", PASSWORD)

    error = expect_error(
        lambda: sign_in("alice", "Wrong-horse-7"), "NotAuthorizedException", "Incorrect username or password."
    )
    assert "Wrong-horse-7" not in str(error)


def test_disabled_user(cognito_pool, sign_in, expect_error):
    cognito_pool.create_user("alice", PASSWORD, enabled=False)

    expect_error(lambda: sign_in("alice", PASSWORD), "NotAuthorizedException", "User is disabled.")


def test_unconfirmed_user_is_answered_before_the_password_is_checked(cognito_pool, public_client, pool_hash,
                                                                   sign_in, expect_error):
    # Cognito's documented design (the SDK team: "this is the intended behavior"), so that
    # an app can send the person to confirm; moto checked the password first.
    public_client.sign_up(ClientId=cognito_pool.client_id, Username="fresh", Password=PASSWORD,
                          SecretHash=pool_hash("fresh"))
    for password in (PASSWORD, "Wrong-horse-7"):
        expect_error(lambda p=password: sign_in("fresh", p), "UserNotConfirmedException", "User is not confirmed.")


def test_forgot_password_for_unknown_user_is_hidden(cognito_pool, cognito_emulator, public_client, pool_hash):
    outbox_before = cognito_emulator.outbox()

    result = public_client.forgot_password(
        ClientId=cognito_pool.client_id, Username="nobody", SecretHash=pool_hash("nobody")
    )

    details = result["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    assert details["Destination"].count("***") == 2
    assert cognito_emulator.outbox() == outbox_before


def test_forgot_password_for_unknown_user_is_reported_by_a_legacy_client(legacy_client, public_client, expect_error):
    client_id, hash_of = legacy_client

    expect_error(
        lambda: public_client.forgot_password(ClientId=client_id, Username="nobody", SecretHash=hash_of("nobody")),
        "UserNotFoundException",
        "Username/client id combination not found.",
    )


def test_confirm_forgot_password_for_unknown_user_is_hidden(cognito_pool, public_client, pool_hash, expect_error):
    expect_error(
        lambda: public_client.confirm_forgot_password(
            ClientId=cognito_pool.client_id,
            Username="nobody",
            SecretHash=pool_hash("nobody"),
            ConfirmationCode="123456",
            Password="Another-pass-8",
        ),
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )


def test_moto_errors_do_not_echo_what_was_sent(cognito_pool, sign_in, public_client, expect_error):
    # Moto's own text here is the username (wrong old password) or the token itself.
    cognito_pool.create_user("alice", PASSWORD)
    access_token = sign_in("alice", PASSWORD)["AuthenticationResult"]["AccessToken"]

    expect_error(
        lambda: public_client.change_password(
            AccessToken=access_token, PreviousPassword="Wrong-horse-7", ProposedPassword="Another-pass-8"
        ),
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    expect_error(
        lambda: public_client.get_user(AccessToken=access_token[:-4] + "AAAA"),
        "NotAuthorizedException",
        "Invalid Access Token",
    )


def test_password_policy_errors_say_what_is_wrong(cognito_pool, sign_in, public_client, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    access_token = sign_in("alice", PASSWORD)["AuthenticationResult"]["AccessToken"]

    expect_error(
        lambda: public_client.change_password(
            AccessToken=access_token, PreviousPassword=PASSWORD, ProposedPassword="no-upper-case-1"
        ),
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
