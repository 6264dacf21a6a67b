"""Session data of an unexpected type (issue 7 §7): what a session store migration, an older
release or a bug left under this app's keys means "not signed in to Cognito" (or "no flow
under way"), on every page that reads it, never a 500."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore

from cognito_auth import encryption
from cognito_auth.sessions import SESSION_KEY, SESSION_PURPOSE
from cognito_auth.views import RESET_SESSION_KEY, SIGN_UP_SESSION_KEY

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def encrypted(value) -> str:
    return encryption.encrypt(json.dumps(value), SESSION_PURPOSE)


TOKEN_FIELDS = {"app_client_pk": 1, "cognito_username": "alice", "access_token": "a.b.c", "refresh_token": "r",
                "expires_at": 2e9}
# JSON-serialisable, as the session store's serializer requires (bytes: tests/test_tokens.py).
UNEXPECTED = {
    "int": 42,
    "float": 0.5,
    "true": True,
    "dict": {"access_token": "a.b.c", "refresh_token": 7},
    "list": [1, "two"],
    "garbage": "gAAAAAnot-a-valid-token",
    "non-ascii": "\u00e9t\u00e9 \u2603",
    "encrypted-other-shape": encrypted(["alice", 1]),
    "encrypted-wrong-types": encrypted({**TOKEN_FIELDS, "expires_at": "soon", "app_client_pk": {"pk": 1}}),
}


def put(site, key: str, value) -> None:
    session = SessionStore(session_key=site.http.cookies["sessionid"])
    session[key] = value
    session.save()


def post(site, path: str, data: dict):
    """A POST straight away (a GET first would already read the session)."""
    token = site.http.cookies["csrftoken"]
    return site.http.post(site.base_url + path, data={"csrfmiddlewaretoken": token, **data},
                          headers={"Referer": site.base_url + path}, allow_redirects=False, timeout=30)


def signed_in_with(site, value):
    site.http.cookies.clear()
    assert site.login("alice", PASSWORD).status_code == 302
    put(site, SESSION_KEY, value)


@pytest.mark.parametrize("value", UNEXPECTED.values(), ids=UNEXPECTED.keys())
def test_unexpected_token_data_means_not_signed_in_to_cognito(site, alice, cognito_pool, value):
    signed_in_with(site, value)
    home = site.get("/")
    assert (home.status_code, "alice" in home.text) == (200, True)

    # Password change: no Cognito tokens and no local password, so sign in again.
    page = site.get("/accounts/password_change/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/accounts/login/")
    signed_in_with(site, value)
    posted = post(site, "/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "Changed-Pass-99", "new_password2": "Changed-Pass-99"})
    assert posted.status_code == 302 and posted.headers["Location"].startswith("/accounts/login/")

    # Logout signs out and revokes nothing (no refresh token to revoke).
    signed_in_with(site, value)
    before = len(cognito_pool.calls())
    assert post(site, "/accounts/logout/", {}).status_code in (200, 302)
    assert cognito_pool.calls()[before:] == []
    assert site.get("/").status_code == 302


@pytest.mark.parametrize("value", UNEXPECTED.values(), ids=UNEXPECTED.keys())
def test_unexpected_flow_data_means_no_flow_under_way(site, settings, app_client_for_pool, value):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    session = SessionStore()
    session.save()
    site.http.cookies.set("sessionid", session.session_key)  # an anonymous visitor's session
    for key, page in ((RESET_SESSION_KEY, "/accounts/password_reset/confirm/"),
                      (SIGN_UP_SESSION_KEY, "/accounts/signup/confirm/")):
        put(site, key, value)
        answer = site.get(page)
        assert answer.status_code == 200, page
        assert "username" in answer.text  # no name kept: the page asks for it
