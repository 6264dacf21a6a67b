"""Password change over HTTP: ChangePassword with the session's access token, renewed
through REFRESH_TOKEN_AUTH (hashed over the internal username) when it expired."""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from cognito_auth.models import AppClient
from cognito_auth.sessions import SessionTokens

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
CHANGE = "/accounts/password_change/"
NEW_PASSWORD = "Changed-Pass-99"


def change(site, old: str = PASSWORD, new: str = NEW_PASSWORD, again: str | None = None):
    return site.post_form(CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new})


def expire_access_token(site) -> SessionTokens:
    session = SessionStore(session_key=site.http.cookies["sessionid"])
    tokens = SessionTokens.load(session)
    dataclasses.replace(tokens, expires_at=0).save(session)
    session.save()
    return tokens


def test_change_password(site, alice, cognito_emulator):
    site.login("alice", PASSWORD)
    cognito_emulator.reset_log()
    response = change(site)
    assert (response.status_code, response.headers["Location"]) == (302, "/accounts/password_change/done/")
    assert [(c["action"], c["outcome"]) for c in cognito_emulator.calls()] == [("ChangePassword", "ok")]
    assert "Your password was changed" in site.get("/accounts/password_change/done/").text
    assert type(site)(site.base_url).login("alice", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("old", "new", "again", "expected", "field"),
    [
        ("Wrong-old-pass-1", NEW_PASSWORD, None, "Your old password was entered incorrectly", "old_password"),
        (PASSWORD, "short", None, "Cognito did not accept the new password: Password not long enough.", None),
        (PASSWORD, NEW_PASSWORD, "Other-Pass-99", "The two password fields", None),
        (PASSWORD, "\x00" * 3, None, "Null characters are not allowed", None),
    ],
)
def test_change_errors_are_clear(site, alice, old, new, again, expected, field):
    site.login("alice", PASSWORD)
    response = change(site, old, new, again)
    assert response.status_code == 200
    assert expected in response.text
    assert type(site)(site.base_url).login("alice", PASSWORD).status_code == 302  # unchanged


def test_expired_access_token_is_renewed_first_with_the_internal_username(site, cognito_emulator, db):
    # An email-as-username pool: the person types the email, the internal username is the sub.
    pool_id = cognito_emulator.create_user_pool("email-pool", UsernameAttributes=["email"])
    client_id, secret = cognito_emulator.create_app_client(pool_id, "site", secret=True)
    internal = cognito_emulator.create_user(pool_id, "zoe@example.com", PASSWORD)
    AppClient.objects.create(name="email", region=pool_id.split("_")[0], user_pool_id=pool_id, client_id=client_id,
                             client_secret=secret, endpoint_url=cognito_emulator.endpoint_url, is_default=True)
    assert site.login("zoe@example.com", PASSWORD).status_code == 302
    before = expire_access_token(site)
    cognito_emulator.reset_log()
    response = change(site)
    assert response.status_code == 302
    calls = [(c["action"], c["auth_flow"], c["secret_hash"], c["outcome"]) for c in cognito_emulator.calls()]
    assert calls == [("InitiateAuth", "REFRESH_TOKEN_AUTH", "present", "ok"), ("ChangePassword", None, "absent", "ok")]
    after = SessionTokens.load(SessionStore(session_key=site.http.cookies["sessionid"]))
    assert after.is_fresh and after.access_token != before.access_token
    assert after.refresh_token == before.refresh_token and after.cognito_username == internal


def test_rejected_refresh_token_means_sign_in_again(site, alice, cognito_pool, cognito_emulator):
    site.login("alice", PASSWORD)
    expire_access_token(site)
    # An administrator signs the user out everywhere: the refresh token stops working.
    cognito_emulator.boto3_admin_client().admin_user_global_sign_out(UserPoolId=cognito_pool.pool_id, Username="alice")
    # CognitoSessionMiddleware renews on the next page and finds the session refused.
    response = site.get(CHANGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=/accounts/password_change/")
    assert site.get("/").status_code == 302  # signed out
    assert "Your session has expired" in site.get(response.headers["Location"]).text


def test_django_only_user_gets_djangos_own_password_change(site, db):
    get_user_model().objects.create_user("local", password="Local-only-pass-1")
    site.login("local", "Local-only-pass-1")
    response = change(site, "Local-only-pass-1", "Local-new-pass-2")
    assert response.status_code == 302
    assert get_user_model().objects.get(username="local").check_password("Local-new-pass-2")


def test_anonymous_is_sent_to_sign_in(site):
    response = site.get(CHANGE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/password_change/"


HOSTILE = ["", "a" * 5000, "\x1b[0m", "🙂" * 100, "<b>x</b>"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_gives_a_500(site, alice, value):
    site.login("alice", PASSWORD)
    assert change(site, value, value, value).status_code == 200


def test_a_forged_post_makes_no_cognito_call_and_signs_nobody_out(site, alice, cognito_emulator):
    site.login("alice", PASSWORD)
    expire_access_token(site)
    cognito_emulator.reset_log()
    forged = site.http.post(site.base_url + CHANGE, data={"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                          "new_password2": NEW_PASSWORD},
                            allow_redirects=False, timeout=30)  # no CSRF token
    assert forged.status_code == 403
    assert cognito_emulator.calls() == []
    assert site.get("/").status_code == 200


def test_a_failed_renewal_keeps_the_person_signed_in(site, alice, cognito_pool):
    site.login("alice", PASSWORD)
    expire_access_token(site)
    cognito_pool.emulator.fail_next("InitiateAuth", cognito_pool.client_id, "InternalErrorException", "", times=2)
    response = change(site)
    assert response.status_code == 200 and "temporarily unavailable" in response.text
    assert site.get("/").status_code == 200


def test_a_new_password_ends_the_other_sessions_but_not_this_one(site, alice):
    other_device = type(site)(site.base_url)
    other_device.login("alice", PASSWORD)
    site.login("alice", PASSWORD)
    assert change(site).status_code == 302
    assert site.get("/").status_code == 200
    assert other_device.get("/").status_code == 302  # signed out
