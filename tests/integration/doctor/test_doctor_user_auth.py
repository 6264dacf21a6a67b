"""The doctor for an app client set to USER_AUTH (choice-based sign-in): ``password_flow``
probes USER_AUTH with a made-up name and no preference (no code is sent) and says what to
turn on when the app client lacks ALLOW_USER_AUTH or the pool's plan lacks choice-based
sign-in; the secret is judged through USER_AUTH when it is the only sign-in flow."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cognito_auth.doctor import OK, PROBLEM, diagnose
from cognito_auth.models import AppClient, AuthFlow
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES

from .helpers import by_check

USER_AUTH_ONLY = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
PASSWORD_ONLY = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def user_auth_client(stored_client, client_id: str, secret: str) -> AppClient:
    return stored_client(client_id=client_id, client_secret=secret, auth_flow=AuthFlow.USER_AUTH,
                         sign_in_methods="PASSWORD EMAIL_OTP")


def test_user_auth_client_allowed_by_cognito(stored_client, make_cognito_client, cognito_pool):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=USER_AUTH_ONLY)
    before = len(cognito_pool.emulator.outbox())
    results = by_check(diagnose(user_auth_client(stored_client, client_id, secret)))
    flow = results["password_flow"]
    assert (flow.status, flow.details["flow"]) == (OK, "USER_AUTH")
    assert "PASSWORD, EMAIL_OTP" in flow.message
    # USER_AUTH is the only sign-in flow: the secret is judged through it.
    assert (results["secret"].status, results["secret"].details["flow"]) == (OK, "USER_AUTH")
    assert len(cognito_pool.emulator.outbox()) == before  # no code went anywhere


def test_user_auth_not_enabled_on_the_client(stored_client, make_cognito_client):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=PASSWORD_ONLY)
    flow = by_check(diagnose(user_auth_client(stored_client, client_id, secret)))["password_flow"]
    assert (flow.status, flow.details["flow"]) == (PROBLEM, "USER_AUTH")
    assert "Turn on ALLOW_USER_AUTH" in flow.fix


def test_wrong_secret_through_user_auth(stored_client, make_cognito_client):
    client_id, _secret = make_cognito_client(ExplicitAuthFlows=USER_AUTH_ONLY)
    results = by_check(diagnose(user_auth_client(stored_client, client_id, "not-the-secret")))
    assert (results["secret"].status, results["secret"].details["flow"]) == (PROBLEM, "USER_AUTH")


@pytest.fixture
def lite_pool(cognito_pool_factory):
    pool = cognito_pool_factory(UserPoolTier="LITE")
    pool.emulator.boto3_admin_client().update_user_pool_client(
        UserPoolId=pool.pool_id, ClientId=pool.client_id, ExplicitAuthFlows=USER_AUTH_ONLY,
    )
    return pool


def test_pool_plan_without_choice_based_sign_in(db, lite_pool):
    app_client = AppClient.objects.create(
        name="lite", region=lite_pool.region, user_pool_id=lite_pool.pool_id, client_id=lite_pool.client_id,
        client_secret=lite_pool.client_secret, endpoint_url=lite_pool.endpoint_url,
        auth_flow=AuthFlow.USER_AUTH, sign_in_methods="PASSWORD",
    )
    flow = by_check(diagnose(app_client))["password_flow"]
    assert (flow.status, flow.details["flow"]) == (PROBLEM, "USER_AUTH")
    assert "feature plan" in flow.message and "Essentials or Plus" in flow.fix
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("cognito_check", "--client", "lite", stdout=out, stderr=StringIO())
    assert "Essentials or Plus" in out.getvalue()


def test_passwordless_pool_with_user_auth_client(db, cognito_pool_factory):
    pool = cognito_pool_factory(Policies=PASSWORDLESS_POLICIES)
    pool.emulator.boto3_admin_client().update_user_pool_client(
        UserPoolId=pool.pool_id, ClientId=pool.client_id, ExplicitAuthFlows=USER_AUTH_ONLY,
    )
    app_client = AppClient.objects.create(
        name="passwordless", region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
        client_secret=pool.client_secret, endpoint_url=pool.endpoint_url,
        auth_flow=AuthFlow.USER_AUTH, sign_in_methods="EMAIL_OTP",
    )
    assert by_check(diagnose(app_client))["password_flow"].status == OK
