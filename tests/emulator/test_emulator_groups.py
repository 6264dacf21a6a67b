"""Groups in tokens: Cognito lists a user's groups in the ID and the access token's
``cognito:groups`` (absent when the user is in none), at sign-in and on refresh (Amazon
Cognito Developer Guide, "Understanding the identity token" / "the access token")."""

from __future__ import annotations

from test_emulator_tokens import claims

PASSWORD = "Correct-horse-7"


def tokens_groups(result: dict) -> tuple[object, object]:
    tokens = result["AuthenticationResult"]
    return claims(tokens["IdToken"]).get("cognito:groups"), claims(tokens["AccessToken"]).get("cognito:groups")


def test_a_user_in_no_group_has_no_groups_claim(cognito_pool, sign_in):
    cognito_pool.create_user("alice", PASSWORD)
    assert tokens_groups(sign_in("alice", PASSWORD)) == (None, None)


def test_set_groups_puts_them_in_both_tokens_and_follows_removal(cognito_pool, sign_in, public_client, pool_hash):
    cognito_pool.create_user("alice", PASSWORD)
    cognito_pool.set_groups("alice", "staff", "editors")
    id_groups, access_groups = tokens_groups(signed_in := sign_in("alice", PASSWORD))
    assert sorted(id_groups) == sorted(access_groups) == ["editors", "staff"]

    cognito_pool.set_groups("alice", "editors")  # removed from staff: the next tokens say so
    refreshed = public_client.initiate_auth(
        ClientId=cognito_pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": signed_in["AuthenticationResult"]["RefreshToken"],
                        "SECRET_HASH": pool_hash("alice")},
    )
    assert tokens_groups(refreshed) == (["editors"], ["editors"])

    cognito_pool.set_groups("alice")
    assert tokens_groups(sign_in("alice", PASSWORD)) == (None, None)
