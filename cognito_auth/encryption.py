"""Encryption at rest for client secrets and session tokens.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) with keys derived from
``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``: values written under an old key stay readable
after a key rotation and are re-encrypted under the current key on the next save.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableSecret(ImproperlyConfigured):
    """A value was encrypted under a SECRET_KEY that is neither current nor a fallback."""


def _derive_key(secret_key: str | bytes, purpose: str) -> bytes:
    # A separate key per purpose, so a token encrypted for a session can never be
    # decrypted as a client secret and vice versa.
    if isinstance(secret_key, str):
        secret_key = secret_key.encode("utf-8")
    digest = hmac.new(secret_key, f"cognito_auth.{purpose}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet(purpose: str) -> MultiFernet:
    # Read on every call, so a key rotation or override_settings takes effect at once.
    return _fernet_for((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])), purpose)


@lru_cache(maxsize=16)
def _fernet_for(keys: tuple[str | bytes, ...], purpose: str) -> MultiFernet:
    # Built once per set of keys: deriving each key and building its Fernet cost more
    # than decrypting a client secret, which every sign-in does.
    return MultiFernet([Fernet(_derive_key(key, purpose)) for key in keys])


def encrypt(plaintext: str, purpose: str) -> str:
    """Encrypt under the current SECRET_KEY. The empty string stays empty (no secret)."""
    if not plaintext:
        return ""
    return _fernet(purpose).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str, purpose: str) -> str:
    """Decrypt with the current key or any fallback (Fernet: AES-128-CBC with HMAC-SHA256).

    :returns: the plain text; "" for "".
    :raises UndecryptableSecret: no key decrypts it (a SECRET_KEY change without a fallback).
    """
    if not ciphertext:
        return ""
    try:
        return _fernet(purpose).decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise UndecryptableSecret(
            f"A {purpose} was encrypted with a SECRET_KEY that is neither SECRET_KEY nor in "
            "SECRET_KEY_FALLBACKS; add the old key to SECRET_KEY_FALLBACKS or enter the "
            "value again."
        ) from exc


def rotate(ciphertext: str, purpose: str) -> str:
    """Re-encrypt a value written under a fallback key under the current SECRET_KEY."""
    if not ciphertext:
        return ""
    try:
        return _fernet(purpose).rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return ciphertext  # unreadable: keep it, so nothing is lost; decrypt() explains
