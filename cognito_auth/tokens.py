"""Cognito's tokens: the ID token's verified claims, and keeping tokens in the session.

Tokens stay server-side: the session holds them encrypted (a database session store must
never hold a token in plain text), and the browser only ever sees the session cookie.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousOperation

from . import encryption
from .exceptions import CognitoError
from .verifier import CLOCK_SKEW, verify_token

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from .client import AuthResult
    from .models import AppClient

SESSION_KEY = "_cognito_auth_tokens"
SESSION_PURPOSE = "session_tokens"


def id_token_claims(id_token: str, app_client: AppClient) -> dict[str, Any]:
    """The ID token's claims, once ``verifier.verify_token`` has checked its signature
    against the pool's keys and its issuer, ``token_use``, audience, expiry and ``sub``.

    :raises SuspiciousOperation: the token was refused (a ``verifier.TokenInvalid`` with
        its ``reason``), or could not be verified because the pool's keys could not be
        fetched or the endpoint is not allowed; the message says which, never the token.
    """
    try:
        return verify_token(id_token, app_client, "id")
    except CognitoError as exc:  # ServiceUnavailable, EndpointNotAllowed
        raise SuspiciousOperation(f"Cognito ID token could not be verified: {exc}") from None


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
        """The tokens of this session, or None: not a Cognito sign-in.

        Whatever else a session store migration, an older release or a bug left under the
        key (an int, a dict, bytes, a value encrypted under a retired key, JSON of another
        shape) also reads as None, never as an error: the person is simply not signed in
        to Cognito.
        """
        stored = session.get(SESSION_KEY)
        if not stored or not isinstance(stored, str):
            return None
        try:
            fields = json.loads(encryption.decrypt(stored, SESSION_PURPOSE))
        except (encryption.UndecryptableSecret, ValueError):
            return None
        if not isinstance(fields, dict) or set(fields) != set(cls.__dataclass_fields__):
            return None
        if not all(_is_type(fields[name], kind) for name, kind in FIELD_TYPES.items()):
            return None
        return cls(**fields)


# The JSON types of the stored fields (an int where a float is wanted is fine; bools are not numbers).
FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "app_client_pk": (int,),
    "cognito_username": (str,),
    "access_token": (str,),
    "refresh_token": (str,),
    "expires_at": (int, float),
}


def _is_type(value: Any, kinds: tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and not isinstance(value, bool)
