"""USER_SRP_AUTH's first step: PASSWORD_VERIFIER names the internal username."""

from __future__ import annotations

from cognito_auth.srp import SrpSession


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
