"""ID tokens carry the user's attributes as Cognito's do (moto needs ReadAttributes for that)."""

from __future__ import annotations

import base64
import json

PASSWORD = "Correct-horse-7"
ATTRIBUTES = {"email": "alice@example.com", "email_verified": "true", "given_name": "Alice"}


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_id_token_carries_every_attribute_when_read_attributes_are_unset(cognito_pool, sign_in):
    sub_of_alice = cognito_pool.create_user("alice", PASSWORD, ATTRIBUTES)

    id_claims = claims(sign_in("alice", PASSWORD)["AuthenticationResult"]["IdToken"])

    assert sub_of_alice == "alice"
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == cognito_pool.client_id
    assert id_claims["iss"] == f"https://cognito-idp.{cognito_pool.region}.amazonaws.com/{cognito_pool.pool_id}"
    assert id_claims["cognito:username"] == "alice"
    assert (id_claims["email"], id_claims["given_name"]) == ("alice@example.com", "Alice")
    assert id_claims["email_verified"] is True


def test_read_attributes_limit_the_id_token(cognito_emulator, cognito_pool, public_client, openssl_hash):
    created = cognito_emulator.boto3_admin_client().create_user_pool_client(
        UserPoolId=cognito_pool.pool_id,
        ClientName="reads-email",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        ReadAttributes=["email", "email_verified"],
    )["UserPoolClient"]
    cognito_pool.create_user("alice", PASSWORD, ATTRIBUTES)

    result = public_client.initiate_auth(
        ClientId=created["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "alice",
            "PASSWORD": PASSWORD,
            "SECRET_HASH": openssl_hash(created["ClientSecret"], created["ClientId"], "alice"),
        },
    )
    id_claims = claims(result["AuthenticationResult"]["IdToken"])

    assert id_claims["email"] == "alice@example.com"
    assert id_claims["email_verified"] is True
    assert "given_name" not in id_claims
