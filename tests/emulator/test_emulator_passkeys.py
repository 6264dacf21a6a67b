"""Passkeys in the emulator: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
ListWebAuthnCredentials and DeleteWebAuthnCredential over boto3, answered by a software
authenticator; and the WEB_AUTHN sign-in checks (options, assertions) called directly."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from cognito_auth.testing._cognito_rules import CognitoError, is_expired, jwt_claims
from cognito_auth.testing._moto_patches import adjust_moto
from cognito_auth.testing._moto_state import find_pool
from cognito_auth.testing._webauthn import Passkeys
from cognito_auth.testing.authenticator import SoftwareAuthenticator, b64url, from_b64url

PASSWORD = "Correct-Horse-7-battery"
ORIGIN = "http://localhost:8000"


@pytest.fixture
def passkey_pool(cognito_pool):
    cognito_pool.enable_passkeys("localhost")
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    cognito_pool.create_user("bob", PASSWORD)
    return cognito_pool


@pytest.fixture
def token_of(passkey_pool, sign_in):
    return lambda username: sign_in(username, PASSWORD)["AuthenticationResult"]["AccessToken"]


def register(client, token, authenticator, **overrides):
    options = client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = authenticator.register(options, **overrides)
    client.complete_web_authn_registration(AccessToken=token, Credential=credential)
    return credential


def test_creation_options_as_cognito_returns_them(public_client, token_of):
    options = public_client.start_web_authn_registration(AccessToken=token_of("alice"))["CredentialCreationOptions"]
    assert options["rp"] == {"id": "localhost", "name": "localhost"}
    assert options["user"]["name"] == "alice" and options["user"]["displayName"] == "alice@example.com"
    assert len(from_b64url(options["challenge"])) == 32
    assert {param["alg"] for param in options["pubKeyCredParams"]} == {-7, -257}
    assert options["excludeCredentials"] == []
    assert options["authenticatorSelection"]["residentKey"] == "required"


def test_register_list_and_delete(public_client, token_of):
    token = token_of("alice")
    credential = register(public_client, token, SoftwareAuthenticator(ORIGIN))
    listed = public_client.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [(item["CredentialId"], item["RelyingPartyId"], item["FriendlyCredentialName"]) for item in listed] == [
        (credential["id"], "localhost", "Passkey")
    ]
    assert listed[0]["AuthenticatorAttachment"] == "platform" and listed[0]["AuthenticatorTransports"] == ["internal"]
    options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["excludeCredentials"] == [{"type": "public-key", "id": credential["id"]}]
    public_client.delete_web_authn_credential(AccessToken=token, CredentialId=credential["id"])
    assert public_client.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


def test_listing_pages(public_client, token_of):
    token = token_of("alice")
    ids = [register(public_client, token, SoftwareAuthenticator(ORIGIN))["id"] for _ in range(3)]
    first = public_client.list_web_authn_credentials(AccessToken=token, MaxResults=2)
    second = public_client.list_web_authn_credentials(AccessToken=token, MaxResults=2, NextToken=first["NextToken"])
    assert [item["CredentialId"] for item in first["Credentials"] + second["Credentials"]] == ids
    assert "NextToken" not in second


def test_another_users_passkey_cannot_be_deleted_or_seen(public_client, token_of, expect_error):
    alice, bob = token_of("alice"), token_of("bob")
    credential = register(public_client, alice, SoftwareAuthenticator(ORIGIN))
    assert public_client.list_web_authn_credentials(AccessToken=bob)["Credentials"] == []
    expect_error(lambda: public_client.delete_web_authn_credential(AccessToken=bob, CredentialId=credential["id"]),
                 "ResourceNotFoundException")
    assert len(public_client.list_web_authn_credentials(AccessToken=alice)["Credentials"]) == 1


def test_replayed_registration_is_refused(public_client, token_of, expect_error):
    token = token_of("alice")
    credential = register(public_client, token, SoftwareAuthenticator(ORIGIN))
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=token, Credential=credential),
                 "WebAuthnChallengeNotFoundException")
    # Even against a new challenge: the response signed the old one.
    public_client.start_web_authn_registration(AccessToken=token)
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=token, Credential=credential),
                 "WebAuthnChallengeNotFoundException")


def _tampered_type(credential):
    client_data = json.loads(from_b64url(credential["response"]["clientDataJSON"]))
    client_data["type"] = "webauthn.get"
    credential["response"]["clientDataJSON"] = b64url(json.dumps(client_data).encode())
    return credential


def _garbled_attestation(credential):
    credential["response"]["attestationObject"] = b64url(b"\xa0not cbor")
    return credential


def _flipped_rp_hash(credential):
    attestation = bytearray(from_b64url(credential["response"]["attestationObject"]))
    index = attestation.find(b"authData") + len(b"authData") + 2  # CBOR bytes header: 0x58 <len>
    attestation[index] ^= 0xFF
    credential["response"]["attestationObject"] = b64url(bytes(attestation))
    return credential


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (_tampered_type, "InvalidParameterException"),
        (_garbled_attestation, "InvalidParameterException"),
        (_flipped_rp_hash, "WebAuthnRelyingPartyMismatchException"),
    ],
)
def test_tampered_registration_is_refused(public_client, token_of, expect_error, tamper, code):
    token = token_of("alice")
    options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = tamper(SoftwareAuthenticator(ORIGIN).register(options))
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=token, Credential=credential), code)
    assert public_client.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


@pytest.mark.parametrize(
    "origin", ["http://evil.test", "http://localhost.evil.test:8000", "https://notlocalhost", "ftp://localhost"]
)
def test_wrong_origin_is_refused(public_client, token_of, expect_error, origin):
    token = token_of("alice")
    options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = SoftwareAuthenticator(origin).register(options)
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=token, Credential=credential),
                 "WebAuthnOriginNotAllowedException")


def test_passkey_for_another_relying_party_is_refused(public_client, token_of, expect_error):
    token = token_of("alice")
    options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = SoftwareAuthenticator(ORIGIN).register({**options, "rp": {"id": "evil.test", "name": "x"}})
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=token, Credential=credential),
                 "WebAuthnRelyingPartyMismatchException")


def test_registration_completed_by_another_app_client_is_refused(
    public_client, passkey_pool, token_of, cognito_emulator, openssl_hash, expect_error
):
    other_id, other_secret = cognito_emulator.create_app_client(
        passkey_pool.pool_id, "other", secret=True, flows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    other_token = public_client.initiate_auth(
        ClientId=other_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": openssl_hash(other_secret, other_id, "alice"),
        },
    )["AuthenticationResult"]["AccessToken"]
    options = public_client.start_web_authn_registration(AccessToken=token_of("alice"))["CredentialCreationOptions"]
    credential = SoftwareAuthenticator(ORIGIN).register(options)
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=other_token, Credential=credential),
                 "WebAuthnClientMismatchException")


def test_user_verification_required_by_the_pool(public_client, passkey_pool, token_of, expect_error):
    passkey_pool.enable_passkeys("localhost", UserVerification="required")
    token = token_of("alice")
    options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    credential = SoftwareAuthenticator(ORIGIN, user_verified=False).register(options)
    expect_error(lambda: public_client.complete_web_authn_registration(AccessToken=token, Credential=credential),
                 "InvalidParameterException")


def test_passkeys_must_be_enabled(public_client, cognito_pool, sign_in, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    token = sign_in("alice", PASSWORD)["AuthenticationResult"]["AccessToken"]
    expect_error(lambda: public_client.start_web_authn_registration(AccessToken=token), "WebAuthnNotEnabledException")


def test_relying_party_is_the_pool_domain_when_unset(public_client, cognito_pool, sign_in, expect_error):
    cognito_pool.enable_passkeys(relying_party_id=None)
    cognito_pool.create_user("alice", PASSWORD)
    token = sign_in("alice", PASSWORD)["AuthenticationResult"]["AccessToken"]
    expect_error(lambda: public_client.start_web_authn_registration(AccessToken=token),
                 "WebAuthnConfigurationMissingException")
    admin = cognito_pool.emulator.boto3_admin_client()
    admin.create_user_pool_domain(UserPoolId=cognito_pool.pool_id, Domain="passkey-test")
    try:
        options = public_client.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    finally:
        admin.delete_user_pool_domain(UserPoolId=cognito_pool.pool_id, Domain="passkey-test")
    assert options["rp"]["id"] == f"passkey-test.auth.{cognito_pool.region}.amazoncognito.com"


def test_mfa_config_shows_the_webauthn_configuration(passkey_pool):
    config = passkey_pool.emulator.mfa_config(passkey_pool.pool_id)
    assert config["WebAuthnConfiguration"] == {"RelyingPartyId": "localhost", "UserVerification": "preferred"}


def test_bad_and_expired_access_tokens(public_client, passkey_pool, token_of, expect_error):
    expect_error(lambda: public_client.list_web_authn_credentials(AccessToken="not.a.token"),
                 "NotAuthorizedException", "Invalid Access Token")
    # Moto accepts a token past its exp; the emulator checks exp on every call with an
    # AccessToken. Checked at the boundary by the clock it is given, not by waiting.
    token = token_of("alice")
    expires = jwt_claims(token)["exp"]
    assert not is_expired(token, now=expires - 1) and is_expired(token, now=expires)


def test_emulator_records_no_credential(public_client, token_of, passkey_pool):
    token = token_of("alice")
    credential = register(public_client, token, SoftwareAuthenticator(ORIGIN))
    recorded = json.dumps([call for call in passkey_pool.calls() if "WebAuthn" in call["action"]])
    assert credential["response"]["attestationObject"] not in recorded and token not in recorded


# The WEB_AUTHN sign-in challenge, called in process (USER_AUTH answers it next) -------


@pytest.fixture
def in_process():
    """A pool in moto's in-process state with passkeys on, a user, and a Passkeys store
    holding one passkey registered through the public calls."""
    adjust_moto()
    with mock_aws():
        admin = boto3.client("cognito-idp", region_name="us-east-1")
        pool_id = admin.create_user_pool(
            PoolName="p", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
        )["UserPool"]["Id"]
        client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
        admin.admin_create_user(
            UserPoolId=pool_id, Username="alice", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
        )
        admin.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
        token = admin.admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_NO_SRP_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["AccessToken"]
        pool = find_pool(pool_id)
        passkeys = Passkeys()
        passkeys.set_configuration(pool, {"RelyingPartyId": "localhost"})
        authenticator = SoftwareAuthenticator(ORIGIN)
        options = passkeys.start_registration({"AccessToken": token})["CredentialCreationOptions"]
        passkeys.complete_registration({"AccessToken": token, "Credential": authenticator.register(options)})
        yield passkeys, pool, authenticator


def test_request_options_name_the_users_passkeys(in_process):
    passkeys, pool, authenticator = in_process
    options, challenge = passkeys.credential_request_options(pool, "alice")
    assert options["rpId"] == "localhost" and from_b64url(options["challenge"]) == challenge
    assert [item["id"] for item in options["allowCredentials"]] == [b64url(authenticator.credentials[0].credential_id)]
    assert passkeys.credential_request_options(pool, "nobody")[0]["allowCredentials"] == []


def test_assertion_verified_and_sign_counter_raised(in_process):
    passkeys, pool, authenticator = in_process
    for expected_count in (1, 2):
        options, challenge = passkeys.credential_request_options(pool, "alice")
        stored = passkeys.verify_assertion(pool, "alice", authenticator.sign_in(options), challenge)
        assert stored.sign_count == expected_count


def _resign_nothing(answer):
    signature = bytearray(from_b64url(answer["response"]["signature"]))
    signature[-1] ^= 0x01
    answer["response"]["signature"] = b64url(bytes(signature))
    return answer


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("replayed", "NotAuthorizedException"),
        ("other challenge", "NotAuthorizedException"),
        ("bad signature", "NotAuthorizedException"),
        ("wrong origin", "WebAuthnOriginNotAllowedException"),
        ("other user", "NotAuthorizedException"),
        ("counter did not grow", "NotAuthorizedException"),
        ("not json", "NotAuthorizedException"),
    ],
)
def test_bad_assertions_are_refused(in_process, case, code):
    passkeys, pool, authenticator = in_process
    options, challenge = passkeys.credential_request_options(pool, "alice")
    answer = authenticator.sign_in(options, origin="https://evil.test" if case == "wrong origin" else None)
    username = "alice"
    if case == "replayed":
        passkeys.verify_assertion(pool, "alice", answer, challenge)
    elif case == "other challenge":
        challenge = bytes(32)
    elif case == "bad signature":
        answer = _resign_nothing(answer)
    elif case == "other user":
        username = "bob"
    elif case == "counter did not grow":
        passkeys.verify_assertion(pool, "alice", answer, challenge)
        options, challenge = passkeys.credential_request_options(pool, "alice")
        authenticator.sign_count_step = 0
        answer = authenticator.sign_in(options)
    elif case == "not json":
        answer = "{"
    with pytest.raises(CognitoError) as info:
        passkeys.verify_assertion(pool, username, answer, challenge)
    assert info.value.code == code

