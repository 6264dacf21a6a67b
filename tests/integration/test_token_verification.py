"""ID tokens are verified by signature at sign-in (issue 7 §2), over HTTP against the
emulator process: once the pool's keys are cached a sign-in is one Cognito call, and a
hostile endpoint handing out forged tokens for a superuser's sub signs nobody in."""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from joserfc.jwk import RSAKey
from jwks_server import hs256_with_public_key, mint, rsa_key, tampered, unsigned
from loopback import LoopbackServer, QuietHandler

from cognito_auth.models import CognitoIdentity

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
ROOT_SUB = "99999999-8888-7777-6666-555555555555"


@pytest.fixture
def jwks_fetches(monkeypatch) -> list[str]:
    """The JWKS URLs the verifier fetched (it runs in the live server's thread, here)."""
    from cognito_auth import verifier

    fetched: list[str] = []
    fetch = verifier.fetch_jwks

    def counting(url: str) -> Any:
        fetched.append(url)
        return fetch(url)

    monkeypatch.setattr(verifier, "fetch_jwks", counting)
    return fetched


def test_a_sign_in_is_one_cognito_call_once_the_keys_are_cached(site, alice, cognito_pool, jwks_fetches):
    assert site.login("alice", PASSWORD).status_code == 302
    assert jwks_fetches == [f"{cognito_pool.endpoint_url}/{cognito_pool.pool_id}/.well-known/jwks.json"]
    before = len(cognito_pool.calls())
    second = type(site)(site.base_url)
    assert second.login("alice", PASSWORD).status_code == 302
    assert [(c["action"], c["outcome"]) for c in cognito_pool.calls()[before:]] == [("InitiateAuth", "ok")]
    assert len(jwks_fetches) == 1
    assert second.get("/").status_code == 200


class HostileCognito(LoopbackServer):
    """Something else answering on the app client's endpoint: it answers InitiateAuth itself
    with the token ``forge`` makes, and passes everything else (the JWKS) to the emulator."""

    def __init__(self, upstream: str, forge: Any) -> None:
        hostile = self
        self.initiate_auth_calls = 0

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hostile.initiate_auth_calls += 1
                self.send_json({"AuthenticationResult": {
                    "IdToken": forge(), "AccessToken": "forged.access.token", "RefreshToken": "forged",
                    "ExpiresIn": 3600, "TokenType": "Bearer",
                }}, content_type="application/x-amz-json-1.1")

            def do_GET(self) -> None:
                with urllib.request.urlopen(upstream + self.path, timeout=10) as answer:
                    self.send_json(json.load(answer))

        super().__init__(Handler)


def pool_public_key(cognito_pool) -> RSAKey:
    url = f"{cognito_pool.endpoint_url}/{cognito_pool.pool_id}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=10) as answer:
        return RSAKey.import_key(json.load(answer)["keys"][0])


def real_id_token(cognito_pool) -> str:
    from cognito_auth.client import CognitoClient
    from cognito_auth.models import AppClient

    return CognitoClient(AppClient.objects.get(is_default=True)).initiate_password_auth("alice", PASSWORD).id_token


def root_claims(cognito_pool) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": ROOT_SUB, "cognito:username": "root", "aud": cognito_pool.client_id, "token_use": "id",
        "iss": f"https://cognito-idp.{cognito_pool.region}.amazonaws.com/{cognito_pool.pool_id}",
        "iat": now, "auth_time": now, "exp": now + 3600, "email_verified": True,
    }


FORGERIES = {
    # A key of its own under the kid the pool publishes (the emulator's is "dummy").
    "own-key-published-kid": ("signature", lambda pool: mint(root_claims(pool), key=rsa_key("attacker"), kid="dummy")),
    "own-key-own-kid": ("unknown_key", lambda pool: mint(root_claims(pool), key=rsa_key("attacker"), kid="mine")),
    "alg-none": ("algorithm", lambda pool: unsigned(root_claims(pool), kid="dummy")),
    "hs256-with-pool-public-key": (
        "algorithm", lambda pool: hs256_with_public_key(root_claims(pool), pool_public_key(pool), kid="dummy")),
    "real-token-sub-swapped": ("signature", lambda pool: tampered(real_id_token(pool), sub=ROOT_SUB)),
}


@pytest.mark.parametrize("forgery", FORGERIES.keys())
def test_a_hostile_endpoint_signs_nobody_in(site, alice, cognito_pool, app_client_for_pool, caplog, forgery):
    reason, forge = FORGERIES[forgery]
    root = get_user_model().objects.create_superuser("root", "root@example.com", "Local-root-pass-1")
    CognitoIdentity.objects.create(user=root, user_pool_id=cognito_pool.pool_id, sub=ROOT_SUB, cognito_username="root")
    token = forge(cognito_pool)  # made before the endpoint changes hands
    hostile = HostileCognito(cognito_pool.endpoint_url, lambda: token)
    try:
        app_client_for_pool.endpoint_url = hostile.url
        app_client_for_pool.save()
        with caplog.at_level(logging.ERROR, logger="cognito_auth"):
            response = site.login("root", "whatever-the-attacker-typed")
        assert hostile.initiate_auth_calls == 1
    finally:
        hostile.close()
    assert response.status_code == 200
    assert "temporarily unavailable" in response.text
    assert site.get("/").status_code == 302  # not signed in
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("'emulated'" in message and f"({reason})" in message for message in errors), errors
    assert all(token not in message for message in errors)
