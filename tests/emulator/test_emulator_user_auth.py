"""USER_AUTH (choice-based sign-in) as the emulator answers it over HTTP (boto3): first
factors from the pool's sign-in policy, PREFERRED_CHALLENGE, SELECT_CHALLENGE, one-time
codes (checked, single use, expiring), passwords, ConfirmSignUp's Session, unknown names,
and the SECRET_HASH over the internal username on every answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cognito_auth.srp import SrpSession
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS

PASSWORD = "Correct-horse-7"
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."


@pytest.fixture
def pool(cognito_pool_factory: Any) -> Any:
    """An alias pool allowing password, email and SMS codes, its client set to USER_AUTH,
    and "dora" (email and phone verified, alias by email)."""
    pool = cognito_pool_factory(alias_attributes=["email"], Policies=PASSWORDLESS_POLICIES)
    pool.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    pool.create_user("dora", PASSWORD, {"email": "dora@example.com", "phone_number": "+15550100"})
    return pool


@pytest.fixture
def start(public_client: Any, pool: Any, openssl_hash: Any) -> Callable[..., Any]:
    """start(username, **auth): InitiateAuth USER_AUTH hashed over the name as typed."""

    def start(username: str, session: str | None = None, **auth: str) -> Any:
        parameters = {"USERNAME": username, "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, username)}
        extra = {"Session": session} if session else {}
        return public_client.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_AUTH", AuthParameters={**parameters, **auth}, **extra,
        )

    return start


@pytest.fixture
def answer(public_client: Any, pool: Any, openssl_hash: Any) -> Callable[..., Any]:
    """answer(challenge, session, username, hashed_over=None, **responses)."""

    def answer(challenge: str, session: str, username: str, hashed_over: str | None = None, **responses: str) -> Any:
        secret_hash = openssl_hash(pool.client_secret, pool.client_id, hashed_over or username)
        return public_client.respond_to_auth_challenge(
            ClientId=pool.client_id, ChallengeName=challenge, Session=session,
            ChallengeResponses={"USERNAME": username, "SECRET_HASH": secret_hash, **responses},
        )

    return answer


def test_email_code_by_alias_signs_in_with_answer_hashed_over_internal_name(
    start: Any, answer: Any, pool: Any, expect_error: Any
) -> None:
    first = start("dora@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert first["ChallengeName"] == "EMAIL_OTP"
    parameters = first["ChallengeParameters"]
    assert parameters["USERNAME"] == "dora"
    assert parameters["CODE_DELIVERY_DESTINATION"] == "d***@e***"
    assert parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = pool.latest_code("dora", "email_otp")
    # Hashed over the alias typed: refused as a wrong hash, the session stays open.
    expect_error(
        lambda: answer("EMAIL_OTP", first["Session"], "dora", hashed_over="dora@example.com", EMAIL_OTP_CODE=code),
        "NotAuthorizedException",
    )
    done = answer("EMAIL_OTP", first["Session"], "dora", EMAIL_OTP_CODE=code)
    assert done["AuthenticationResult"]["AccessToken"]
    # Single use.
    expect_error(
        lambda: answer("EMAIL_OTP", first["Session"], "dora", EMAIL_OTP_CODE=code), "NotAuthorizedException"
    )


def test_wrong_code_keeps_the_session_and_expired_one_ends_it(
    start: Any, answer: Any, pool: Any, expect_error: Any
) -> None:
    first = start("dora", PREFERRED_CHALLENGE="SMS_OTP")
    assert first["ChallengeName"] == "SMS_OTP"
    assert first["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    code = pool.latest_code("dora", "sms_otp")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    expect_error(lambda: answer("SMS_OTP", first["Session"], "dora", SMS_OTP_CODE=wrong), "CodeMismatchException")
    pool.expire_sign_in_sessions()
    expect_error(
        lambda: answer("SMS_OTP", first["Session"], "dora", SMS_OTP_CODE=code), "NotAuthorizedException",
        EXPIRED_SESSION,
    )


def test_no_preference_selects_among_the_pool_and_user_factors(start: Any, answer: Any, pool: Any) -> None:
    first = start("dora")
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    chosen = answer("SELECT_CHALLENGE", first["Session"], "dora", ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    done = answer("EMAIL_OTP", chosen["Session"], "dora", EMAIL_OTP_CODE=pool.latest_code("dora", "email_otp"))
    assert done["AuthenticationResult"]["IdToken"]


def test_select_password_answers_with_the_password(start: Any, answer: Any, expect_error: Any) -> None:
    first = start("dora")
    expect_error(
        lambda: answer("SELECT_CHALLENGE", first["Session"], "dora", ANSWER="PASSWORD", PASSWORD="wrong-Pass-1"),
        "NotAuthorizedException",
    )
    again = start("dora")
    done = answer("SELECT_CHALLENGE", again["Session"], "dora", ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert done["AuthenticationResult"]["AccessToken"]


def test_choice_not_offered_is_refused(start: Any, answer: Any, expect_error: Any) -> None:
    first = start("dora")
    expect_error(
        lambda: answer("SELECT_CHALLENGE", first["Session"], "dora", ANSWER="WEB_AUTHN"), "InvalidParameterException"
    )


def test_preferred_password_signs_in_in_one_call(start: Any, expect_error: Any) -> None:
    assert start("dora@example.com", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]
    expect_error(
        lambda: start("dora", PREFERRED_CHALLENGE="PASSWORD", PASSWORD="wrong-Pass-1"),
        "NotAuthorizedException", "Incorrect username or password.",
    )


def test_preferred_password_srp_answers_password_verifier(
    start: Any, public_client: Any, pool: Any, openssl_hash: Any
) -> None:
    srp = SrpSession(pool.pool_id)
    first = start("dora@example.com", PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=srp.start())
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    internal = first["ChallengeParameters"]["USER_ID_FOR_SRP"]
    claim = srp.password_claim(internal, PASSWORD, first["ChallengeParameters"])
    # Cognito sends no Session with PASSWORD_VERIFIER: the answer carries none.
    done = public_client.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses={"USERNAME": internal, "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id,
                                                                               internal), **claim},
    )
    assert done["AuthenticationResult"]["AccessToken"]


def test_factor_the_pool_does_not_allow_is_not_offered(cognito_pool_factory: Any, public_client: Any,
                                                       openssl_hash: Any) -> None:
    pool = cognito_pool_factory()  # no sign-in policy: PASSWORD alone
    pool.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    pool.create_user("erin", PASSWORD, {"email": "erin@example.com"})
    first = public_client.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "erin", "PREFERRED_CHALLENGE": "EMAIL_OTP",
                        "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, "erin")},
    )
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert not [message for message in pool.emulator.outbox() if message["kind"] == "email_otp"
                and message["pool_id"] == pool.pool_id]


def test_user_auth_needs_allow_user_auth(cognito_pool_factory: Any, public_client: Any, openssl_hash: Any,
                                         expect_error: Any) -> None:
    pool = cognito_pool_factory(Policies=PASSWORDLESS_POLICIES)
    expect_error(
        lambda: public_client.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": "x", "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, "x")},
        ),
        "InvalidParameterException", "USER_AUTH flow not enabled for this client",
    )


def test_lite_plan_refuses_passwordless_factors_and_user_auth(cognito_emulator: Any, expect_error: Any) -> None:
    admin = cognito_emulator.boto3_admin_client()
    expect_error(
        lambda: admin.create_user_pool(PoolName="lite-otp", UserPoolTier="LITE", Policies=PASSWORDLESS_POLICIES),
        "FeatureUnavailableInTierException",
    )
    expect_error(
        lambda: admin.create_user_pool(
            PoolName="bad-factor", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["SOFTWARE_TOKEN"]}},
        ),
        "InvalidParameterException",
    )


def test_unknown_name_gets_the_same_answers(start: Any, answer: Any, pool: Any, expect_error: Any) -> None:
    known = start("dora", PREFERRED_CHALLENGE="EMAIL_OTP")
    unknown = start("nobody@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert unknown["ChallengeName"] == known["ChallengeName"] == "EMAIL_OTP"
    assert set(unknown["ChallengeParameters"]) == set(known["ChallengeParameters"])
    assert unknown["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "n***@e***"
    simulated = unknown["ChallengeParameters"]["USERNAME"]
    assert start("nobody@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeParameters"]["USERNAME"] == simulated
    expect_error(
        lambda: answer("EMAIL_OTP", unknown["Session"], simulated, EMAIL_OTP_CODE="123456"), "CodeMismatchException"
    )
    select = start("nobody")
    assert select["AvailableChallenges"] == start("dora")["AvailableChallenges"]
    assert not [message for message in pool.emulator.outbox() if message["username"] == "nobody@example.com"]


def test_confirm_sign_up_session_signs_in_once(
    cognito_pool_factory: Any, public_client: Any, openssl_hash: Any, expect_error: Any
) -> None:
    pool = cognito_pool_factory(username_attributes=["email"], Policies=PASSWORDLESS_POLICIES,
                                AutoVerifiedAttributes=["email"])
    pool.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    name = "finn@example.com"

    def hashed(username: str) -> str:
        return openssl_hash(pool.client_secret, pool.client_id, username)

    signed_up = public_client.sign_up(
        ClientId=pool.client_id, Username=name, Password=PASSWORD, SecretHash=hashed(name),
        UserAttributes=[{"Name": "email", "Value": name}],
    )
    code = pool.latest_code(signed_up["UserSub"], "sign_up")
    confirmed = public_client.confirm_sign_up(
        ClientId=pool.client_id, Username=name, ConfirmationCode=code, SecretHash=hashed(name),
    )
    session = confirmed["Session"]

    def sign_in() -> Any:
        return public_client.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_AUTH", Session=session,
            AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP", "SECRET_HASH": hashed(name)},
        )

    assert sign_in()["AuthenticationResult"]["AccessToken"]
    expect_error(sign_in, "NotAuthorizedException", INVALID_SESSION)
