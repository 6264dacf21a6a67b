"""The doctor for an app client set to USER_SRP_AUTH: ``password_flow`` probes the flow the
client signs in with, and ``--username`` says which name each step is hashed over."""

import pytest

from cognito_auth.client import secret_hash
from cognito_auth.doctor import OK, PROBLEM, diagnose
from cognito_auth.models import AuthFlow

from .helpers import PASSWORD, by_check

SRP_ONLY = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
PASSWORD_ONLY = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def test_srp_client_allowed_by_cognito_passes_password_flow(stored_client, make_cognito_client):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=SRP_ONLY)
    results = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret,
                                              auth_flow=AuthFlow.USER_SRP_AUTH)))
    flow = results["password_flow"]
    assert (flow.status, flow.details["flow"]) == (OK, "USER_SRP_AUTH")
    assert "USER_SRP_AUTH" in flow.message and "is enabled" in flow.message


def test_srp_client_that_cognito_does_not_allow_srp_is_a_problem(stored_client, make_cognito_client):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=PASSWORD_ONLY)
    results = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret,
                                              auth_flow=AuthFlow.USER_SRP_AUTH)))
    flow = results["password_flow"]
    assert (flow.status, flow.details["flow"]) == (PROBLEM, "USER_SRP_AUTH")
    assert "Turn on ALLOW_USER_SRP_AUTH" in flow.fix and "USER_PASSWORD_AUTH in the admin" in flow.fix
    # The secret is still judged, through the flow Cognito allows.
    assert results["secret"].status == OK


@pytest.mark.parametrize(
    ("flows", "auth_flow", "status"),
    [
        pytest.param(SRP_ONLY, AuthFlow.USER_PASSWORD_AUTH, PROBLEM, id="password-client-srp-only-cognito"),
        pytest.param(PASSWORD_ONLY, AuthFlow.USER_PASSWORD_AUTH, OK, id="password-client-password-cognito"),
        pytest.param(SRP_ONLY + PASSWORD_ONLY, AuthFlow.USER_SRP_AUTH, OK, id="srp-client-both-allowed"),
    ],
)
def test_password_flow_follows_the_clients_sign_in_flow(stored_client, make_cognito_client, flows, auth_flow, status):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=flows)
    results = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret, auth_flow=auth_flow)))
    assert (results["password_flow"].status, results["password_flow"].details["flow"]) == (status, auth_flow)


def test_username_says_which_name_each_step_is_hashed_over(stored_client, cognito_pool, aws_credentials):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com", "email_verified": "true"})
    app_client = stored_client(auth_flow=AuthFlow.USER_SRP_AUTH)

    results = by_check(diagnose(app_client, username="alice"))

    typed = results["username_sign_in_hash"]
    assert typed.details["steps"] == "InitiateAuth"
    assert "USER_SRP_AUTH" in typed.message and "exactly as the person types it" in typed.message
    internal = results["username_internal_hash"]
    assert internal.status == OK
    assert internal.details["steps"] == "PASSWORD_VERIFIER, RespondToAuthChallenge, REFRESH_TOKEN_AUTH"
    for step in ("USER_ID_FOR_SRP", "PASSWORD_VERIFIER", "REFRESH_TOKEN_AUTH", "never the name typed"):
        assert step in internal.message
    assert internal.details["secret_hash"] == secret_hash(
        "alice", cognito_pool.client_id, cognito_pool.client_secret,
    )


def test_username_without_credentials_still_names_the_steps(stored_client):
    internal = by_check(diagnose(stored_client(auth_flow=AuthFlow.USER_SRP_AUTH), username="alice"))[
        "username_internal_hash"
    ]
    assert "PASSWORD_VERIFIER" in internal.message and "USER_ID_FOR_SRP" in internal.message


def test_aws_auth_flows_asks_for_the_flow_the_client_signs_in_with(stored_client, make_cognito_client,
                                                                   aws_credentials):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=PASSWORD_ONLY)
    flows = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret,
                                            auth_flow=AuthFlow.USER_SRP_AUTH)))["aws_auth_flows"]
    assert flows.status == PROBLEM
    assert "lack ALLOW_USER_SRP_AUTH" in flows.message and "uses USER_SRP_AUTH" in flows.fix
    client_id, secret = make_cognito_client(ExplicitAuthFlows=SRP_ONLY)
    flows = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret,
                                            auth_flow=AuthFlow.USER_SRP_AUTH)))["aws_auth_flows"]
    assert flows.status == OK
