"""Cognito's tokens: reading the ID token's claims and keeping tokens in the session.

Tokens stay server-side: the session holds them encrypted (a database session store must
never hold a token in plain text), and the browser only ever sees the session cookie.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousOperation

from . import encryption

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from .client import AuthResult
    from .models import AppClient

SESSION_KEY = "_cognito_auth_tokens"
SESSION_PURPOSE = "session_tokens"
# Tolerated clock difference between this server and Cognito, in seconds.
CLOCK_SKEW = 60


def unverified_claims(jwt: str) -> dict[str, Any]:
    """The payload of a JWT, without checking its signature.

    Safe only for tokens this server received straight from Cognito's endpoint over TLS
    in answer to its own request (OpenID Connect Core 3.1.3.7 allows TLS in place of the
    signature there). That also keeps a login at one network call: no JWKS fetch.
    """
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise SuspiciousOperation("Cognito returned a token that is not a JWT") from exc
    if not isinstance(claims, dict):
        raise SuspiciousOperation("Cognito returned a token whose payload is not an object")
    return claims


def id_token_claims(id_token: str, app_client: AppClient) -> dict[str, Any]:
    """The ID token's claims, after checking it was issued by this pool for this client."""
    claims = unverified_claims(id_token)
    issuer = str(claims.get("iss", ""))
    problems = [
        claims.get("token_use") != "id" and "token_use is not 'id'",
        claims.get("aud") != app_client.client_id and "audience is another client",
        issuer.rsplit("/", 1)[-1] != app_client.user_pool_id and "issuer is another pool",
        not claims.get("sub") and "no sub",
        float(claims.get("exp", 0)) + CLOCK_SKEW < time.time() and "expired",
    ]
    problems = [p for p in problems if p]
    if problems:
        raise SuspiciousOperation(f"Cognito ID token rejected: {', '.join(problems)}")
    return claims


@dataclass(frozen=True)
class SessionTokens:
    """What a signed-in session keeps of Cognito's answer."""

    app_client_pk: int
    cognito_username: str  # the internal username: refreshes are hashed over it
    # No ID token: its claims were used at sign-in, and every page view would carry its
    # kilobyte or two in the session for nothing.
    access_token: str
    refresh_token: str
    expires_at: float

    @classmethod
    def from_auth_result(
        cls, result: AuthResult, app_client: AppClient, cognito_username: str, refresh_token: str = ""
    ) -> SessionTokens:
        """From InitiateAuth's answer; a refresh answers without a new refresh token, so
        the one it used is passed on."""
        return cls(
            app_client_pk=app_client.pk,
            cognito_username=cognito_username,
            access_token=result.access_token,
            refresh_token=result.refresh_token or refresh_token,
            expires_at=time.time() + result.expires_in,
        )

    @property
    def is_fresh(self) -> bool:
        return time.time() + CLOCK_SKEW < self.expires_at

    def save(self, session: SessionBase) -> None:
        session[SESSION_KEY] = encryption.encrypt(json.dumps(asdict(self)), SESSION_PURPOSE)

    @classmethod
    def load(cls, session: SessionBase) -> SessionTokens | None:
        """The tokens of this session, or None (not a Cognito sign-in, or unreadable)."""
        stored = session.get(SESSION_KEY)
        if not stored:
            return None
        try:
            return cls(**json.loads(encryption.decrypt(stored, SESSION_PURPOSE)))
        except (encryption.UndecryptableSecret, TypeError, ValueError):
            return None
