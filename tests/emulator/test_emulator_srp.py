"""USER_SRP_AUTH and PASSWORD_VERIFIER against the emulator process: the server side runs
from the stored password, so a wrong password fails under SRP as on Cognito."""

from __future__ import annotations

import pytest
import requests
from pycognito import Cognito

from cognito_auth.srp import SrpSession

PASSWORD = "Correct-horse-7"


@pytest.fixture
def srp_client(cognito_emulator, cognito_pool):
    """(client id, secret) of a client of cognito_pool that allows SRP and refresh only."""
    return cognito_emulator.create_app_client(
        cognito_pool.pool_id, "srp", secret=True, flows=("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
    )


@pytest.fixture
def srp_sign_in(public_client, cognito_pool, srp_client, openssl_hash):
    """srp_sign_in(name, password, hash_name=None): both SRP calls with boto3, the answer
    hashed over USER_ID_FOR_SRP (or over ``hash_name``); returns (first answer, second)."""
    client_id, secret = srp_client

    def sign_in(name, password, hash_name=None, mangle=None):
        session = SrpSession(cognito_pool.pool_id)
        first = public_client.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": name, "SRP_A": session.start(),
                            "SECRET_HASH": openssl_hash(secret, client_id, name)},
        )
        parameters = first["ChallengeParameters"]
        internal = parameters["USER_ID_FOR_SRP"]
        claim = session.password_claim(internal, password, parameters)
        if mangle:
            claim = mangle(claim)
        hashed = openssl_hash(secret, client_id, hash_name or internal)
        responses = {"USERNAME": internal, "SECRET_HASH": hashed, **claim}
        second = public_client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses,
        )
        return first, second, responses

    return sign_in


def test_user_id_for_srp_is_the_internal_username_not_the_sub(cognito_emulator, public_client, openssl_hash):
    pool_id = cognito_emulator.create_user_pool("srp-pool")
    client_id, secret = cognito_emulator.create_app_client(
        pool_id, "srp", secret=True, flows=("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
    )
    cognito_emulator.create_user(pool_id, "alice", "Correct-horse-7", {"email": "alice@example.com"})
    answer = public_client.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "alice", "SRP_A": SrpSession(pool_id).start(),
                        "SECRET_HASH": openssl_hash(secret, client_id, "alice")},
    )
    assert answer["ChallengeName"] == "PASSWORD_VERIFIER"
    sub = cognito_emulator.boto3_admin_client().admin_get_user(UserPoolId=pool_id, Username="alice")
    sub = {a["Name"]: a["Value"] for a in sub["UserAttributes"]}["sub"]
    assert answer["ChallengeParameters"]["USER_ID_FOR_SRP"] == "alice" != sub
    cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=pool_id)


def test_right_password_signs_in_with_two_calls(cognito_pool, srp_sign_in):
    cognito_pool.create_user("alice", PASSWORD)

    first, second, _ = srp_sign_in("alice", PASSWORD)

    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(first["ChallengeParameters"]) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert second["AuthenticationResult"]["IdToken"]
    calls = [call for call in cognito_pool.emulator.calls() if call["action"] != "CreateUserPoolClient"][-2:]
    assert [call["outcome"] for call in calls] == ["ok", "ok"]
    for call in calls:
        assert "PASSWORD" not in call["parameter_names"]


def test_wrong_password_is_refused(cognito_pool, srp_sign_in, expect_error):
    cognito_pool.create_user("alice", PASSWORD)

    expect_error(lambda: srp_sign_in("alice", "Wrong-horse-7"), "NotAuthorizedException",
                 "Incorrect username or password.")


def test_salt_stays_with_the_password(cognito_pool, srp_sign_in, cognito_emulator):
    cognito_pool.create_user("alice", PASSWORD)
    salt = srp_sign_in("alice", PASSWORD)[0]["ChallengeParameters"]["SALT"]
    assert srp_sign_in("alice", PASSWORD)[0]["ChallengeParameters"]["SALT"] == salt

    cognito_emulator.boto3_admin_client().admin_set_user_password(
        UserPoolId=cognito_pool.pool_id, Username="alice", Password="Other-horse-8", Permanent=True,
    )
    first, second, _ = srp_sign_in("alice", "Other-horse-8")
    assert first["ChallengeParameters"]["SALT"] != salt
    assert second["AuthenticationResult"]


def test_alias_signs_in_and_answer_is_hashed_over_the_internal_username(
    cognito_pool_factory, cognito_emulator, public_client, openssl_hash, expect_error,
):
    pool = cognito_pool_factory(username_attributes=["email"])
    client_id, secret = cognito_emulator.create_app_client(
        pool.pool_id, "srp", secret=True, flows=("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
    )
    internal = pool.create_user("alice@example.com", PASSWORD, {"email": "alice@example.com"})

    def answer(hash_name):
        session = SrpSession(pool.pool_id)
        first = public_client.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "alice@example.com", "SRP_A": session.start(),
                            "SECRET_HASH": openssl_hash(secret, client_id, "alice@example.com")},
        )
        user_id = first["ChallengeParameters"]["USER_ID_FOR_SRP"]
        assert user_id == internal != "alice@example.com"
        claim = session.password_claim(user_id, PASSWORD, first["ChallengeParameters"])
        return public_client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={"USERNAME": user_id, "SECRET_HASH": openssl_hash(secret, client_id, hash_name),
                                **claim},
        )

    expect_error(lambda: answer("alice@example.com"), "NotAuthorizedException",
                 f"Unable to verify secret hash for client {client_id}")
    assert answer(internal)["AuthenticationResult"]["AccessToken"]


