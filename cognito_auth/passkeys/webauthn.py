"""The relying party this site is, and the checks on a browser's passkey response the
site makes before Cognito sees it (W3C Web Authentication Level 3, 7.1: the client data's
type, challenge and origin)."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from typing import Any

from django.http import HttpRequest
from django.http.request import split_domain_port

from ..conf import app_settings

# The largest RegistrationResponseJSON accepted (characters): a passkey's attestation is a
# few hundred bytes to a few KiB; packed attestation with a certificate chain stays far below.
MAX_CREDENTIAL_CHARS = 64 * 1024
REGISTRATION_CEREMONY = "webauthn.create"
ASSERTION_CEREMONY = "webauthn.get"


class ResponseProblem(ValueError):
    """A browser's response the site refuses; ``reason`` keys PASSKEY_FAILURES."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def expected_origin(request: HttpRequest) -> str:
    """COGNITO_AUTH_WEBAUTHN_ORIGIN, else this request's scheme and host (``https://host[:port]``)."""
    return app_settings.WEBAUTHN_ORIGIN or f"{request.scheme}://{request.get_host()}"


def serves_relying_party(request: HttpRequest, relying_party_id: str) -> bool:
    """Whether a browser on this site can use passkeys of ``relying_party_id``: equal to
    COGNITO_AUTH_WEBAUTHN_RP_ID when set, else the page's host or a parent domain of it."""
    configured = app_settings.WEBAUTHN_RP_ID
    if configured:
        return relying_party_id == configured
    host, _port = split_domain_port(request.get_host())
    relying_party_id = relying_party_id.lower()
    return bool(relying_party_id) and (host == relying_party_id or host.endswith("." + relying_party_id))


def from_b64url(text: str) -> bytes:
    """Bytes from unpadded base64url; raises ValueError for anything else."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def registration_response(text: str, *, challenge: str, origin: str) -> dict[str, Any]:
    """The RegistrationResponseJSON the browser posted, once it is well formed and its
    client data names this registration's challenge and this site's origin.

    ``challenge`` is the base64url challenge of the options handed to the browser.

    :raises ResponseProblem: "malformed" (not such a document), "challenge_ended" (another
        registration's answer), "refused" (another origin, or not a registration).
    """
    return _checked_response(
        text, ceremony=REGISTRATION_CEREMONY, response_fields=("clientDataJSON", "attestationObject"),
        challenge=challenge, origin=origin,
    )


def assertion_response(text: str, *, challenge: str, origin: str) -> dict[str, Any]:
    """The AuthenticationResponseJSON the browser posted for a WEB_AUTHN sign-in step, once
    it is well formed and its client data names the step's challenge and this site's
    origin. Cognito checks the signature, the RP ID and the sign counter; this spares it
    answers that cannot be right (W3C Web Authentication Level 3, 7.2 steps 11-13).

    :raises ResponseProblem: "malformed", "challenge_ended" (another sign-in's answer),
        "refused" (another origin, or not a sign-in).
    """
    return _checked_response(
        text, ceremony=ASSERTION_CEREMONY, response_fields=("clientDataJSON", "authenticatorData", "signature"),
        challenge=challenge, origin=origin,
    )


def _checked_response(
    text: str, *, ceremony: str, response_fields: tuple[str, ...], challenge: str, origin: str
) -> dict[str, Any]:
    try:
        credential = json.loads(text)
    except ValueError:
        raise ResponseProblem("malformed") from None
    if not isinstance(credential, dict) or credential.get("type") != "public-key":
        raise ResponseProblem("malformed")
    response = credential.get("response")
    if not isinstance(response, dict) or not all(
        isinstance(value, str) and value
        for value in (credential.get("id"), credential.get("rawId"), *(response.get(name) for name in response_fields))
    ):
        raise ResponseProblem("malformed")
    try:
        client_data = json.loads(from_b64url(response["clientDataJSON"]))
    except ValueError:
        raise ResponseProblem("malformed") from None
    if not isinstance(client_data, dict):
        raise ResponseProblem("malformed")
    if client_data.get("type") != ceremony or client_data.get("origin") != origin:
        raise ResponseProblem("refused")
    if not hmac.compare_digest(str(client_data.get("challenge", "")).encode(), challenge.encode()):
        raise ResponseProblem("challenge_ended")
    return credential
