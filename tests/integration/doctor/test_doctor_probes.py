"""The doctor without AWS credentials: every unsigned check in its ok and its problem
state, judged by the strict emulator's real answers."""

import logging

import pytest

from cognito_auth import encryption
from cognito_auth.client import secret_hash
from cognito_auth.doctor import AWS_CHECKS, OK, PROBLEM, SKIPPED, diagnose
from cognito_auth.models import SECRET_PURPOSE

from .helpers import assert_no_secret_in, by_check

UNSIGNED_CHECKS = ("endpoint", "client", "secret", "previous_secret", "password_flow", "refresh_flow")


def test_a_right_secret_passes_every_unsigned_check(stored_client, cognito_pool):
    report = diagnose(stored_client())
    results = by_check(report)
    assert {check: results[check].status for check in UNSIGNED_CHECKS} == dict.fromkeys(UNSIGNED_CHECKS, OK)
    assert "accepts the one made with the stored client secret" in results["secret"].message
    assert report.ok
    assert_no_secret_in(report, cognito_pool.client_secret)


def test_without_aws_credentials_the_aws_checks_are_skipped_and_say_why(stored_client):
    results = by_check(diagnose(stored_client()))
    assert [results[check].status for check in AWS_CHECKS] == [SKIPPED] * len(AWS_CHECKS)
    assert "No AWS credentials" in results["aws_client"].message


def test_a_wrong_secret_is_a_mismatch_with_its_fix(stored_client):
    wrong = "not-the-secret-of-this-client-0123456789"
    report = diagnose(stored_client(client_secret=wrong))
    secret = by_check(report)["secret"]
    assert secret.status == PROBLEM
    assert "Unable to verify secret hash" in secret.message and "not this app client's secret" in secret.message
    assert "Import from Cognito" in secret.fix
    assert not report.ok
    assert_no_secret_in(report, wrong)


def test_a_missing_secret_is_reported_as_missing(stored_client):
    report = diagnose(stored_client(client_secret=""))
    secret = by_check(report)["secret"]
    assert secret.status == PROBLEM
    assert "no client secret is stored here" in secret.message
    assert "Enter the client secret" in secret.fix


def test_a_secret_stored_for_a_secretless_client_is_reported(stored_client, make_cognito_client):
    client_id, _ = make_cognito_client(secret=False)
    stored = "a-secret-that-should-not-be-here-01234"
    report = diagnose(stored_client(client_id=client_id, client_secret=stored))
    results = by_check(report)
    assert results["secret"].status == PROBLEM
    assert "Cognito's app client has none" in results["secret"].message
    assert "Remove the client secret" in results["secret"].fix
    # Asked again without a hash, Cognito shows the flows are fine.
    assert results["password_flow"].status == OK
    assert_no_secret_in(report, stored)


def test_a_secretless_client_with_no_secret_stored_is_ok(stored_client, make_cognito_client):
    client_id, _ = make_cognito_client(secret=False)
    report = diagnose(stored_client(client_id=client_id, client_secret=""))
    assert by_check(report)["secret"].status == OK
    assert "expects no SECRET_HASH" in by_check(report)["secret"].message
    assert report.ok


def test_password_flow_disabled_is_a_problem_and_srp_still_judges_the_secret(stored_client, make_cognito_client):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    right = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))
    assert right["password_flow"].status == PROBLEM
    assert "ALLOW_USER_PASSWORD_AUTH" in right["password_flow"].fix
    assert (right["secret"].status, right["secret"].details["flow"]) == (OK, "USER_SRP_AUTH")
    wrong = by_check(diagnose(stored_client(client_id=client_id, client_secret="wrong-secret-0123456789abcdef")))
    assert (wrong["secret"].status, wrong["secret"].details["flow"]) == (PROBLEM, "USER_SRP_AUTH")


def test_a_refresh_with_a_made_up_token_cannot_judge_a_wrong_secret_and_says_so(stored_client, make_cognito_client):
    client_id, _ = make_cognito_client(ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    wrong = by_check(diagnose(stored_client(client_id=client_id, client_secret="wrong-secret-0123456789abcdef")))
    assert wrong["secret"].status == SKIPPED
    assert "cannot tell a wrong secret from a right one" in wrong["secret"].message
    # ...but a missing hash it does tell.
    missing = by_check(diagnose(stored_client(client_id=client_id, client_secret="")))
    assert (missing["secret"].status, missing["secret"].details["flow"]) == (PROBLEM, "REFRESH_TOKEN_AUTH")


def test_no_usable_flow_at_all_leaves_the_secret_undecided(stored_client, make_cognito_client):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])
    results = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))
    assert results["secret"].status == SKIPPED and "No flow this check can use" in results["secret"].message
    assert results["password_flow"].status == PROBLEM
    assert results["refresh_flow"].status == PROBLEM


def test_refresh_flow_disabled_is_a_problem(stored_client, make_cognito_client):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    results = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))
    assert results["refresh_flow"].status == PROBLEM
    assert "ALLOW_REFRESH_TOKEN_AUTH" in results["refresh_flow"].fix
    assert results["password_flow"].status == OK and results["secret"].status == OK


