"""Sign-in with USER_SRP_AUTH through the login page over HTTP, against the emulator
process: the password never leaves the server, and the answer is hashed over
USER_ID_FOR_SRP (the internal username), never over the name typed."""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth import get_user_model

from cognito_auth.client import CognitoClient
from cognito_auth.exceptions import InvalidCredentials
from cognito_auth.models import AppClient, AuthFlow, CognitoIdentity

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
INVALID_LOGIN = "Please enter a correct username and password"
UNAVAILABLE = "Sign-in is temporarily unavailable"
SRP_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")

# (pool options, the name typed, the user's attributes); the internal username is what
# create_user returns: "alice" in the alias pool, the sub where email is the username.
POOL_KINDS = [
    pytest.param({"alias_attributes": ["email"]}, "alice@example.com", "alice", id="alias-pool"),
    pytest.param({"username_attributes": ["email"]}, "alice@example.com", "alice@example.com",
                 id="email-as-username-pool"),
]


@pytest.fixture
def srp_app_client(cognito_emulator):
    """srp_app_client(pool, flows=SRP_FLOWS): a Cognito client of ``pool`` allowing
    ``flows``, stored as the default AppClient set to USER_SRP_AUTH."""

    def create(pool, flows=SRP_FLOWS, name="srp"):
        client_id, secret = cognito_emulator.create_app_client(pool.pool_id, name, secret=True, flows=flows)
        return AppClient.objects.create(
            name=name, region=pool.region, user_pool_id=pool.pool_id, client_id=client_id, client_secret=secret,
            endpoint_url=pool.endpoint_url, is_default=True, auth_flow=AuthFlow.USER_SRP_AUTH,
        )

    return create


def user_of(pool, create_as):
    return pool.create_user(
        create_as, PASSWORD,
        {"email": "alice@example.com", "email_verified": "true", "given_name": "Alice"},
    )


@pytest.mark.parametrize(("pool_options", "typed", "create_as"), POOL_KINDS)
def test_srp_sign_in_makes_two_calls_and_never_sends_the_password(
    site, cognito_pool_factory, cognito_emulator, srp_app_client, pool_options, typed, create_as,
):
    pool = cognito_pool_factory(**pool_options)
    internal = user_of(pool, create_as)
    app_client = srp_app_client(pool)
    cognito_emulator.reset_log()

    response = site.login(typed, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    calls = [call for call in cognito_emulator.calls() if call["client_id"] == app_client.client_id]
    assert [(c["action"], c["auth_flow"], c["username"], c["secret_hash"], c["outcome"]) for c in calls] == [
        ("InitiateAuth", "USER_SRP_AUTH", typed, "present", "ok"),
        ("RespondToAuthChallenge", None, internal, "present", "ok"),
    ]
    assert calls[0]["parameter_names"] == ["SECRET_HASH", "SRP_A", "USERNAME"]
    assert calls[1]["parameter_names"] == [
        "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "SECRET_HASH", "TIMESTAMP", "USERNAME",
    ]
    assert PASSWORD not in json.dumps(cognito_emulator.calls())
    identity = CognitoIdentity.objects.get(user_pool_id=pool.pool_id)
    assert identity.cognito_username == internal
    assert site.get("/").status_code == 200


@pytest.mark.parametrize(("pool_options", "typed", "create_as"), POOL_KINDS)
def test_srp_wrong_password_gets_the_invalid_login_message(
    site, cognito_pool_factory, srp_app_client, pool_options, typed, create_as,
):
    pool = cognito_pool_factory(**pool_options)
    user_of(pool, create_as)
    srp_app_client(pool)

    response = site.login(typed, "Wrong-Horse-7-battery")

    assert response.status_code == 200
    assert INVALID_LOGIN in response.text
    assert not get_user_model().objects.exists()


def test_srp_flow_not_allowed_by_cognito_is_unavailable_and_names_the_flag(
    site, cognito_pool, srp_app_client, caplog,
):
    user_of(cognito_pool, "alice")
    app_client = srp_app_client(cognito_pool, flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))

    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        response = site.login("alice", PASSWORD)

    assert response.status_code == 200
    assert UNAVAILABLE in response.text
    errors = [r.getMessage() for r in caplog.records if r.name == "cognito_auth" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "Turn on ALLOW_USER_SRP_AUTH" in errors[0] and "ALLOW_USER_PASSWORD_AUTH" not in errors[0]
    app_client.refresh_from_db()
    assert "ALLOW_USER_SRP_AUTH" in app_client.last_failure_reason
    assert PASSWORD not in caplog.text


def test_password_client_still_makes_one_call(site, cognito_pool, app_client_for_pool, cognito_emulator):
    user_of(cognito_pool, "alice")
    cognito_emulator.reset_log()

    assert site.login("alice", PASSWORD).status_code == 302

    calls = [c for c in cognito_emulator.calls() if c["client_id"] == cognito_pool.client_id]
    assert [(c["action"], c["auth_flow"]) for c in calls] == [("InitiateAuth", "USER_PASSWORD_AUTH")]


def test_sign_in_returns_the_internal_username_for_later_steps(cognito_pool_factory, srp_app_client):
    pool = cognito_pool_factory(username_attributes=["email"])
    app_client = srp_app_client(pool)
    internal = pool.create_invited_user("ivy@example.com", "Temporary-pass-1", {"email": "ivy@example.com"})

    result = CognitoClient(app_client).sign_in("ivy@example.com", "Temporary-pass-1", app_client.auth_flow)

    assert result.challenge_name == "NEW_PASSWORD_REQUIRED"
    assert result.internal_username == internal != "ivy@example.com"
    assert result.session


def test_sign_in_with_a_wrong_password_raises_invalid_credentials(cognito_pool, srp_app_client):
    user_of(cognito_pool, "alice")
    app_client = srp_app_client(cognito_pool)

    with pytest.raises(InvalidCredentials):
        CognitoClient(app_client).sign_in("alice", "Wrong-Horse-7-battery", AuthFlow.USER_SRP_AUTH)


def test_sign_in_survives_a_secret_rotation(cognito_pool, cognito_emulator, srp_app_client):
    """The stored secret is new to Cognito, the previous one is still its secret: both SRP
    calls are sent again with the previous secret, and the claim is not used up."""
    user_of(cognito_pool, "alice")
    app_client = srp_app_client(cognito_pool)
    app_client.previous_client_secret = app_client.client_secret
    app_client.client_secret = "not-yet-in-cognito-0123456789abcdef"
    app_client.save()
    cognito_emulator.reset_log()

    result = CognitoClient(app_client).sign_in("alice", PASSWORD, AuthFlow.USER_SRP_AUTH)

    assert result.id_token
    outcomes = [(c["action"], c["outcome"]) for c in cognito_emulator.calls()]
    assert outcomes == [
        ("InitiateAuth", "NotAuthorizedException"), ("InitiateAuth", "ok"),
        ("RespondToAuthChallenge", "NotAuthorizedException"), ("RespondToAuthChallenge", "ok"),
    ]


def test_unknown_auth_flow_is_refused(cognito_pool, srp_app_client):
    app_client = srp_app_client(cognito_pool)
    with pytest.raises(ValueError, match="auth_flow"):
        CognitoClient(app_client).sign_in("alice", PASSWORD, "CUSTOM_AUTH")