def test_a_claim_is_single_use(cognito_pool, srp_sign_in, public_client, srp_client, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    _, second, responses = srp_sign_in("alice", PASSWORD)
    assert second["AuthenticationResult"]

    expect_error(
        lambda: public_client.respond_to_auth_challenge(
            ClientId=srp_client[0], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses,
        ),
        "NotAuthorizedException", "Incorrect username or password.",
    )


def test_a_stale_timestamp_is_refused(cognito_pool, srp_sign_in, expect_error):
    cognito_pool.create_user("alice", PASSWORD)

    def stale(claim):
        return {**claim, "TIMESTAMP": "Mon Jan 5 10:00:00 UTC 2015"}

    expect_error(lambda: srp_sign_in("alice", PASSWORD, mangle=stale), "NotAuthorizedException",
                 "Incorrect username or password.")


def test_an_expired_challenge_is_refused(cognito_pool, srp_sign_in, expect_error):
    cognito_pool.create_user("alice", PASSWORD)

    def after_expiry(claim):
        assert cognito_pool.expire_sign_in_sessions() >= 1
        return claim

    expect_error(lambda: srp_sign_in("alice", PASSWORD, mangle=after_expiry), "NotAuthorizedException",
                 "Invalid session for the user, session is expired.")


def test_flow_must_be_allowed(cognito_pool, public_client, openssl_hash, expect_error):
    cognito_pool.create_user("alice", PASSWORD)  # cognito_pool's client allows passwords only
    expect_error(
        lambda: public_client.initiate_auth(
            ClientId=cognito_pool.client_id, AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "alice", "SRP_A": SrpSession(cognito_pool.pool_id).start(),
                            "SECRET_HASH": openssl_hash(cognito_pool.client_secret, cognito_pool.client_id, "alice")},
        ),
        "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client",
    )


def test_unconfirmed_user_is_told_before_any_password(cognito_pool, public_client, pool_hash, srp_client,
                                                     openssl_hash, expect_error):
    public_client.sign_up(
        ClientId=cognito_pool.client_id, Username="uma", Password=PASSWORD, SecretHash=pool_hash("uma"),
        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}],
    )
    client_id, secret = srp_client
    expect_error(
        lambda: public_client.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "uma", "SRP_A": SrpSession(cognito_pool.pool_id).start(),
                            "SECRET_HASH": openssl_hash(secret, client_id, "uma")},
        ),
        "UserNotConfirmedException", "User is not confirmed.",
    )


def test_unknown_user_gets_a_simulated_challenge_when_existence_is_hidden(cognito_pool, srp_sign_in, expect_error):
    # The first step answers as for anyone; only the proof is refused, with a wrong password's words.
    expect_error(lambda: srp_sign_in("nobody", PASSWORD), "NotAuthorizedException", "Incorrect username or password.")


def test_simulated_challenge_is_the_same_for_the_same_name(cognito_pool, public_client, srp_client, openssl_hash):
    client_id, secret = srp_client

    def first_step(name):
        return public_client.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": name, "SRP_A": SrpSession(cognito_pool.pool_id).start(),
                            "SECRET_HASH": openssl_hash(secret, client_id, name)},
        )["ChallengeParameters"]

    once, twice, other = first_step("nobody"), first_step("nobody"), first_step("somebody")
    assert (once["SALT"], once["USER_ID_FOR_SRP"]) == (twice["SALT"], twice["USER_ID_FOR_SRP"])
    assert once["USER_ID_FOR_SRP"] != other["USER_ID_FOR_SRP"]
    assert len(once["USER_ID_FOR_SRP"]) == 36  # a UUID, as Cognito's simulated id


def test_unknown_user_is_named_where_existence_errors_are_legacy(
    cognito_pool, cognito_emulator, public_client, openssl_hash, expect_error,
):
    client_id, secret = cognito_emulator.create_app_client(
        cognito_pool.pool_id, "legacy", secret=True, flows=("ALLOW_USER_SRP_AUTH",),
        prevent_user_existence_errors=None,
    )
    expect_error(
        lambda: public_client.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "nobody", "SRP_A": SrpSession(cognito_pool.pool_id).start(),
                            "SECRET_HASH": openssl_hash(secret, client_id, "nobody")},
        ),
        "UserNotFoundException", "User does not exist.",
    )


def test_pycognito_signs_in_against_the_emulator(cognito_pool, cognito_emulator, srp_client):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    client_id, secret = srp_client

    def pycognito_user():
        user = Cognito(
            cognito_pool.pool_id, client_id, client_secret=secret, username="alice",
            boto3_client_kwargs={"endpoint_url": cognito_emulator.endpoint_url, "aws_access_key_id": "x",
                                 "aws_secret_access_key": "x"},
        )
        # pycognito takes the endpoint for the tokens' issuer; Cognito's (and the
        # emulator's) issuer is https://cognito-idp.<region>.amazonaws.com/<pool id>.
        user.pool_domain_url = None
        user.pool_jwk = requests.get(
            f"{cognito_emulator.endpoint_url}/{cognito_pool.pool_id}/.well-known/jwks.json", timeout=10,
        ).json()
        return user

    signed_in = pycognito_user()
    signed_in.authenticate(PASSWORD)
    assert signed_in.id_claims["cognito:username"] == "alice"

    with pytest.raises(Exception) as info:
        pycognito_user().authenticate("Wrong-horse-7")
    assert info.value.response["Error"]["Message"] == "Incorrect username or password."


def test_invited_user_gets_new_password_required_after_srp(cognito_pool, srp_sign_in):
    cognito_pool.create_invited_user("ivy", "Temporary-pass-1")

    _, second, _ = srp_sign_in("ivy", "Temporary-pass-1")

    assert second["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert second["Session"]
