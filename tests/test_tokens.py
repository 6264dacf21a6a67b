"""ID token checks and the encrypted session copy of the tokens."""

import base64
import json
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import SuspiciousOperation

from cognito_auth.models import AppClient
from cognito_auth.tokens import SESSION_KEY, SessionTokens, id_token_claims, unverified_claims

CLIENT = AppClient(name="t", region="eu-west-1", user_pool_id="eu-west-1_Pool", client_id="theclient")


def jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


def good_claims(**changes) -> dict:
    claims = {
        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool", "aud": "theclient",
        "token_use": "id", "sub": "1234-abcd", "exp": time.time() + 3600, "cognito:username": "alice",
    }
    claims.update(changes)
    return claims


def test_good_id_token_gives_its_claims():
    assert id_token_claims(jwt(good_claims()), CLIENT)["cognito:username"] == "alice"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"aud": "otherclient"}, "audience"),
        ({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"}, "issuer"),
        ({"token_use": "access"}, "token_use"),
        ({"exp": time.time() - 3600}, "expired"),
        ({"sub": ""}, "no sub"),
    ],
)
def test_bad_id_tokens_are_refused(changes, problem):
    with pytest.raises(SuspiciousOperation, match=problem):
        id_token_claims(jwt(good_claims(**changes)), CLIENT)


@pytest.mark.parametrize("token", ["", "abc", "a.!!!.c", "a.bnVsbA.c", f"a.{base64.b64encode(b'[1]').decode()}.c"])
def test_garbage_is_not_a_jwt(token):
    with pytest.raises(SuspiciousOperation):
        unverified_claims(token)


@pytest.mark.django_db
def test_session_copy_is_encrypted_and_round_trips():
    tokens = SessionTokens(app_client_pk=1, cognito_username="alice",
                           access_token="acc.ess.tok", refresh_token="refresh-secret", expires_at=time.time() + 60)
    session = SessionStore()
    tokens.save(session)
    session.save()
    raw = SessionStore.get_model_class().objects.get(session_key=session.session_key)
    assert "refresh-secret" not in raw.session_data
    assert "refresh-secret" not in json.dumps(dict(session))
    assert SessionTokens.load(SessionStore(session.session_key)) == tokens


@pytest.mark.django_db
def test_tampered_session_copy_is_ignored():
    session = SessionStore()
    session[SESSION_KEY] = "gAAAAAnot-a-valid-token"
    assert SessionTokens.load(session) is None