def test_an_unknown_client_id_is_reported_and_nothing_else_is_guessed(stored_client):
    report = diagnose(stored_client(client_id="nosuchclient0123"))
    results = by_check(report)
    assert results["endpoint"].status == OK
    assert results["client"].status == PROBLEM and "nosuchclient0123" in results["client"].message
    assert {result.status for check, result in results.items() if check not in ("endpoint", "client")} == {SKIPPED}


def test_an_endpoint_that_refuses_connections_is_reported(stored_client, closed_endpoint, settings):
    settings.COGNITO_AUTH_MAX_ATTEMPTS = 1  # no retry backoff: the answer is the same
    report = diagnose(stored_client(endpoint_url=closed_endpoint))
    results = by_check(report)
    assert results["endpoint"].status == PROBLEM
    assert closed_endpoint in results["endpoint"].message and "EndpointConnectionError" in results["endpoint"].message
    assert "network path" in results["endpoint"].fix
    assert {result.status for check, result in results.items() if check != "endpoint"} == {SKIPPED}


def test_an_endpoint_that_never_answers_is_reported_within_the_read_timeout(stored_client, hanging_endpoint, settings):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = settings.COGNITO_AUTH_READ_TIMEOUT = 0.2
    settings.COGNITO_AUTH_MAX_ATTEMPTS = 1
    results = by_check(diagnose(stored_client(endpoint_url=hanging_endpoint)))
    assert results["endpoint"].status == PROBLEM
    assert "ReadTimeoutError" in results["endpoint"].message and "read 0.2 s" in results["endpoint"].message


def test_a_secret_no_key_decrypts_is_reported_and_the_rest_still_checked(stored_client, settings):
    app_client = stored_client()
    settings.SECRET_KEY = "another-key-the-secret-was-saved-under"
    app_client.encrypted_client_secret = encryption.encrypt("whatever-secret-0123456789", SECRET_PURPOSE)
    settings.SECRET_KEY = "the-current-key-which-cannot-read-it"
    results = by_check(diagnose(app_client))
    assert results["secret"].status == PROBLEM and "cannot be decrypted" in results["secret"].message
    assert results["endpoint"].status == OK and results["client"].status == OK


def test_with_a_username_the_sign_in_hash_is_given_and_the_internal_one_needs_credentials(stored_client, cognito_pool):
    results = by_check(diagnose(stored_client(), username="Alice"))
    sign_in = results["username_sign_in_hash"]
    assert sign_in.status == OK
    assert sign_in.details == {
        "username": "Alice", "secret_hash": secret_hash("Alice", cognito_pool.client_id, cognito_pool.client_secret),
        "steps": "InitiateAuth",
    }
    internal = results["username_internal_hash"]
    assert internal.status == SKIPPED and "AdminGetUser" in internal.message and "sub" in internal.message


def test_probes_are_neither_logged_nor_recorded_as_the_clients_last_failure(stored_client, caplog):
    app_client = stored_client(client_secret="wrong-secret-0123456789abcdef")
    with caplog.at_level(logging.DEBUG, logger="cognito_auth"):
        diagnose(app_client)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    app_client.refresh_from_db()
    assert app_client.last_failure_at is None


@pytest.mark.parametrize("flows", [
    ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    ["ALLOW_REFRESH_TOKEN_AUTH"],
    ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
])
def test_the_doctor_never_signs_anyone_in_or_sends_a_code(
    stored_client, make_cognito_client, cognito_pool, aws_credentials, flows,
):
    # A real user with a verified email and phone: a ForgotPassword or sign-up call
    # would put a code in the outbox.
    cognito_pool.create_user("alice", "Correct-Horse-7-battery",
                             {"email": "alice@example.com", "phone_number": "+15555550100"})
    client_id, secret = make_cognito_client(ExplicitAuthFlows=flows)
    emulator = cognito_pool.emulator
    emulator.reset_log()
    for stored_secret in (secret, "", "wrong-secret-0123456789abcdef"):
        diagnose(stored_client(client_id=client_id, client_secret=stored_secret, previous_client_secret=secret),
                 username="alice")
    calls = [call for call in emulator.calls() if call["client_id"] in (client_id, None)]
    assert {call["action"] for call in calls} <= {
        "InitiateAuth", "DescribeUserPoolClient", "DescribeUserPool", "AdminGetUser",
    }
    sign_ins = [call for call in calls if call["action"] == "InitiateAuth"]
    # Only first steps may succeed: Cognito answers a made-up user with a simulated
    # PASSWORD_VERIFIER (SRP) or SELECT_CHALLENGE (USER_AUTH, no preference: no code is
    # sent), which the doctor never answers (no RespondToAuthChallenge).
    assert sign_ins and all(
        call["outcome"] != "ok" or call["auth_flow"] in ("USER_SRP_AUTH", "USER_AUTH") for call in sign_ins
    )
    assert {call["auth_flow"] for call in sign_ins} <= {
        "USER_PASSWORD_AUTH", "USER_SRP_AUTH", "USER_AUTH", "REFRESH_TOKEN_AUTH",
    }
    assert all("PREFERRED_CHALLENGE" not in call["parameter_names"] for call in sign_ins)
    assert all((call["username"] or "cognito-check-").startswith("cognito-check-") for call in sign_ins)
    assert emulator.outbox() == []
