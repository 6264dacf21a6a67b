"""CognitoSessionMiddleware over HTTP against the emulator process (issue 10 §1, §2): a
fresh token makes no call, a due one exactly one renewal, Cognito's refusals end the
session, an unreachable Cognito keeps it, rotation keeps the new refresh token, and sign
out everywhere ends the sessions on another browser.

The access token's expiry is moved in the stored session (the plain clock beside the
encrypted tokens) rather than waited for."""

from __future__ import annotations

import logging
import time

import pytest
from botocore.exceptions import ClientError
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from cognito_auth.sessions import CLOCK_KEY, SessionTokens

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
RENEWALS = {"InitiateAuth": "REFRESH_TOKEN_AUTH", "GetTokensFromRefreshToken": None}


def session_of(site) -> SessionStore:
    return SessionStore(session_key=site.http.cookies["sessionid"])


def make_due(site, *, confirmed_ago: float | None = None) -> None:
    """Move the access token's expiry to now (or only the last confirmation back)."""
    session = session_of(site)
    expires_at, lifetime, confirmed_at = session[CLOCK_KEY]
    if confirmed_ago is None:
        expires_at = time.time()
    else:
        confirmed_at = time.time() - confirmed_ago
    session[CLOCK_KEY] = [expires_at, lifetime, confirmed_at]
    session.save()


def renewals(pool) -> list[str]:
    return [call["action"] for call in pool.calls()
            if call["action"] in RENEWALS and call.get("auth_flow") == RENEWALS[call["action"]]]


@pytest.fixture
def signed_in(site, alice, cognito_pool, app_client_for_pool):
    assert site.login("alice", PASSWORD).status_code == 302
    cognito_pool.emulator.reset_log()
    return site


def test_fresh_token_makes_no_call(signed_in, cognito_pool):
    for _ in range(5):
        assert signed_in.get("/").status_code == 200
    assert cognito_pool.calls() == []


def test_due_token_is_renewed_once_with_the_internal_username(signed_in, cognito_pool):
    before = SessionTokens.load(session_of(signed_in))
    make_due(signed_in)
    assert signed_in.get("/").status_code == 200
    assert signed_in.get("/").status_code == 200
    calls = cognito_pool.calls()
    assert [(c["action"], c["auth_flow"], c["secret_hash"], c["outcome"]) for c in calls] == [
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "present", "ok")]
    after = SessionTokens.load(session_of(signed_in))
    assert after.access_token != before.access_token and after.refresh_token == before.refresh_token


def test_short_lived_tokens_stay_fresh_for_most_of_their_life(site, alice, cognito_pool, app_client_for_pool):
    cognito_pool.configure_app_client(token_validity=4)  # renewed 1 s before expiry (a quarter)
    assert site.login("alice", PASSWORD).status_code == 302
    expires_at, lifetime, _ = session_of(site)[CLOCK_KEY]
    assert lifetime == 4 and expires_at - time.time() <= 4


def test_renewal_carries_claim_changes_to_the_user(signed_in, cognito_pool):
    cognito_pool.emulator.boto3_admin_client().admin_update_user_attributes(
        UserPoolId=cognito_pool.pool_id, Username="alice",
        UserAttributes=[{"Name": "given_name", "Value": "Alicia"}])
    make_due(signed_in)
    assert signed_in.get("/").status_code == 200
    assert get_user_model().objects.get(username="alice").first_name == "Alicia"


@pytest.mark.parametrize("change", ["disable", "delete", "global_sign_out"])
def test_refused_renewal_ends_the_session_with_a_message(signed_in, cognito_pool, change):
    admin = cognito_pool.emulator.boto3_admin_client()
    {"disable": admin.admin_disable_user, "delete": admin.admin_delete_user,
     "global_sign_out": admin.admin_user_global_sign_out}[change](UserPoolId=cognito_pool.pool_id, Username="alice")
    assert signed_in.get("/").status_code == 200  # fresh: not asked yet
    make_due(signed_in)
    page = signed_in.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/accounts/login/")
    assert "Please sign in again" in signed_in.get(page.headers["Location"]).text
    assert renewals(cognito_pool) == ["InitiateAuth"]
    assert [c["action"] for c in cognito_pool.calls()].count("RevokeToken") == 0


def test_cognito_down_keeps_the_person_signed_in_and_warns_once(signed_in, app_client_for_pool, closed_endpoint,
                                                                 caplog):
    app_client_for_pool.endpoint_url = closed_endpoint
    app_client_for_pool.save()
    make_due(signed_in)
    with caplog.at_level(logging.WARNING, logger="cognito_auth"):
        for _ in range(3):
            page = signed_in.get("/")
            assert page.status_code == 200 and "Signed in as alice" in page.text
    warnings = [r for r in caplog.records if r.getMessage().startswith("Could not renew")]
    assert len(warnings) == 1


def test_revalidate_after_confirms_a_fresh_session_with_one_call(signed_in, cognito_pool, settings):
    settings.COGNITO_AUTH_REVALIDATE_AFTER = 60
    assert signed_in.get("/").status_code == 200
    assert renewals(cognito_pool) == []
    make_due(signed_in, confirmed_ago=61)
    assert signed_in.get("/").status_code == 200
    assert signed_in.get("/").status_code == 200
    assert renewals(cognito_pool) == ["InitiateAuth"]


def test_rotation_keeps_the_new_refresh_token(site, alice, cognito_pool, app_client_for_pool):
    cognito_pool.configure_app_client(rotation=True, grace_period=0)
    app_client_for_pool.refresh_token_rotation = True
    app_client_for_pool.save()
    assert site.login("alice", PASSWORD).status_code == 302
    first = SessionTokens.load(session_of(site)).refresh_token
    for _ in range(2):  # the second renewal works only with the token the first handed out
        make_due(site)
        assert site.get("/").status_code == 200
    assert renewals(cognito_pool) == ["GetTokensFromRefreshToken"] * 2
    assert [c["outcome"] for c in cognito_pool.calls() if c["action"] == "GetTokensFromRefreshToken"] == ["ok"] * 2
    assert SessionTokens.load(session_of(site)).refresh_token != first


def test_sign_out_everywhere_ends_the_session_on_another_browser(site, alice, cognito_pool, app_client_for_pool):
    other_browser = type(site)(site.base_url)
    assert other_browser.login("alice", PASSWORD).status_code == 302
    assert site.login("alice", PASSWORD).status_code == 302
    assert "Sign out everywhere" in site.get("/").text
    other_tokens = SessionTokens.load(session_of(other_browser))
    # The second button of the sign-out form on the home page.
    token = site.http.cookies["csrftoken"]
    answer = site.http.post(site.base_url + "/accounts/logout/everywhere/", data={"csrfmiddlewaretoken": token},
                            headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert site.get("/").status_code == 302
    assert other_browser.get("/").status_code == 302
    assert "GlobalSignOut" in [c["action"] for c in cognito_pool.calls()]
    with pytest.raises(ClientError, match="revoked"):  # the other browser's tokens too
        cognito_pool.emulator.boto3_public_client().get_user(AccessToken=other_tokens.access_token)


def test_django_only_session_is_untouched(site, cognito_pool, app_client_for_pool):
    get_user_model().objects.create_user("local", password="Local-only-pass-1")
    assert site.login("local", "Local-only-pass-1").status_code == 302
    cognito_pool.emulator.reset_log()
    assert CLOCK_KEY not in session_of(site)
    for _ in range(3):
        assert site.get("/").status_code == 200
    assert cognito_pool.calls() == []
