"""What is sent again: only a call that failed before anything reached Cognito.

Real sockets, no mocks: a port that refuses connections, and one that accepts and never
answers. botocore's ``before-send`` event counts the attempts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from cognito_auth.client import CognitoClient, boto3_client
from cognito_auth.exceptions import OutcomeUnknown, ServiceUnavailable


class StandIn:
    """An app client as scripts pass one."""

    name, region, user_pool_id, client_id = "stand-in", "us-east-1", "us-east-1_X", "abc"
    client_secret = "s3cret-of-the-stand-in-client"

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url


@pytest.fixture(autouse=True)
def quick(settings):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 0.3
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.3
    settings.COGNITO_AUTH_MAX_ATTEMPTS = 3
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1"]


@contextmanager
def counted_sends(endpoint_url: str) -> Iterator[list[str]]:
    sent: list[str] = []
    events = boto3_client("us-east-1", endpoint_url).meta.events

    def count(request, **kwargs):
        sent.append(request.headers["X-Amz-Target"].decode().rsplit(".", 1)[-1])

    events.register("before-send", count, unique_id="count-sends")
    try:
        yield sent
    finally:
        events.unregister("before-send", unique_id="count-sends")


def test_a_refused_connection_is_tried_again_up_to_max_attempts(closed_endpoint):
    with counted_sends(closed_endpoint) as sent, pytest.raises(ServiceUnavailable) as info:
        CognitoClient(StandIn(closed_endpoint)).confirm_forgot_password("alice", "123456", "New-pass-word-1")
    assert sent == ["ConfirmForgotPassword"] * 3
    assert not isinstance(info.value, OutcomeUnknown)  # nothing reached Cognito: it changed nothing


@pytest.mark.parametrize(
    ("operation", "arguments", "target"),
    [
        ("initiate_password_auth", ("alice", "pass-word-1"), "InitiateAuth"),
        ("forgot_password", ("alice",), "ForgotPassword"),
        ("confirm_forgot_password", ("alice", "123456", "New-pass-word-1"), "ConfirmForgotPassword"),
        ("sign_up", ("alice", "pass-word-1", {"email": "a@example.com"}), "SignUp"),
        ("confirm_sign_up", ("alice", "123456"), "ConfirmSignUp"),
        ("resend_confirmation_code", ("alice",), "ResendConfirmationCode"),
        ("change_password", ("access-token", "old-pass-1", "new-pass-1"), "ChangePassword"),
        ("revoke_refresh_token", ("refresh-token",), "RevokeToken"),
    ],
)
def test_a_state_changing_call_without_an_answer_is_never_sent_again(hanging_endpoint, operation, arguments, target):
    with counted_sends(hanging_endpoint) as sent, pytest.raises(OutcomeUnknown) as info:
        getattr(CognitoClient(StandIn(hanging_endpoint)), operation)(*arguments)
    assert sent == [target]
    assert info.value.operation in (operation, {"initiate_password_auth": "initiate_auth",
                                                "revoke_refresh_token": "revoke_token"}.get(operation))


def test_a_renewal_without_an_answer_is_unavailable_not_unknown(hanging_endpoint):
    with counted_sends(hanging_endpoint) as sent, pytest.raises(ServiceUnavailable) as info:
        CognitoClient(StandIn(hanging_endpoint)).refresh("refresh-token", "alice")
    assert sent == ["InitiateAuth"]  # within the time bound: a read is never repeated
    assert not isinstance(info.value, OutcomeUnknown)
