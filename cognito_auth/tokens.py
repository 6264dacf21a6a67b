"""Cognito's ID token, verified. (A session's tokens: ``sessions``.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousOperation

from .exceptions import CognitoError
from .verifier import verify_token

if TYPE_CHECKING:
    from .models import AppClient


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
