"""The Cognito client: boto3 reuse, bounded time, unsigned calls, redaction."""

import pytest
from botocore import UNSIGNED

from cognito_auth.client import CONNECT_RETRY_DELAY, CognitoClient, _redact, boto3_client
from cognito_auth.conf import DEFAULTS, app_settings
from cognito_auth.exceptions import InvalidRequest


def test_one_boto3_client_per_region_and_endpoint():
    first = boto3_client("eu-west-1", "http://127.0.0.1:1")
    assert boto3_client("eu-west-1", "http://127.0.0.1:1") is first
    assert boto3_client("eu-west-1", "http://127.0.0.1:2") is not first
    assert boto3_client("eu-central-1", "http://127.0.0.1:1") is not first


def test_settings_reach_botocore(settings):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 1.5
    settings.COGNITO_AUTH_READ_TIMEOUT = 2.5
    config = boto3_client("eu-west-1", "http://127.0.0.1:3").meta.config
    assert (config.connect_timeout, config.read_timeout) == (1.5, 2.5)
    # botocore never sends a call again: send_until_delivered decides (after a failed connect only).
    assert config.retries["total_max_attempts"] == 1
    assert config.signature_version is UNSIGNED  # user-facing calls need no AWS credentials


def test_default_read_timeout_outlasts_one_slow_lambda_trigger():
    assert DEFAULTS["READ_TIMEOUT"] > 5  # Cognito gives a Lambda trigger 5 s


def test_default_worst_case_stays_within_ten_seconds():
    # Every attempt but the last can only have failed to connect (nothing else is sent
    # again), each followed by a wait of at most CONNECT_RETRY_DELAY; the last one may
    # also spend the whole read timeout.
    attempts = DEFAULTS["MAX_ATTEMPTS"]
    worst = attempts * DEFAULTS["CONNECT_TIMEOUT"] + (attempts - 1) * CONNECT_RETRY_DELAY + DEFAULTS["READ_TIMEOUT"]
    assert worst == 8.5
    assert worst <= 10


def test_unknown_setting_is_an_error():
    with pytest.raises(AttributeError, match="Unknown cognito_auth setting"):
        app_settings.NOT_A_SETTING  # noqa: B018


class Secretless:
    name, region, user_pool_id, client_id, client_secret, endpoint_url = (
        "public", "eu-west-1", "eu-west-1_X", "abc", "", "http://127.0.0.1:9"
    )


def test_no_hash_without_a_secret():
    assert CognitoClient(Secretless()).secret_hash_for("alice") is None


def test_input_botocore_refuses_is_not_quoted_back():
    # botocore validates types locally, and its text quotes the offending value.
    with pytest.raises(InvalidRequest) as info:
        CognitoClient(Secretless()).initiate_password_auth("alice", b"hunter2-as-bytes")
    assert "hunter2" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__  # tracebacks omit it


def test_redaction_removes_every_sensitive_value():
    assert _redact("bad hash abc123= for pw hunter2", ("abc123=", "hunter2", "")) == (
        "bad hash [redacted] for pw [redacted]"
    )
