"""Process-wide adjustments to moto's Cognito, made once by the emulator's process.

Two things the middleware cannot fix from outside, because they happen inside moto while
it makes tokens: which attributes an ID token carries, and how long making a pool takes.
Each adjustment replaces one name in moto's module and leaves moto alone if that name is
gone, so a newer moto degrades to its own behaviour rather than breaking.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

from moto.cognitoidp import models as moto_cognito

from ._cognito_rules import token_validity

# Cognito puts these attributes in an ID token as JSON booleans; moto keeps strings.
BOOLEAN_CLAIMS = frozenset({"email_verified", "phone_number_verified"})


def adjust_moto() -> None:
    _import_pool_keys_once()
    _id_tokens_carry_readable_attributes()
    _tokens_name_the_internal_username()


# ID token claims ------------------------------------------------------------------------


def _claim(name: str, value: Any) -> Any:
    return str(value).lower() == "true" if name in BOOLEAN_CLAIMS else value


def _id_tokens_carry_readable_attributes() -> None:
    """ID tokens get the user's attributes as Cognito puts them there.

    Moto adds only the attributes a client lists in ReadAttributes; Cognito lets a client
    that lists none read them all, and its ID tokens carry them all (email, given_name...).
    """
    pool_class: Any = moto_cognito.CognitoIdpUserPool  # patched in place: its methods are replaced
    moto_extra_data = getattr(pool_class, "get_user_extra_data_by_client_id", None)
    if moto_extra_data is None or getattr(moto_extra_data, "adjusted_by_emulator", False):
        return

    def get_user_extra_data_by_client_id(pool: Any, client_id: str, username: str) -> dict[str, Any]:
        client = pool.clients.get(client_id)
        if client is not None and client.extended_config.get("ReadAttributes"):
            attributes = moto_extra_data(pool, client_id, username)
        else:
            attributes = {item["Name"]: item["Value"] for item in pool._get_user(username).attributes}
        # Developer-only attributes never reach a token.
        return {name: _claim(name, value) for name, value in attributes.items() if not name.startswith("dev:")}

    get_user_extra_data_by_client_id.adjusted_by_emulator = True  # type: ignore[attr-defined]
    pool_class.get_user_extra_data_by_client_id = get_user_extra_data_by_client_id


# Token usernames ---------------------------------------------------------------------------


def _tokens_name_the_internal_username() -> None:
    """Tokens carry the user's internal username, as Cognito's do.

    Moto writes the name it was given into `cognito:username` and the access token's
    `username` (the sub only in a pool with email among its UsernameAttributes, not
    phone_number), and in such a pool overwrites the ID token's `email` with that name.
    Cognito puts the internal username there, whichever name signed the user in.
    """
    pool_class: Any = moto_cognito.CognitoIdpUserPool  # patched in place: its methods are replaced
    moto_create_jwt = getattr(pool_class, "create_jwt", None)
    adjusted = getattr(moto_create_jwt, "adjusted_by_emulator", False)
    if moto_create_jwt is None or adjusted or not hasattr(moto_cognito, "jwt"):
        return

    def create_jwt(  # noqa: PLR0917 - moto's own signature, called positionally by moto
        pool: Any,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 60 * 60,
        extra_data: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        user = pool._get_user(username)
        client = pool.clients.get(client_id)
        if token_use in {"access", "id"} and client is not None:
            # The app client's AccessTokenValidity / IdTokenValidity, which moto ignores.
            expires_in = token_validity(client.extended_config, token_use) or expires_in
        is_access = token_use == "access"  # noqa: S105 - a token kind, not a secret
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
            "sub": user.id,
            "client_id" if is_access else "aud": client_id,
            "token_use": token_use,
            "iat": now,
            "auth_time": now,
            "exp": now + expires_in,
            "jti": str(uuid.uuid4()),
            "username" if is_access else "cognito:username": user.username,
        }
        payload.update(extra_data or {})
        headers = {"kid": "dummy", "alg": "RS256"}  # the kid of moto's published JWKS
        return moto_cognito.jwt.encode(headers, payload, pool.json_web_key), expires_in

    create_jwt.adjusted_by_emulator = True  # type: ignore[attr-defined]
    pool_class.create_jwt = create_jwt


# Pool keys --------------------------------------------------------------------------------


class _OnceImportedRSAKey:
    """joserfc's RSAKey as moto's Cognito models see it, importing each JWK only once.

    Moto imports the same fixed private key afresh for every new pool, and the RSA
    arithmetic costs a tenth of a second or more each time: a cost every test that makes
    a pool would pay. The imported key is only ever read, so one can serve every pool.
    """

    def __init__(self, rsa_key_class: Any) -> None:
        self._rsa_key_class = rsa_key_class
        self._imported: dict[str, Any] = {}
        self._lock = threading.Lock()

    def import_key(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(value, dict):
            return self._rsa_key_class.import_key(value, *args, **kwargs)
        fingerprint = json.dumps(value, sort_keys=True)
        with self._lock:
            if fingerprint not in self._imported:
                self._imported[fingerprint] = self._rsa_key_class.import_key(value)
            return self._imported[fingerprint]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rsa_key_class, name)


class _JwkWithOnceImportedKeys:
    """joserfc's jwk module, for moto's Cognito models only, with _OnceImportedRSAKey."""

    def __init__(self, jwk: Any) -> None:
        self._jwk = jwk
        self.RSAKey = _OnceImportedRSAKey(jwk.RSAKey)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jwk, name)


def _import_pool_keys_once() -> None:
    # Replaces the name in moto's module, not in joserfc, which others may use.
    jwk = getattr(moto_cognito, "jwk", None)
    if hasattr(jwk, "RSAKey") and not isinstance(jwk, _JwkWithOnceImportedKeys):
        models: Any = moto_cognito  # patched in place: a stand-in for the module it imported
        models.jwk = _JwkWithOnceImportedKeys(jwk)
