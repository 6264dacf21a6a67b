"""Forgot-password and sign-up codes: generated, shown in the outbox, and really checked."""

from __future__ import annotations

import re

import pytest

PASSWORD = "Correct-horse-7"
NEW_PASSWORD = "Battery-staple-9"
MOTO_CODE_HEADER = "x-moto-forgot-password-confirmation-code"


@pytest.fixture
def forgot(cognito_pool, public_client, pool_hash):
    """forgot(username): ForgotPassword for cognito_pool's client; the whole response."""
    return lambda username: public_client.forgot_password(
        ClientId=cognito_pool.client_id, Username=username, SecretHash=pool_hash(username)
    )


@pytest.fixture
def confirm_forgot(cognito_pool, public_client, pool_hash):
    """confirm_forgot(username, code, password=NEW_PASSWORD): ConfirmForgotPassword."""
    return lambda username, code, password=NEW_PASSWORD: public_client.confirm_forgot_password(
        ClientId=cognito_pool.client_id,
        Username=username,
        SecretHash=pool_hash(username),
        ConfirmationCode=code,
        Password=password,
    )


@pytest.fixture
def alice(cognito_pool):
    return cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_forgot_password_puts_a_code_in_the_outbox(cognito_pool, cognito_emulator, alice, forgot):
    response = forgot("alice")

    assert response["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert MOTO_CODE_HEADER not in response["ResponseMetadata"]["HTTPHeaders"]
    message = cognito_emulator.outbox()[-1]
    assert re.fullmatch(r"\d{6}", message["code"])
    assert message | {"code": "", "time": ""} == {
        "kind": "forgot_password",
        "pool_id": cognito_pool.pool_id,
        "client_id": cognito_pool.client_id,
        "username": alice,
        "destination": "a***@e***",
        "medium": "EMAIL",
        "code": "",
        "time": "",
    }
    line = f"[cognito emulator] ForgotPassword code for alice (EMAIL to a***@e***): {message['code']}"
    assert cognito_emulator.wait_for_output(line) == line


def test_right_code_changes_the_password(cognito_pool, alice, forgot, confirm_forgot, sign_in, expect_error):
    forgot("alice")

    confirm_forgot("alice", cognito_pool.latest_code(alice))

    assert sign_in("alice", NEW_PASSWORD)["AuthenticationResult"]["AccessToken"]
    expect_error(lambda: sign_in("alice", PASSWORD), "NotAuthorizedException", "Incorrect username or password.")


def test_wrong_code_is_refused(cognito_pool, alice, forgot, confirm_forgot, sign_in, expect_error):
    forgot("alice")
    code = cognito_pool.latest_code(alice)

    expect_error(
        lambda: confirm_forgot("alice", other_code(code)),
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    assert sign_in("alice", PASSWORD)["AuthenticationResult"]
    confirm_forgot("alice", code)  # a wrong guess does not use the code up


def test_moto_style_code_is_refused(cognito_pool, alice, forgot, confirm_forgot, expect_error):
    # Moto itself accepts any code without its prefix, and its own prefixed form.
    forgot("alice")
    code = cognito_pool.latest_code(alice)

    expect_error(lambda: confirm_forgot("alice", f"moto-confirmation-code:{code}"), "CodeMismatchException")


def test_code_without_a_request_is_expired(alice, confirm_forgot, expect_error):
    expect_error(
        lambda: confirm_forgot("alice", "123456"),
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_code_is_used_up(cognito_pool, alice, forgot, confirm_forgot, expect_error):
    forgot("alice")
    code = cognito_pool.latest_code(alice)
    confirm_forgot("alice", code)

    expect_error(lambda: confirm_forgot("alice", code, "Third-password-5"), "ExpiredCodeException")


def test_new_request_replaces_the_code(cognito_pool, alice, forgot, confirm_forgot, expect_error):
    forgot("alice")
    first = cognito_pool.latest_code(alice)
    forgot("alice")
    second = cognito_pool.latest_code(alice)
    if first == second:
        pytest.skip("both random codes happened to be equal")

    expect_error(lambda: confirm_forgot("alice", first), "CodeMismatchException")
    confirm_forgot("alice", second)


def test_new_password_must_meet_the_policy(cognito_pool, alice, forgot, confirm_forgot, expect_error):
    forgot("alice")
    code = cognito_pool.latest_code(alice)

    expect_error(
        lambda: confirm_forgot("alice", code, "Short-1"),
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    confirm_forgot("alice", code)


def test_user_without_verified_contact_cannot_reset(cognito_pool, forgot, expect_error):
    cognito_pool.create_user("bob", PASSWORD, {"email": "bob@example.com", "email_verified": "false"})

    expect_error(
        lambda: forgot("bob"),
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )


# Sign-up -----------------------------------------------------------------------------------


@pytest.fixture
def sign_up_calls(cognito_pool, public_client, pool_hash):
    """(sign_up, confirm, resend) for cognito_pool's client, each taking the username first."""

    def sign_up(username, password=PASSWORD, email="carol@example.com"):
        attributes = [{"Name": "email", "Value": email}] if email else []
        return public_client.sign_up(
            ClientId=cognito_pool.client_id,
            Username=username,
            Password=password,
            SecretHash=pool_hash(username),
            UserAttributes=attributes,
        )

    def confirm(username, code):
        return public_client.confirm_sign_up(
            ClientId=cognito_pool.client_id,
            Username=username,
            SecretHash=pool_hash(username),
            ConfirmationCode=code,
        )

    def resend(username):
        return public_client.resend_confirmation_code(
            ClientId=cognito_pool.client_id, Username=username, SecretHash=pool_hash(username)
        )

    return sign_up, confirm, resend


def test_sign_up_code_flow(cognito_pool, sign_up_calls, sign_in, expect_error):
    sign_up, confirm, resend = sign_up_calls

    signed_up = sign_up("carol")
    assert signed_up["UserConfirmed"] is False
    assert signed_up["CodeDeliveryDetails"]["Destination"] == "c***@e***"
    first = cognito_pool.latest_code("carol", "sign_up")
    expect_error(lambda: sign_in("carol", PASSWORD), "UserNotConfirmedException")
    expect_error(
        lambda: confirm("carol", other_code(first)),
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )

    assert resend("carol")["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = cognito_pool.latest_code("carol", "sign_up")
    if second != first:
        expect_error(lambda: confirm("carol", first), "CodeMismatchException")
    confirm("carol", second)

    assert sign_in("carol", PASSWORD)["AuthenticationResult"]["AccessToken"]
    expect_error(
        lambda: confirm("carol", second),
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )
    expect_error(lambda: resend("carol"), "InvalidParameterException", "User is already confirmed.")


def test_confirmed_sign_up_verifies_the_email(cognito_pool, cognito_emulator, sign_up_calls):
    sign_up, confirm, _ = sign_up_calls
    sign_up("carol")
    confirm("carol", cognito_pool.latest_code("carol", "sign_up"))

    user = cognito_emulator.boto3_admin_client().admin_get_user(UserPoolId=cognito_pool.pool_id, Username="carol")

    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_sign_up_without_a_contact_sends_no_code(cognito_emulator, sign_up_calls, expect_error):
    sign_up, confirm, resend = sign_up_calls
    outbox_before = cognito_emulator.outbox()

    assert "CodeDeliveryDetails" not in sign_up("dan", email=None)

    assert cognito_emulator.outbox() == outbox_before
    expect_error(
        lambda: confirm("dan", "123456"),
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
    expect_error(lambda: resend("dan"), "InvalidParameterException")


def test_sign_up_password_policy_error_is_readable(sign_up_calls, expect_error):
    sign_up, _, _ = sign_up_calls

    expect_error(
        lambda: sign_up("erin", password="nodigits-AT-all!"),
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have numeric characters",
    )


def test_existing_username_is_reported_without_echo(cognito_pool, sign_up_calls, expect_error):
    cognito_pool.create_user("frank", PASSWORD)
    sign_up, _, _ = sign_up_calls

    expect_error(lambda: sign_up("frank"), "UsernameExistsException", "User already exists")


def test_resend_for_unknown_user_is_hidden(cognito_emulator, sign_up_calls):
    _, _, resend = sign_up_calls
    outbox_before = cognito_emulator.outbox()

    assert resend("nobody")["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert cognito_emulator.outbox() == outbox_before


def test_an_invited_user_who_never_signed_in_cannot_reset(cognito_pool, cognito_emulator, forgot, expect_error):
    # AWS knowledge center: a FORCE_CHANGE_PASSWORD user "can't use the ForgotPassword API
    # call and doesn't receive the verification code"; Cognito's text is this one.
    cognito_emulator.boto3_admin_client().admin_create_user(
        UserPoolId=cognito_pool.pool_id, Username="invitee", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "invitee@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    expect_error(lambda: forgot("invitee"), "NotAuthorizedException",
                 "User password cannot be reset in the current state.")
    assert not [m for m in cognito_emulator.outbox() if m["username"] == "invitee"]
