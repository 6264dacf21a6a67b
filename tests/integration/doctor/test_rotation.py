"""Secret rotation without downtime, against the emulator holding two secrets per client.

Order 1, the app first: the new secret is stored here (the old one kept as previous) while
Cognito still knows only the old one; then Cognito gets the new one and drops the old.
Order 2, Cognito first: Cognito gets the new secret and drops the old one while this app
still has the old one as current (and the new one as previous); then the new one is made
current here. In both, every sign-in at every step succeeds.
"""

import logging

import pytest

from cognito_auth.client import CognitoClient
from cognito_auth.doctor import OK, PROBLEM, diagnose
from cognito_auth.exceptions import InvalidCredentials, SecretHashError

from .helpers import PASSWORD, by_check

NEW_SECRET = "rotatedsecret0123456789abcdefghij"  # as Cognito allows a chosen one: [\w+]{24,64}


@pytest.fixture
def alice(cognito_pool):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    return "alice"


def sign_in(app_client, cognito_pool, caplog) -> tuple[list[str], list[logging.LogRecord]]:
    """Sign alice in; return the outcome of each InitiateAuth it took, and what was logged."""
    cognito_pool.emulator.reset_log()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="cognito_auth"):
        result = CognitoClient(app_client).initiate_password_auth("alice", PASSWORD)
    assert result.id_token
    outcomes = [call["outcome"] for call in cognito_pool.calls() if call["action"] == "InitiateAuth"]
    return outcomes, [record for record in caplog.records if record.levelno >= logging.WARNING]


def assert_one_call(app_client, cognito_pool, caplog):
    outcomes, logged = sign_in(app_client, cognito_pool, caplog)
    assert outcomes == ["ok"] and logged == []


def assert_retried_with_previous(app_client, cognito_pool, caplog):
    outcomes, logged = sign_in(app_client, cognito_pool, caplog)
    assert outcomes == ["NotAuthorizedException", "ok"]
    assert [record.levelname for record in logged] == ["WARNING"]
    message = logged[0].getMessage()
    assert app_client.name in message and "accepted the one made with the previous secret" in message
    assert "AddUserPoolClientSecret" in message and "remove the previous secret" in message
    assert NEW_SECRET not in message and cognito_pool.client_secret not in message
    app_client.refresh_from_db()
    assert app_client.last_failure_at is None  # the first rejection was no failure


def test_order_app_first(stored_client, cognito_pool, alice, caplog):
    old_secret, emulator = cognito_pool.client_secret, cognito_pool.emulator
    old_id = emulator.client_secret_ids(cognito_pool.pool_id, cognito_pool.client_id)[0]
    app_client = stored_client(client_secret=NEW_SECRET, previous_client_secret=old_secret)

    # Cognito knows only the old secret yet.
    assert_retried_with_previous(app_client, cognito_pool, caplog)
    results = by_check(diagnose(app_client))
    assert results["secret"].status == PROBLEM and "accepts the one made with the previous" in results["secret"].message
    assert results["previous_secret"].status == OK

    emulator.add_client_secret(cognito_pool.pool_id, cognito_pool.client_id, NEW_SECRET)
    assert_one_call(app_client, cognito_pool, caplog)
    results = by_check(diagnose(app_client))
    assert results["secret"].status == OK and "accepts both" in results["previous_secret"].message

    emulator.delete_client_secret(cognito_pool.pool_id, cognito_pool.client_id, old_id)
    assert_one_call(app_client, cognito_pool, caplog)
    report = diagnose(app_client)
    assert report.ok and "no longer accepts the previous" in by_check(report)["previous_secret"].message

    app_client.previous_client_secret = ""
    app_client.save()
    assert_one_call(app_client, cognito_pool, caplog)


def test_order_cognito_first(stored_client, cognito_pool, alice, caplog):
    old_secret, emulator = cognito_pool.client_secret, cognito_pool.emulator
    old_id = emulator.client_secret_ids(cognito_pool.pool_id, cognito_pool.client_id)[0]
    app_client = stored_client(client_secret=old_secret)

    _, new_secret = emulator.add_client_secret(cognito_pool.pool_id, cognito_pool.client_id)
    assert_one_call(app_client, cognito_pool, caplog)  # Cognito holds both

    # The new secret is stored as the previous one before Cognito drops the old.
    app_client.previous_client_secret = new_secret
    app_client.save()
    emulator.delete_client_secret(cognito_pool.pool_id, cognito_pool.client_id, old_id)
    assert_retried_with_previous(app_client, cognito_pool, caplog)
    secret = by_check(diagnose(app_client))["secret"]
    assert secret.status == PROBLEM
    assert "if the previous secret is the new one, enter it as the client secret" in secret.fix

    app_client.client_secret, app_client.previous_client_secret = new_secret, old_secret
    app_client.save()
    assert_one_call(app_client, cognito_pool, caplog)
    assert diagnose(app_client).ok


def test_a_refresh_is_retried_with_the_previous_secret_over_the_internal_username(stored_client, cognito_pool, alice):
    app_client = stored_client()
    tokens = CognitoClient(app_client).initiate_password_auth("alice", PASSWORD)
    app_client.client_secret, app_client.previous_client_secret = NEW_SECRET, cognito_pool.client_secret
    cognito_pool.emulator.reset_log()
    renewed = CognitoClient(app_client).refresh(tokens.refresh_token, "alice")
    assert renewed.access_token
    assert [call["outcome"] for call in cognito_pool.calls()] == ["NotAuthorizedException", "ok"]


def test_the_rejected_first_call_sends_nothing(stored_client, cognito_pool, alice):
    # ForgotPassword mails a code: the retry must be the only call that did anything.
    app_client = stored_client(client_secret=NEW_SECRET, previous_client_secret=cognito_pool.client_secret)
    cognito_pool.emulator.reset_log()
    CognitoClient(app_client).forgot_password("alice")
    assert [call["outcome"] for call in cognito_pool.calls()] == ["NotAuthorizedException", "ok"]
    assert len(cognito_pool.emulator.outbox()) == 1


def test_a_wrong_password_is_not_retried(stored_client, cognito_pool, alice, caplog):
    app_client = stored_client(previous_client_secret=NEW_SECRET)
    cognito_pool.emulator.reset_log()
    with caplog.at_level(logging.INFO, logger="cognito_auth"), pytest.raises(InvalidCredentials):
        CognitoClient(app_client).initiate_password_auth("alice", "Wrong-Password-1")
    assert len(cognito_pool.calls()) == 1
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_wrong_password_after_the_previous_secret_still_tells_the_operator(stored_client, cognito_pool, alice,
                                                                                caplog):
    app_client = stored_client(client_secret=NEW_SECRET, previous_client_secret=cognito_pool.client_secret)
    with caplog.at_level(logging.INFO, logger="cognito_auth"), pytest.raises(InvalidCredentials):
        CognitoClient(app_client).initiate_password_auth("alice", "Wrong-Password-1")
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_when_neither_secret_works_the_failure_is_logged_once_and_recorded(stored_client, cognito_pool, alice,
                                                                             caplog):
    app_client = stored_client(client_secret=NEW_SECRET, previous_client_secret="anotherwrongsecret0123456789")
    with caplog.at_level(logging.INFO, logger="cognito_auth"), pytest.raises(SecretHashError):
        CognitoClient(app_client).initiate_password_auth("alice", PASSWORD)
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    app_client.refresh_from_db()
    assert app_client.last_failure_at is not None and "mismatch" in app_client.last_failure_reason
