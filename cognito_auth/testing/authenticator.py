"""A software WebAuthn authenticator for tests: answers Cognito's passkey options the way
a browser and a passkey provider would, with an ES256 key per credential.

::

    authenticator = SoftwareAuthenticator(origin="http://localhost:8000")
    response = authenticator.register(options)        # RegistrationResponseJSON
    answer = authenticator.sign_in(request_options)   # AuthenticationResponseJSON

`options` are the CredentialCreationOptions StartWebAuthnRegistration returns; the
results are the JSON documents CompleteWebAuthnRegistration (Credential) and the
WEB_AUTHN challenge's CREDENTIAL answer take. Attestation is "none", as for passkeys.

Source: W3C Web Authentication Level 3, sections 5.1 (the JSON forms), 6.1 (authenticator
data), 6.5.4 (attestation object), 8.7 (None attestation statement format).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import encode_cbor

USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED_CREDENTIAL_DATA = 0x40
# The AAGUID of an authenticator that does not say what it is (all zeros).
NO_AAGUID = bytes(16)


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 4648 section 5), WebAuthn's JSON form of bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class _Credential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    relying_party_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftwareAuthenticator:
    """A passkey provider in memory. `origin` is where the "browser" says the page is;
    `user_verified` sets the UV flag; `sign_count_step` is how much the counter grows per
    signature (0: a provider that keeps no counter, as many synced passkeys do)."""

    origin: str
    user_verified: bool = True
    sign_count_step: int = 1
    attachment: str = "platform"
    credentials: list[_Credential] = field(default_factory=list, repr=False)

    def register(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """RegistrationResponseJSON for CredentialCreationOptions (navigator.credentials.create).

        `origin` overrides the authenticator's for this one response (a phishing page).
        """
        relying_party_id = options["rp"]["id"]
        credential = _Credential(
            credential_id=secrets.token_bytes(32),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            relying_party_id=relying_party_id,
            user_handle=from_b64url(options["user"]["id"]),
        )
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        numbers = credential.private_key.public_key().public_numbers()
        # COSE_Key (RFC 9053): EC2, ES256, P-256, x, y.
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        cose_key = encode_cbor({1: 2, 3: -7, -1: 1, -2: x, -3: y})
        attested = NO_AAGUID + struct.pack(">H", len(credential.credential_id)) + credential.credential_id + cose_key
        auth_data = self._auth_data(relying_party_id, ATTESTED_CREDENTIAL_DATA, credential.sign_count) + attested
        attestation_object = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(credential)
        return self._credential_json(credential, client_data, {
            "attestationObject": b64url(attestation_object), "transports": ["internal"],
        })

    def sign_in(
        self, options: dict[str, Any], *, origin: str | None = None, credential_id: str | None = None
    ) -> dict[str, Any]:
        """AuthenticationResponseJSON for CREDENTIAL_REQUEST_OPTIONS (navigator.credentials.get),
        signed by the newest of its credentials for the RP (or the one `credential_id` names).

        :raises LookupError: no credential of this authenticator fits.
        """
        relying_party_id = options["rpId"]
        fitting = [
            credential for credential in self.credentials
            if credential.relying_party_id == relying_party_id
            and (credential_id is None or b64url(credential.credential_id) == credential_id)
        ]
        if not fitting:
            raise LookupError(f"no passkey for {relying_party_id}")
        credential = fitting[-1]
        credential.sign_count += self.sign_count_step
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = self._auth_data(relying_party_id, 0, credential.sign_count)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = credential.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return self._credential_json(credential, client_data, {
            "authenticatorData": b64url(auth_data), "signature": b64url(signature),
            "userHandle": b64url(credential.user_handle),
        })

    def _credential_json(self, credential: _Credential, client_data: bytes, fields: dict[str, Any]) -> dict[str, Any]:
        # What RegistrationResponseJSON and AuthenticationResponseJSON share (WebAuthn
        # Level 3, 5.1.3 and 5.1.4); `fields` are the response's own.
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data), **fields},
            "authenticatorAttachment": self.attachment,
            "clientExtensionResults": {},
        }

    def _client_data(self, ceremony: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": ceremony, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def _auth_data(self, relying_party_id: str, flags: int, sign_count: int) -> bytes:
        flags |= USER_PRESENT | (USER_VERIFIED if self.user_verified else 0)
        return hashlib.sha256(relying_party_id.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)

