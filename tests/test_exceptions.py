"""The error table: every Cognito text an operator can meet lands in the right class."""

import pytest

from cognito_auth.exceptions import (
    AlreadyConfirmed,
    CodeMismatch,
    CognitoError,
    FlowNotEnabled,
    InvalidCredentials,
    NoVerifiedContact,
    PasswordResetRequired,
    RateLimited,
    SecretHashError,
    ServiceUnavailable,
    TokenRejected,
    UnknownClient,
    UserDisabled,
    UserNotConfirmed,
    UserNotFound,
    error_from_cognito,
)

CLIENT = "4example1client2id3"


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        (f"Unable to verify secret hash for client {CLIENT}", "mismatch"),
        (f"SecretHash does not match for the client: {CLIENT}", "mismatch"),
        (f"Client {CLIENT} is configured with secret but SECRET_HASH was not received", "missing"),
        (f"Client {CLIENT} is configured for secret but secret was not received", "missing"),
    ],
)
def test_secret_hash_texts_are_recognised(message, problem):
    error = error_from_cognito("NotAuthorizedException", message)
    assert type(error) is SecretHashError
    assert error.problem == problem
    assert error.code == "NotAuthorizedException"
    assert error.operator_hint == SecretHashError.HINTS[problem]


def test_hash_sent_to_a_secretless_client_is_recognised():
    error = error_from_cognito(
        "InvalidParameterException", f"Client {CLIENT} is not configured for secret but secret hash was received"
    )
    assert isinstance(error, SecretHashError)
    assert error.problem == "unexpected"


@pytest.mark.parametrize(
    ("message", "flag", "other"),
    [
        ("USER_PASSWORD_AUTH flow not enabled for this client", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"),
        ("USER_SRP_AUTH flow not enabled for this client", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"),
        ("USER_SRP_AUTH is not enabled for the client.", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"),
    ],
)
def test_flow_not_enabled_is_a_configuration_error_with_the_flag_to_turn_on(message, flag, other):
    error = error_from_cognito("InvalidParameterException", message)
    assert isinstance(error, FlowNotEnabled)
    assert f"Turn on {flag} " in error.operator_hint
    assert other not in error.operator_hint


def test_flow_not_enabled_without_a_known_flow_still_gives_a_hint():
    error = FlowNotEnabled("")
    assert error.flag == ""
    assert "authentication flows" in error.operator_hint


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("NotAuthorizedException", "Incorrect username or password.", InvalidCredentials),
        ("NotAuthorizedException", "User is disabled.", UserDisabled),
        ("UserNotFoundException", "User does not exist.", UserNotFound),
        ("UserNotConfirmedException", "User is not confirmed.", UserNotConfirmed),
        ("PasswordResetRequiredException", "Password reset required for the user", PasswordResetRequired),
        ("CodeMismatchException", "Invalid verification code provided, please try again.", CodeMismatch),
        ("LimitExceededException", "Attempt limit exceeded, please try after some time.", RateLimited),
        ("TooManyRequestsException", "Rate exceeded", RateLimited),
        ("ResourceNotFoundException", "User pool client x does not exist.", UnknownClient),
        ("InternalErrorException", "", ServiceUnavailable),
        (
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
            NoVerifiedContact,
        ),
    ],
)
def test_codes_map_to_classes(code, message, expected):
    error = error_from_cognito(code, message)
    assert type(error) is expected
    assert error.cognito_message == message


def test_disabled_and_unknown_users_are_still_invalid_credentials_for_sign_in():
    # The login form gives one message for all three; only the reset flow tells them apart.
    assert issubclass(UserDisabled, InvalidCredentials) and issubclass(UserNotFound, InvalidCredentials)


def test_unknown_code_keeps_code_and_text():
    error = error_from_cognito("SomethingNewException", "new text")
    assert type(error) is CognitoError
    assert str(error) == "SomethingNewException: new text"


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("NotAuthorizedException", "Access Token has expired", TokenRejected),
        ("NotAuthorizedException", "Access Token has been revoked", TokenRejected),
        ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED", AlreadyConfirmed),
        ("InvalidParameterException", "User is already confirmed.", AlreadyConfirmed),
    ],
)
def test_account_page_outcomes(code, message, expected):
    assert type(error_from_cognito(code, message)) is expected
