"""What sessions that follow Cognito need of the emulator: token validity (the seconds
unit below Cognito's floor, for tests), GetTokensFromRefreshToken with rotation and a
grace period, GlobalSignOut / AdminUserGlobalSignOut revoking refresh and access tokens,
and disabled or deleted users refused on refresh and on GetUser."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Correct-horse-7"
REVOKED_ACCESS = "Access Token has been revoked"


@pytest.fixture
def alice(cognito_pool, sign_in):
    cognito_pool.create_user("alice", PASSWORD)
    return lambda: sign_in("alice", PASSWORD)["AuthenticationResult"]


def get_tokens(public_client, pool, refresh_token, secret=None):
    return public_client.get_tokens_from_refresh_token(
        RefreshToken=refresh_token, ClientId=pool.client_id, ClientSecret=secret or pool.client_secret,
    )["AuthenticationResult"]


def refresh(public_client, pool, pool_hash, refresh_token):
    return public_client.initiate_auth(
        ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": pool_hash("alice")},
    )["AuthenticationResult"]


def test_token_validity_in_seconds_sets_expires_in_and_exp(cognito_pool, alice, public_client):
    cognito_pool.configure_app_client(token_validity=5)
    tokens = alice()
    assert tokens["ExpiresIn"] == 5
    assert get_tokens(public_client, cognito_pool, tokens["RefreshToken"])["ExpiresIn"] == 5


def test_token_validity_below_the_floor_is_refused_in_minutes(cognito_pool, cognito_emulator, expect_error):
    expect_error(lambda: cognito_emulator.boto3_admin_client().update_user_pool_client(
        UserPoolId=cognito_pool.pool_id, ClientId=cognito_pool.client_id,
        AccessTokenValidity=2, TokenValidityUnits={"AccessToken": "minutes"},
    ), "InvalidParameterException")


def test_get_tokens_without_rotation_keeps_the_refresh_token(cognito_pool, alice, public_client, expect_error):
    tokens = alice()
    renewed = get_tokens(public_client, cognito_pool, tokens["RefreshToken"])
    assert "RefreshToken" not in renewed and renewed["AccessToken"] and renewed["IdToken"]
    get_tokens(public_client, cognito_pool, tokens["RefreshToken"])  # still good
    expect_error(lambda: get_tokens(public_client, cognito_pool, tokens["RefreshToken"], secret="wrong" * 8),
                 "NotAuthorizedException")


def test_rotation_hands_out_a_new_refresh_token_and_retires_the_old(
    cognito_pool, alice, public_client, pool_hash, expect_error,
):
    cognito_pool.configure_app_client(rotation=True, grace_period=0)
    old = alice()["RefreshToken"]
    renewed = get_tokens(public_client, cognito_pool, old)
    assert renewed["RefreshToken"] != old
    expect_error(lambda: get_tokens(public_client, cognito_pool, old), "NotAuthorizedException")
    assert get_tokens(public_client, cognito_pool, renewed["RefreshToken"])["RefreshToken"]
    # With rotation on, REFRESH_TOKEN_AUTH is not the way (RefreshTokenRotationType).
    expect_error(lambda: refresh(public_client, cognito_pool, pool_hash, renewed["RefreshToken"]),
                 "InvalidParameterException")


def test_rotated_out_token_works_during_the_grace_period(cognito_pool, alice, public_client):
    cognito_pool.configure_app_client(rotation=True, grace_period=60)
    old = alice()["RefreshToken"]
    first = get_tokens(public_client, cognito_pool, old)
    again = get_tokens(public_client, cognito_pool, old)  # a client-side retry
    assert first["RefreshToken"] != old and again["RefreshToken"] != old


@pytest.mark.parametrize("how", ["GlobalSignOut", "AdminUserGlobalSignOut"])
def test_global_sign_out_revokes_refresh_and_access_tokens(
    cognito_pool, cognito_emulator, alice, public_client, pool_hash, expect_error, how,
):
    first, second = alice(), alice()  # two devices
    if how == "GlobalSignOut":
        public_client.global_sign_out(AccessToken=first["AccessToken"])
    else:
        cognito_emulator.boto3_admin_client().admin_user_global_sign_out(
            UserPoolId=cognito_pool.pool_id, Username="alice")
    for tokens in (first, second):
        expect_error(lambda t=tokens: public_client.get_user(AccessToken=t["AccessToken"]),
                     "NotAuthorizedException", REVOKED_ACCESS)
        expect_error(lambda t=tokens: refresh(public_client, cognito_pool, pool_hash, t["RefreshToken"]),
                     "NotAuthorizedException")
        expect_error(lambda t=tokens: get_tokens(public_client, cognito_pool, t["RefreshToken"]),
                     "NotAuthorizedException")


def test_disabled_user_is_refused_on_refresh_and_get_user(
    cognito_pool, cognito_emulator, alice, public_client, pool_hash, expect_error,
):
    tokens = alice()
    cognito_emulator.boto3_admin_client().admin_disable_user(UserPoolId=cognito_pool.pool_id, Username="alice")
    expect_error(lambda: public_client.get_user(AccessToken=tokens["AccessToken"]),
                 "NotAuthorizedException", "User is disabled.")
    expect_error(lambda: refresh(public_client, cognito_pool, pool_hash, tokens["RefreshToken"]),
                 "NotAuthorizedException", "User is disabled.")
    expect_error(lambda: get_tokens(public_client, cognito_pool, tokens["RefreshToken"]),
                 "NotAuthorizedException", "User is disabled.")


def test_deleted_user_is_refused_on_refresh_and_get_user(
    cognito_pool, cognito_emulator, alice, public_client, pool_hash,
):
    tokens = alice()
    cognito_emulator.boto3_admin_client().admin_delete_user(UserPoolId=cognito_pool.pool_id, Username="alice")
    for call in (
        lambda: public_client.get_user(AccessToken=tokens["AccessToken"]),
        lambda: refresh(public_client, cognito_pool, pool_hash, tokens["RefreshToken"]),
        lambda: get_tokens(public_client, cognito_pool, tokens["RefreshToken"]),
    ):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] in {"NotAuthorizedException", "UserNotFoundException"}


