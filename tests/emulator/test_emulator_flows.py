"""ExplicitAuthFlows are enforced, with Cognito's defaults when a client sets none."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-horse-7"


@pytest.fixture
def make_client(cognito_emulator, cognito_pool):
    """make_client(flows): a secret-holding client of cognito_pool with those ExplicitAuthFlows."""
    return lambda flows: cognito_emulator.create_app_client(cognito_pool.pool_id, "flows", True, flows)


@pytest.fixture
def hash_for(openssl_hash):
    return lambda client, username: openssl_hash(client[1], client[0], username)


def password_auth(public_client, client, hash_for, username="alice"):
    return public_client.initiate_auth(
        ClientId=client[0],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": username,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": hash_for(client, username),
        },
    )


def srp_auth(public_client, client, hash_for, username="alice"):
    return public_client.initiate_auth(
        ClientId=client[0],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": "abcdef", "SECRET_HASH": hash_for(client, username)},
    )


def test_password_flow_needs_its_flag(cognito_pool, make_client, public_client, hash_for, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    client = make_client(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])

    expect_error(
        lambda: password_auth(public_client, client, hash_for),
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )


def test_srp_flow_needs_its_flag(cognito_pool, make_client, public_client, hash_for, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    client = make_client(["ALLOW_USER_PASSWORD_AUTH"])

    expect_error(
        lambda: srp_auth(public_client, client, hash_for),
        "InvalidParameterException",
        "USER_SRP_AUTH flow not enabled for this client",
    )


def test_defaults_apply_when_no_flows_are_set(cognito_pool, make_client, public_client, hash_for, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    client = make_client(None)

    expect_error(
        lambda: password_auth(public_client, client, hash_for),
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    # SRP is among the defaults, so the call gets past the flow check to moto's challenge.
    assert srp_auth(public_client, client, hash_for)["ChallengeName"] == "PASSWORD_VERIFIER"


def test_legacy_flag_enables_password_sign_in(cognito_pool, make_client, public_client, hash_for):
    cognito_pool.create_user("alice", PASSWORD)
    client = make_client(["USER_PASSWORD_AUTH"])

    result = password_auth(public_client, client, hash_for)

    assert result["AuthenticationResult"]["RefreshToken"]


def test_refresh_needs_its_flag(cognito_pool, make_client, public_client, hash_for, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    client = make_client(["ALLOW_USER_PASSWORD_AUTH"])
    refresh_token = password_auth(public_client, client, hash_for)["AuthenticationResult"]["RefreshToken"]

    expect_error(
        lambda: public_client.initiate_auth(
            ClientId=client[0],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": hash_for(client, "alice")},
        ),
        "InvalidParameterException",
        "REFRESH_TOKEN_AUTH flow not enabled for this client",
    )


def test_admin_password_flow_needs_its_flag(cognito_emulator, cognito_pool, make_client, hash_for, expect_error):
    cognito_pool.create_user("alice", PASSWORD)
    admin = cognito_emulator.boto3_admin_client()

    def admin_auth(client):
        return admin.admin_initiate_auth(
            UserPoolId=cognito_pool.pool_id,
            ClientId=client[0],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "alice",
                "PASSWORD": PASSWORD,
                "SECRET_HASH": hash_for(client, "alice"),
            },
        )

    expect_error(
        lambda: admin_auth(make_client(["ALLOW_USER_PASSWORD_AUTH"])),
        "InvalidParameterException",
        "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client",
    )
    assert admin_auth(make_client(["ALLOW_ADMIN_USER_PASSWORD_AUTH"]))["AuthenticationResult"]
