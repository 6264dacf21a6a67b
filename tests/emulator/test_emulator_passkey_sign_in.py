"""WEB_AUTHN (passkey sign-in) in the emulator's USER_AUTH over HTTP (boto3): offered to a
user with a passkey, CREDENTIAL_REQUEST_OPTIONS as JSON text, the assertion checked
(signature, challenge, origin, RP ID, sign counter, the user's own passkey), single use;
a user without a passkey and an unknown name are offered the other factors alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cognito_auth.testing.authenticator import SoftwareAuthenticator, b64url, from_b64url
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS

PASSWORD = "Correct-horse-7"
ORIGIN = "http://localhost:8000"


@pytest.fixture
def pool(cognito_pool_factory: Any) -> Any:
    pool = cognito_pool_factory(alias_attributes=["email"], Policies=PASSWORDLESS_POLICIES)
    pool.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    pool.enable_passkeys("localhost")
    for name, phone in (("dora", "+15550100"), ("eve", "+15550101")):
        pool.create_user(name, PASSWORD, {
            "email": f"{name}@example.com", "email_verified": "true", "phone_number": phone,
            "phone_number_verified": "true",
        })
    return pool


@pytest.fixture
def start(public_client: Any, pool: Any, openssl_hash: Any) -> Callable[..., Any]:
    def start(username: str, **auth: str) -> Any:
        parameters = {"USERNAME": username, "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, username)}
        return public_client.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_AUTH", AuthParameters={**parameters, **auth},
        )

    return start


@pytest.fixture
def answer(public_client: Any, pool: Any, openssl_hash: Any) -> Callable[..., Any]:
    def answer(challenge: str, session: str, username: str, **responses: str) -> Any:
        secret_hash = openssl_hash(pool.client_secret, pool.client_id, username)
        return public_client.respond_to_auth_challenge(
            ClientId=pool.client_id, ChallengeName=challenge, Session=session,
            ChallengeResponses={"USERNAME": username, "SECRET_HASH": secret_hash, **responses},
        )

    return answer


@pytest.fixture
def with_passkey(public_client: Any, pool: Any, start: Any) -> Callable[[str], SoftwareAuthenticator]:
    def with_passkey(username: str) -> SoftwareAuthenticator:
        token = access_token(start, username)
        authenticator = SoftwareAuthenticator(ORIGIN)
        options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
        public_client.complete_web_authn_registration(AccessToken=token, Credential=authenticator.register(options))
        return authenticator

    return with_passkey


def access_token(start: Any, username: str) -> str:
    return start(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]["AccessToken"]


def passkey_challenge(start: Any, username: str) -> tuple[dict[str, Any], dict[str, Any]]:
    first = start(username, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert first["ChallengeName"] == "WEB_AUTHN", first
    return first, json.loads(first["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def test_passkey_signs_in_by_alias(start: Any, answer: Any, with_passkey: Any) -> None:
    authenticator = with_passkey("dora")
    first, options = passkey_challenge(start, "dora@example.com")
    assert first["ChallengeParameters"]["USERNAME"] == "dora"
    assert options["rpId"] == "localhost" and len(options["allowCredentials"]) == 1
    assert len(from_b64url(options["challenge"])) == 32
    done = answer("WEB_AUTHN", first["Session"], "dora", CREDENTIAL=json.dumps(authenticator.sign_in(options)))
    assert done["AuthenticationResult"]["AccessToken"]


def test_web_authn_is_offered_only_to_users_with_a_passkey(start: Any, with_passkey: Any) -> None:
    with_passkey("dora")
    assert "WEB_AUTHN" in start("dora")["AvailableChallenges"]
    without = start("eve", PREFERRED_CHALLENGE="WEB_AUTHN")
    unknown = start("nobody", PREFERRED_CHALLENGE="WEB_AUTHN")
    assert without["ChallengeName"] == unknown["ChallengeName"] == "SELECT_CHALLENGE"
    assert without["AvailableChallenges"] == unknown["AvailableChallenges"]
    assert "WEB_AUTHN" not in without["AvailableChallenges"]


def test_chosen_from_select_challenge(start: Any, answer: Any, with_passkey: Any) -> None:
    authenticator = with_passkey("dora")
    choice = start("dora")
    second = answer("SELECT_CHALLENGE", choice["Session"], "dora", ANSWER="WEB_AUTHN")
    options = json.loads(second["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    done = answer("WEB_AUTHN", second["Session"], "dora", CREDENTIAL=json.dumps(authenticator.sign_in(options)))
    assert done["AuthenticationResult"]["IdToken"]


def _tampered_signature(assertion: dict[str, Any]) -> dict[str, Any]:
    signature = bytearray(from_b64url(assertion["response"]["signature"]))
    signature[-1] ^= 1
    return {**assertion, "response": {**assertion["response"], "signature": b64url(bytes(signature))}}


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("tampered", "NotAuthorizedException"),
        ("other_origin", "WebAuthnOriginNotAllowedException"),
        ("other_users_passkey", "NotAuthorizedException"),
        ("other_challenge", "NotAuthorizedException"),
    ],
)
def test_bad_assertions_are_refused_and_use_the_challenge_up(
    start: Any, answer: Any, with_passkey: Any, expect_error: Any, case: str, code: str,
) -> None:
    dora = with_passkey("dora")
    eve = with_passkey("eve")
    first, options = passkey_challenge(start, "dora")
    if case == "tampered":
        assertion = _tampered_signature(dora.sign_in(options))
    elif case == "other_origin":
        assertion = dora.sign_in(options, origin="https://evil.example")
    elif case == "other_users_passkey":
        assertion = eve.sign_in({**options, "allowCredentials": []})
    else:
        _other, other_options = passkey_challenge(start, "dora")
        assertion = dora.sign_in(other_options)
    expect_error(lambda: answer("WEB_AUTHN", first["Session"], "dora", CREDENTIAL=json.dumps(assertion)), code)
    # The challenge is spent: even a right answer to it now signs nobody in.
    expect_error(
        lambda: answer("WEB_AUTHN", first["Session"], "dora", CREDENTIAL=json.dumps(dora.sign_in(options))),
        "NotAuthorizedException",
    )


def test_replayed_assertion_and_counter_going_back(
    start: Any, answer: Any, with_passkey: Any, expect_error: Any,
) -> None:
    dora = with_passkey("dora")
    first, options = passkey_challenge(start, "dora")
    assertion = dora.sign_in(options)
    answer("WEB_AUTHN", first["Session"], "dora", CREDENTIAL=json.dumps(assertion))
    expect_error(
        lambda: answer("WEB_AUTHN", first["Session"], "dora", CREDENTIAL=json.dumps(assertion)),
        "NotAuthorizedException",
    )
    dora.credentials[-1].sign_count -= 1  # a cloned authenticator: its counter did not grow
    second, options = passkey_challenge(start, "dora")
    expect_error(
        lambda: answer("WEB_AUTHN", second["Session"], "dora", CREDENTIAL=json.dumps(dora.sign_in(options))),
        "NotAuthorizedException",
    )


def test_missing_credential_is_an_invalid_parameter(
    start: Any, answer: Any, with_passkey: Any, expect_error: Any,
) -> None:
    with_passkey("dora")
    first, _options = passkey_challenge(start, "dora")
    expect_error(lambda: answer("WEB_AUTHN", first["Session"], "dora"), "InvalidParameterException")


def test_removed_passkey_is_no_longer_offered(public_client: Any, start: Any, with_passkey: Any) -> None:
    dora = with_passkey("dora")
    credential_id = b64url(dora.credentials[-1].credential_id)
    public_client.delete_web_authn_credential(AccessToken=access_token(start, "dora"), CredentialId=credential_id)
    assert start("dora", PREFERRED_CHALLENGE="WEB_AUTHN")["ChallengeName"] == "SELECT_CHALLENGE"


def test_update_user_pool_keeps_the_sign_in_names(cognito_emulator: Any, pool: Any) -> None:
    # UpdateUserPool has no AliasAttributes / UsernameAttributes: they outlive it (moto reset them).
    admin = cognito_emulator.boto3_admin_client()
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}}
    admin.update_user_pool(UserPoolId=pool.pool_id, Policies=policies)
    assert admin.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]["AliasAttributes"] == ["email"]
