"""An app client keeps when and why Cognito last rejected a call for a configuration
reason, so the admin shows a broken client before its users report it."""

import pytest
from django.core.cache import caches
from django.db import DatabaseError
from django.test import RequestFactory

from cognito_auth.backends import CognitoBackend
from cognito_auth.exceptions import SecretHashError, UnknownClient
from cognito_auth.models import AppClient, cache_key

from .helpers import PASSWORD


def sign_in(username: str = "alice", password: str = PASSWORD):
    request = RequestFactory().post("/accounts/login/")
    return CognitoBackend().authenticate(request, username=username, password=password)


def reloaded(app_client: AppClient) -> AppClient:
    return AppClient.objects.get(pk=app_client.pk)


@pytest.mark.parametrize(("fields", "expected", "hint"), [
    ({"client_secret": "wrong-secret-0123456789abcdef"}, "SecretHashError (mismatch) on initiate_auth",
     SecretHashError.HINTS["mismatch"]),
    ({"client_secret": ""}, "SecretHashError (missing) on initiate_auth", SecretHashError.HINTS["missing"]),
    ({"client_id": "nosuchclient0123"}, "UnknownClient on initiate_auth", UnknownClient.operator_hint),
])
def test_a_configuration_error_is_recorded_with_its_hint_and_no_secret(stored_client, cognito_pool, fields, expected,
                                                                       hint):
    cognito_pool.create_user("alice", PASSWORD)
    app_client = stored_client(is_default=True, **fields)
    assert sign_in() is None
    failed = reloaded(app_client)
    assert failed.last_failure_at is not None
    assert failed.last_failure_reason.startswith(expected)
    assert failed.last_failure_reason.endswith(hint)
    for secret in (cognito_pool.client_secret, "wrong-secret-0123456789abcdef", PASSWORD):
        assert secret not in failed.last_failure_reason


def test_flow_not_enabled_is_recorded(stored_client, make_cognito_client, cognito_pool):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    app_client = stored_client(client_id=client_id, client_secret=secret, is_default=True)
    sign_in()
    reason = reloaded(app_client).last_failure_reason
    assert reason.startswith("FlowNotEnabled on initiate_auth")
    assert "Turn on ALLOW_USER_PASSWORD_AUTH" in reason


def test_a_wrong_password_is_no_failure_of_the_client(stored_client, cognito_pool):
    cognito_pool.create_user("alice", PASSWORD)
    app_client = stored_client(is_default=True)
    assert sign_in(password="Wrong-Password-1") is None
    assert reloaded(app_client).last_failure_at is None


def test_recording_leaves_the_cached_client_list_in_place(stored_client):
    app_client = stored_client(is_default=True)
    cached = AppClient.objects.cached()
    cached[0].record_failure("UnknownClient on initiate_auth: check the ids")
    assert caches["default"].get(cache_key()) is not None  # an update(), not a save()
    assert reloaded(app_client).last_failure_reason == "UnknownClient on initiate_auth: check the ids"


def test_a_database_that_refuses_the_write_does_not_break_the_sign_in(stored_client, monkeypatch, caplog):
    app_client = stored_client()

    def refuse(*args, **kwargs):
        raise DatabaseError("read-only database")

    monkeypatch.setattr("django.db.models.query.QuerySet.update", refuse)
    app_client.record_failure("UnknownClient on initiate_auth")
    assert "Could not record the last failure" in caplog.text
