"""Sign-in steps after the password, as the emulator answers them over HTTP (boto3).

NEW_PASSWORD_REQUIRED, SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP,
their sessions (single use, expiring) and the SECRET_HASH of every answer, which is over
the internal username (USER_ID_FOR_SRP), never the alias typed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest

NEW_PASSWORD = "Brand-new-pass-9"
PASSWORD = "Correct-horse-7"
TEMPORARY = "Temporary-pass-1"
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
WRONG_MFA_CODE = "Invalid code or auth state for the user."
REQUIRED_GIVEN_NAME = [
    {"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True},
    {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True},
]


@pytest.fixture
def respond(public_client: Any, cognito_pool: Any, pool_hash: Callable[[str], str]) -> Callable[..., Any]:
    """respond(challenge, session, username, hashed_over=None, **answers): RespondToAuthChallenge
    with SECRET_HASH over `hashed_over` (default: `username`)."""

    def respond(challenge: str, session: str, username: str, hashed_over: str | None = None, **answers: str) -> Any:
        responses = {"USERNAME": username, "SECRET_HASH": pool_hash(hashed_over or username), **answers}
        return public_client.respond_to_auth_challenge(
            ClientId=cognito_pool.client_id, ChallengeName=challenge, Session=session, ChallengeResponses=responses
        )

    return respond


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# NEW_PASSWORD_REQUIRED ---------------------------------------------------------------------


@pytest.fixture
def invited(cognito_pool_factory: Any, public_client: Any, openssl_hash: Any) -> Any:
    """An invited user "ivy" in a pool that requires given_name, signed in once: the pool,
    the challenge, and respond() for that pool."""
    pool = cognito_pool_factory(Schema=REQUIRED_GIVEN_NAME)
    pool.create_invited_user("ivy", TEMPORARY, {"email": "ivy@example.com"})

    def respond(session: str, hashed_over: str = "ivy", **answers: str) -> Any:
        responses = {
            "USERNAME": "ivy",
            "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, hashed_over),
            **answers,
        }
        return public_client.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses=responses,
        )

    challenge = public_client.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "ivy",
            "PASSWORD": TEMPORARY,
            "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, "ivy"),
        },
    )
    return pool, challenge, respond


def test_an_invited_user_is_asked_for_a_new_password_and_the_attributes_the_pool_requires(invited: Any) -> None:
    _, challenge, _ = invited
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in challenge
    parameters = challenge["ChallengeParameters"]
    assert parameters["USER_ID_FOR_SRP"] == "ivy"
    assert json.loads(parameters["requiredAttributes"]) == ["userAttributes.given_name"]
    assert json.loads(parameters["userAttributes"]) == {"email": "ivy@example.com"}
    assert len(challenge["Session"]) > 100


def test_a_new_password_with_the_required_attributes_signs_the_invited_user_in(
    invited: Any, cognito_emulator: Any, public_client: Any, openssl_hash: Any, expect_error: Any
) -> None:
    pool, challenge, respond = invited
    answer = respond(challenge["Session"], NEW_PASSWORD=NEW_PASSWORD, **{"userAttributes.given_name": "Ivy"})
    assert answer["AuthenticationResult"]["AccessToken"]
    user = cognito_emulator.boto3_admin_client().admin_get_user(UserPoolId=pool.pool_id, Username="ivy")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "given_name", "Value": "Ivy"} in user["UserAttributes"]

    def sign_in(password: str) -> Any:
        return public_client.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "ivy",
                "PASSWORD": password,
                "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, "ivy"),
            },
        )

    assert "AuthenticationResult" in sign_in(NEW_PASSWORD)
    expect_error(lambda: sign_in(TEMPORARY), "NotAuthorizedException", "Incorrect username or password.")


def test_a_missing_required_attribute_is_refused_and_the_step_can_be_retried(invited: Any, expect_error: Any) -> None:
    _, challenge, respond = invited
    expect_error(
        lambda: respond(challenge["Session"], NEW_PASSWORD=NEW_PASSWORD),
        "InvalidParameterException",
        "Invalid attributes given, given_name is missing",
    )
    answer = respond(challenge["Session"], NEW_PASSWORD=NEW_PASSWORD, **{"userAttributes.given_name": "Ivy"})
    assert "AuthenticationResult" in answer


def test_a_new_password_against_the_pool_policy_is_refused_and_the_step_can_be_retried(
    invited: Any, expect_error: Any
) -> None:
    _, challenge, respond = invited
    attributes = {"userAttributes.given_name": "Ivy"}
    expect_error(
        lambda: respond(challenge["Session"], NEW_PASSWORD="short", **attributes),
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    expect_error(
        lambda: respond(challenge["Session"], NEW_PASSWORD="no-digits-Here", **attributes),
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have numeric characters",
    )
    assert "AuthenticationResult" in respond(challenge["Session"], NEW_PASSWORD=NEW_PASSWORD, **attributes)


def test_an_answered_session_cannot_be_replayed(invited: Any, expect_error: Any) -> None:
    _, challenge, respond = invited
    answers = {"NEW_PASSWORD": NEW_PASSWORD, "userAttributes.given_name": "Ivy"}
    respond(challenge["Session"], **answers)
    expect_error(lambda: respond(challenge["Session"], **answers), "NotAuthorizedException", INVALID_SESSION)


def test_an_expired_session_is_refused(invited: Any, expect_error: Any) -> None:
    pool, challenge, respond = invited
    assert pool.expire_sign_in_sessions() == 1
    answers = {"NEW_PASSWORD": NEW_PASSWORD, "userAttributes.given_name": "Ivy"}
    expect_error(lambda: respond(challenge["Session"], **answers), "NotAuthorizedException", EXPIRED_SESSION)
    expect_error(lambda: respond(challenge["Session"], **answers), "NotAuthorizedException", INVALID_SESSION)


def test_a_made_up_session_is_refused(invited: Any, expect_error: Any) -> None:
    _, challenge, respond = invited
    forged = challenge["Session"][:-4] + "AAAA"
    expect_error(lambda: respond(forged, NEW_PASSWORD=NEW_PASSWORD), "NotAuthorizedException", INVALID_SESSION)


def test_a_required_attribute_the_user_has_cannot_be_changed_in_the_step(
    cognito_pool_factory: Any, public_client: Any, openssl_hash: Any, expect_error: Any
) -> None:
    pool = cognito_pool_factory(Schema=REQUIRED_GIVEN_NAME)
    pool.create_invited_user("ivy", TEMPORARY, {"given_name": "Ivy"})
    digest = openssl_hash(pool.client_secret, pool.client_id, "ivy")
    challenge = public_client.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ivy", "PASSWORD": TEMPORARY, "SECRET_HASH": digest},
    )
    assert json.loads(challenge["ChallengeParameters"]["requiredAttributes"]) == []
    expect_error(
        lambda: public_client.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": "ivy",
                "SECRET_HASH": digest,
                "NEW_PASSWORD": NEW_PASSWORD,
                "userAttributes.given_name": "Someone else",
            },
        ),
        "InvalidParameterException",
        "Cannot modify an already provided given_name",
    )


# Hashes over the internal username ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pool_options", "typed"),
    [
        ({"alias_attributes": ["email"]}, "Ivy@Example.com"),
        ({"username_attributes": ["email"]}, "IVY@example.com"),
    ],
    ids=["email-alias", "email-as-username"],
)
def test_an_answer_hashed_over_the_typed_name_is_refused_and_one_over_user_id_for_srp_accepted(
    cognito_pool_factory: Any,
    public_client: Any,
    openssl_hash: Any,
    expect_error: Any,
    pool_options: dict[str, Any],
    typed: str,
) -> None:
    pool = cognito_pool_factory(case_sensitive=False, **pool_options)
    username = "ivy" if "alias_attributes" in pool_options else "ivy@example.com"
    internal = pool.create_invited_user(username, TEMPORARY, {"email": "ivy@example.com"})

    def hashed(name: str) -> str:
        return openssl_hash(pool.client_secret, pool.client_id, name)

    challenge = public_client.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": typed, "PASSWORD": TEMPORARY, "SECRET_HASH": hashed(typed)},
    )
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == internal
    assert internal != typed

    def answer(username: str, hash_over: str) -> Any:
        return public_client.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, "SECRET_HASH": hashed(hash_over), "NEW_PASSWORD": NEW_PASSWORD},
        )

    wrong_hash = f"Unable to verify secret hash for client {pool.client_id}"
    expect_error(lambda: answer(typed, typed), "NotAuthorizedException", wrong_hash)
    assert "AuthenticationResult" in answer(internal, internal)


def test_an_answer_naming_another_user_is_refused(
    invited: Any, cognito_pool: Any, expect_error: Any, public_client: Any, openssl_hash: Any
) -> None:
    pool, challenge, _ = invited
    pool.create_user("mallory", PASSWORD)
    responses = {
        "USERNAME": "mallory",
        "SECRET_HASH": openssl_hash(pool.client_secret, pool.client_id, "ivy"),
        "NEW_PASSWORD": NEW_PASSWORD,
        "userAttributes.given_name": "Ivy",
    }
    expect_error(
        lambda: public_client.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        ),
        "NotAuthorizedException",
        INVALID_SESSION,
    )


def test_a_session_answered_by_another_app_client_is_refused(
    invited: Any, cognito_emulator: Any, public_client: Any, openssl_hash: Any, expect_error: Any
) -> None:
    pool, challenge, _ = invited
    other_id, other_secret = cognito_emulator.create_app_client(pool.pool_id, "other", secret=True)
    expect_error(
        lambda: public_client.respond_to_auth_challenge(
            ClientId=other_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": "ivy",
                "SECRET_HASH": openssl_hash(other_secret, other_id, "ivy"),
                "NEW_PASSWORD": NEW_PASSWORD,
            },
        ),
        "NotAuthorizedException",
        INVALID_SESSION,
    )


# SMS and email codes ------------------------------------------------------------------------------


def test_sms_mfa_sends_a_code_to_the_outbox_and_checks_it(
    cognito_pool: Any, sign_in: Any, respond: Any, expect_error: Any
) -> None:
    cognito_pool.create_sms_mfa_user("sam", PASSWORD, "+15555550100")
    challenge = sign_in("sam", PASSWORD)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"] == {
        "USER_ID_FOR_SRP": "sam",
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0100",
    }
    code = cognito_pool.latest_code("sam", kind="sms_mfa")
    session = challenge["Session"]
    expect_error(
        lambda: respond("SMS_MFA", session, "sam", SMS_MFA_CODE=_other_code(code)),
        "CodeMismatchException",
        WRONG_MFA_CODE,
    )
    assert "AuthenticationResult" in respond("SMS_MFA", session, "sam", SMS_MFA_CODE=code)
    expect_error(
        lambda: respond("SMS_MFA", session, "sam", SMS_MFA_CODE=code), "NotAuthorizedException", INVALID_SESSION
    )


def test_an_sms_code_expires_with_its_session(cognito_pool: Any, sign_in: Any, respond: Any, expect_error: Any) -> None:
    cognito_pool.create_sms_mfa_user("sam", PASSWORD, "+15555550100")
    challenge = sign_in("sam", PASSWORD)
    cognito_pool.expire_sign_in_sessions()
    code = cognito_pool.latest_code("sam", kind="sms_mfa")
    expect_error(
        lambda: respond("SMS_MFA", challenge["Session"], "sam", SMS_MFA_CODE=code),
        "NotAuthorizedException",
        EXPIRED_SESSION,
    )


def test_email_mfa_sends_a_code_to_the_outbox_and_checks_it(
    cognito_pool: Any, sign_in: Any, respond: Any, expect_error: Any
) -> None:
    cognito_pool.create_email_mfa_user("eve", PASSWORD, "eve@example.com")
    challenge = sign_in("eve", PASSWORD)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "e***@e***"
    code = cognito_pool.latest_code("eve", kind="email_otp")
    expect_error(
        lambda: respond("EMAIL_OTP", challenge["Session"], "eve", EMAIL_OTP_CODE=_other_code(code)),
        "CodeMismatchException",
        WRONG_MFA_CODE,
    )
    assert "AuthenticationResult" in respond("EMAIL_OTP", challenge["Session"], "eve", EMAIL_OTP_CODE=code)


def test_a_pool_with_mfa_off_asks_for_no_code(cognito_pool: Any, sign_in: Any) -> None:
    cognito_pool.create_sms_mfa_user("sam", PASSWORD, "+15555550100")
    cognito_pool.configure_mfa("OFF")
    assert "AuthenticationResult" in sign_in("sam", PASSWORD)


def test_a_pool_requiring_mfa_texts_a_user_with_a_phone_and_no_factor(
    cognito_pool: Any, sign_in: Any, respond: Any
) -> None:
    cognito_pool.configure_mfa("ON", sms=True, totp=True)
    cognito_pool.create_user("pat", PASSWORD, {"phone_number": "+15555550102"})
    challenge = sign_in("pat", PASSWORD)
    assert challenge["ChallengeName"] == "SMS_MFA"
    code = cognito_pool.latest_code("pat", kind="sms_mfa")
    assert "AuthenticationResult" in respond("SMS_MFA", challenge["Session"], "pat", SMS_MFA_CODE=code)


# TOTP ------------------------------------------------------------------------------------------------


def test_totp_codes_are_checked_against_the_users_own_secret(
    cognito_pool: Any, sign_in: Any, respond: Any, expect_error: Any
) -> None:
    tom = cognito_pool.create_totp_user("tom", PASSWORD)
    other = cognito_pool.create_totp_user("tim", PASSWORD)
    challenge = sign_in("tom", PASSWORD)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {"USER_ID_FOR_SRP": "tom"}
    session = challenge["Session"]
    expect_error(
        lambda: respond("SOFTWARE_TOKEN_MFA", session, "tom", SOFTWARE_TOKEN_MFA_CODE=""), "InvalidParameterException"
    )
    for wrong in ("12345a", other.code() if other.code() != tom.code() else "x"):
        expect_error(
            lambda wrong=wrong: respond("SOFTWARE_TOKEN_MFA", session, "tom", SOFTWARE_TOKEN_MFA_CODE=wrong),
            "CodeMismatchException",
            WRONG_MFA_CODE,
        )
    far_off = pyotp.TOTP(tom.secret).at(time.time() + 3600)
    if far_off != tom.code():
        expect_error(
            lambda: respond("SOFTWARE_TOKEN_MFA", session, "tom", SOFTWARE_TOKEN_MFA_CODE=far_off),
            "CodeMismatchException",
            WRONG_MFA_CODE,
        )
    assert "AuthenticationResult" in respond("SOFTWARE_TOKEN_MFA", session, "tom", SOFTWARE_TOKEN_MFA_CODE=tom.code())


def test_several_factors_and_no_preference_ask_to_choose_first(
    cognito_pool: Any, cognito_emulator: Any, sign_in: Any, respond: Any, expect_error: Any
) -> None:
    tom = cognito_pool.create_totp_user("tom", PASSWORD, {"phone_number": "+15555550103"})
    cognito_pool.emulator.allow_mfa(cognito_pool.pool_id, sms=True)
    cognito_emulator.set_user_mfa(cognito_pool.pool_id, tom.username, sms=True, totp=True)
    challenge = sign_in("tom", PASSWORD)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    expect_error(
        lambda: respond("SELECT_MFA_TYPE", challenge["Session"], "tom", ANSWER="EMAIL_OTP"), "InvalidParameterException"
    )
    chosen = respond("SELECT_MFA_TYPE", challenge["Session"], "tom", ANSWER="SMS_MFA")
    assert chosen["ChallengeName"] == "SMS_MFA"
    # Later steps of a sign-in need not name the user: the client keeps USER_ID_FOR_SRP.
    assert "USER_ID_FOR_SRP" not in chosen["ChallengeParameters"]
    code = cognito_pool.latest_code("tom", kind="sms_mfa")
    assert "AuthenticationResult" in respond("SMS_MFA", chosen["Session"], "tom", SMS_MFA_CODE=code)


def test_mfa_setup_associates_and_verifies_an_authenticator_by_session(
    cognito_pool: Any, public_client: Any, sign_in: Any, respond: Any, expect_error: Any
) -> None:
    cognito_pool.create_mfa_setup_user("una", PASSWORD)
    challenge = sign_in("una", PASSWORD)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    expect_error(lambda: respond("MFA_SETUP", challenge["Session"], "una"), "NotAuthorizedException", INVALID_SESSION)

    associated = public_client.associate_software_token(Session=challenge["Session"])
    secret = associated["SecretCode"]
    assert pyotp.TOTP(secret).now().isdigit()
    expect_error(lambda: public_client.associate_software_token(Session=challenge["Session"]), "NotAuthorizedException")
    wrong = pyotp.TOTP(secret).at(time.time() + 3600)
    if wrong != pyotp.TOTP(secret).now():
        expect_error(
            lambda: public_client.verify_software_token(Session=associated["Session"], UserCode=wrong),
            "EnableSoftwareTokenMFAException",
        )
    verified = public_client.verify_software_token(Session=associated["Session"], UserCode=pyotp.TOTP(secret).now())
    assert verified["Status"] == "SUCCESS"
    assert "AuthenticationResult" in respond("MFA_SETUP", verified["Session"], "una")

    later = sign_in("una", PASSWORD)
    assert later["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = pyotp.TOTP(secret).now()
    assert "AuthenticationResult" in respond(
        "SOFTWARE_TOKEN_MFA", later["Session"], "una", SOFTWARE_TOKEN_MFA_CODE=code
    )


def test_an_invited_user_in_a_pool_requiring_mfa_sets_a_password_then_mfa(
    cognito_pool: Any, sign_in: Any, respond: Any
) -> None:
    cognito_pool.configure_mfa("ON", totp=True)
    cognito_pool.create_invited_user("ivy", TEMPORARY)
    challenge = sign_in("ivy", TEMPORARY)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    setup = respond("NEW_PASSWORD_REQUIRED", challenge["Session"], "ivy", NEW_PASSWORD=NEW_PASSWORD)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}


# MFA settings ------------------------------------------------------------------------------------


def test_a_factor_the_user_cannot_have_is_refused(cognito_pool: Any, cognito_emulator: Any, expect_error: Any) -> None:
    cognito_pool.configure_mfa("OPTIONAL", sms=True, totp=True, email=True)
    internal = cognito_pool.create_user("nobody", PASSWORD)
    for factor in ("sms", "totp", "email"):
        expect_error(
            lambda factor=factor: cognito_emulator.set_user_mfa(cognito_pool.pool_id, internal, **{factor: True}),
            "InvalidParameterException",
        )


def test_the_pool_mfa_configuration_reads_back_with_email(cognito_pool: Any, cognito_emulator: Any) -> None:
    cognito_pool.configure_mfa("ON", totp=True, email=True)
    config = cognito_emulator.mfa_config(cognito_pool.pool_id)
    assert config["MfaConfiguration"] == "ON"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "EmailMfaConfiguration" in config
    assert "SmsMfaConfiguration" not in config


def test_no_code_or_secret_reaches_the_call_log(cognito_pool: Any, sign_in: Any, respond: Any) -> None:
    cognito_pool.create_sms_mfa_user("sam", PASSWORD, "+15555550100")
    challenge = sign_in("sam", PASSWORD)
    code = cognito_pool.latest_code("sam", kind="sms_mfa")
    respond("SMS_MFA", challenge["Session"], "sam", SMS_MFA_CODE=code)
    logged = json.dumps(cognito_pool.calls())
    assert code not in logged
    assert challenge["Session"] not in logged
