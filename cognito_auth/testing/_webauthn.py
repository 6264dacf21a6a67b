"""Passkeys (WebAuthn) as the strict emulator answers them; moto has none of it.

- StartWebAuthnRegistration: the signed-in user's CredentialCreationOptions, in the JSON
  form of WebAuthn's PublicKeyCredentialCreationOptions (base64url byte fields), with a
  fresh challenge bound to the pool, user and app client.
- CompleteWebAuthnRegistration: the browser's RegistrationResponseJSON, verified with the
  `webauthn` library (py_webauthn): the challenge (single use, expires with the options'
  timeout), the origin (the relying party ID or a subdomain of it over https), the RP ID
  hash in the authenticator data, the attestation ("none" and the usual formats) and the
  user-verification requirement of the pool.
- ListWebAuthnCredentials (paginated) and DeleteWebAuthnCredential: only the caller's own
  passkeys; another user's credential id is not found, as Cognito answers.
- A pool's WebAuthnConfiguration (SetUserPoolMfaConfig / GetUserPoolMfaConfig); the
  relying party ID is its RelyingPartyId, else the pool's domain, else the calls fail with
  WebAuthnConfigurationMissingException. Passkeys must be an allowed first factor
  (Policies.SignInPolicy.AllowedFirstAuthFactors has WEB_AUTHN), else
  WebAuthnNotEnabledException.
- For the WEB_AUTHN sign-in challenge: `credential_request_options` and `verify_assertion`
  (signature, origin, RP ID, challenge, a sign counter that must grow).

One allowance real Cognito may not make: an origin of ``http://localhost[:port]`` counts
for the relying party ``localhost`` (browsers treat it as a secure context), so tests and
the demo need no TLS.

Sources (Amazon Cognito API Reference): StartWebAuthnRegistration,
CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential,
WebAuthnConfigurationType, WebAuthnCredentialDescription, SignInPolicyType; W3C Web
Authentication Level 3 (the JSON forms of the options and responses).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import (
    parse_attestation_object,
    parse_authentication_credential_json,
    parse_authenticator_data,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException

from . import _cognito_rules as rules
from ._moto_state import find_pool_by_access_token, find_user

NOT_ENABLED = "WebAuthnNotEnabledException"
CONFIGURATION_MISSING = "WebAuthnConfigurationMissingException"
CHALLENGE_NOT_FOUND = "WebAuthnChallengeNotFoundException"
RELYING_PARTY_MISMATCH = "WebAuthnRelyingPartyMismatchException"
CLIENT_MISMATCH = "WebAuthnClientMismatchException"
ORIGIN_NOT_ALLOWED = "WebAuthnOriginNotAllowedException"
FEATURE_UNAVAILABLE = "FeatureUnavailableInTierException"

WEB_AUTHN = "WEB_AUTHN"
USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"
# How long a challenge may be answered (milliseconds, the options' timeout).
CHALLENGE_TIMEOUT_MS = 180_000
# ES256 and RS256, the algorithms every passkey provider offers.
PUBLIC_KEY_ALGORITHMS = (-7, -257)
USER_VERIFICATION = ("required", "preferred")
FACTOR_CONFIGURATIONS = ("SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION")
# ListWebAuthnCredentials' MaxResults: 0 to 20 (WebAuthnCredentialsQueryLimitType).
MAX_LISTED = 20
RELYING_PARTY_ID_LENGTH = (1, 127)

INVALID_ACCESS_TOKEN = "Invalid Access Token"  # noqa: S105 - an error text
MISSING_SCOPE = "Access Token does not have required scopes"
INVALID_CREDENTIAL = "The passkey credential is not valid."
CREDENTIAL_NOT_FOUND = "Passkey credential not found."
ALREADY_REGISTERED = "The passkey credential is already registered."
ASSERTION_FAILED = "Invalid passkey credential."


@dataclass
class StoredCredential:
    """A registered passkey: what the pool keeps to check the user's later assertions."""

    credential_id: str  # base64url, as the browser names it
    public_key: bytes = field(repr=False)  # COSE_Key
    sign_count: int
    relying_party_id: str
    created_at: float  # seconds since the epoch
    friendly_name: str
    attachment: str | None = None
    transports: tuple[str, ...] = ()

    def description(self) -> dict[str, Any]:
        """The WebAuthnCredentialDescription ListWebAuthnCredentials shows."""
        shown: dict[str, Any] = {
            "CredentialId": self.credential_id,
            "FriendlyCredentialName": self.friendly_name,
            "RelyingPartyId": self.relying_party_id,
            "AuthenticatorTransports": list(self.transports),
            "CreatedAt": self.created_at,
        }
        if self.attachment:
            shown["AuthenticatorAttachment"] = self.attachment
        return shown


@dataclass(frozen=True)
class _PendingRegistration:
    challenge: bytes = field(repr=False)
    client_id: str
    relying_party_id: str
    expires_at: float  # seconds, on the monotonic clock


@dataclass(frozen=True)
class _Caller:
    """Whom an access token speaks for."""

    pool: CognitoIdpUserPool
    client_id: str
    user: CognitoIdpUser

    @property
    def key(self) -> tuple[str, str]:
        return self.pool.id, self.user.username


class Passkeys:
    """The WebAuthn state of one emulator. Not thread-safe: the middleware's lock guards it.

    `wall_clock` stamps CreatedAt (seconds since the epoch); `clock` (monotonic seconds)
    expires challenges.
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._configurations: dict[str, dict[str, Any]] = {}
        self._pending: dict[tuple[str, str], _PendingRegistration] = {}
        self._credentials: dict[tuple[str, str], list[StoredCredential]] = {}

    def api(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Cognito action -> its answer (request parameters -> response body)."""
        return {
            "StartWebAuthnRegistration": self.start_registration,
            "CompleteWebAuthnRegistration": self.complete_registration,
            "ListWebAuthnCredentials": self.list_credentials,
            "DeleteWebAuthnCredential": self.delete_credential,
        }

    # Pool configuration ----------------------------------------------------------------

    def set_configuration(self, pool: CognitoIdpUserPool, config: Any) -> None:
        """SetUserPoolMfaConfig's WebAuthnConfiguration, checked as WebAuthnConfigurationType.

        :raises rules.CognitoError: an invalid field, or a Lite-tier pool.
        """
        if not isinstance(config, dict):
            raise rules.CognitoError(rules.INVALID_PARAMETER, "WebAuthnConfiguration must be an object.")
        if pool.extended_config.get("UserPoolTier") == "LITE":
            raise rules.CognitoError(FEATURE_UNAVAILABLE, "Passkeys are not available in the Lite tier.")
        relying_party_id = config.get("RelyingPartyId")
        low, high = RELYING_PARTY_ID_LENGTH
        if relying_party_id is not None and not (
            isinstance(relying_party_id, str) and low <= len(relying_party_id) <= high
        ):
            raise rules.CognitoError(rules.INVALID_PARAMETER, "RelyingPartyId must be 1 to 127 characters.")
        if config.get("UserVerification", "preferred") not in USER_VERIFICATION:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "UserVerification must be required or preferred.")
        if config.get("FactorConfiguration", "SINGLE_FACTOR") not in FACTOR_CONFIGURATIONS:
            raise rules.CognitoError(
                rules.INVALID_PARAMETER, f"FactorConfiguration must be one of {', '.join(FACTOR_CONFIGURATIONS)}."
            )
        self._configurations[pool.id] = {key: value for key, value in config.items() if value is not None}

    def configuration(self, pool: CognitoIdpUserPool) -> dict[str, Any]:
        """WebAuthnConfiguration as GetUserPoolMfaConfig shows it."""
        shown = {"UserVerification": "preferred", **self._configurations.get(pool.id, {})}
        relying_party_id = self._relying_party_id_or_none(pool)
        if relying_party_id is not None:
            shown["RelyingPartyId"] = relying_party_id
        return shown

    def relying_party_id(self, pool: CognitoIdpUserPool) -> str:
        """The pool's RP ID: WebAuthnConfiguration's RelyingPartyId, else its domain.

        :raises rules.CognitoError: WebAuthnConfigurationMissingException when it has neither.
        """
        relying_party_id = self._relying_party_id_or_none(pool)
        if relying_party_id is None:
            raise rules.CognitoError(
                CONFIGURATION_MISSING, "The user pool has no relying party ID and no domain for passkeys."
            )
        return relying_party_id

    def _relying_party_id_or_none(self, pool: CognitoIdpUserPool) -> str | None:
        configured = self._configurations.get(pool.id, {}).get("RelyingPartyId")
        if configured:
            return str(configured)
        for domain in list(pool.backend.user_pool_domains.values()):
            if domain.user_pool_id == pool.id:
                if domain.custom_domain_config:
                    return str(domain.domain)
                return f"{domain.domain}.auth.{pool.region}.amazoncognito.com"
        return None

    def _requires_user_verification(self, pool: CognitoIdpUserPool) -> bool:
        return self._configurations.get(pool.id, {}).get("UserVerification") == "required"

    # Registration ----------------------------------------------------------------------

    def start_registration(self, params: dict[str, Any]) -> dict[str, Any]:
        """StartWebAuthnRegistration: {"CredentialCreationOptions": PublicKeyCredentialCreationOptionsJSON}.

        :raises rules.CognitoError: a bad access token, passkeys off, no relying party ID.
        """
        caller = self._caller(params)
        relying_party_id = self._check_enabled(caller.pool)
        challenge = secrets.token_bytes(32)
        self._pending[caller.key] = _PendingRegistration(
            challenge, caller.client_id, relying_party_id, self._clock() + CHALLENGE_TIMEOUT_MS / 1000
        )
        attributes = caller.user.attribute_lookup
        user_verification = "required" if self._requires_user_verification(caller.pool) else "preferred"
        options = {
            "challenge": _b64url(challenge),
            "rp": {"id": relying_party_id, "name": relying_party_id},
            "user": {
                # The user handle: the sub, which never changes or is reused.
                "id": _b64url(str(attributes.get("sub") or caller.user.id).encode()),
                "name": caller.user.username,
                "displayName": attributes.get("email") or caller.user.username,
            },
            "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in PUBLIC_KEY_ALGORITHMS],
            "timeout": CHALLENGE_TIMEOUT_MS,
            "excludeCredentials": [
                {"type": "public-key", "id": stored.credential_id} for stored in self._credentials.get(caller.key, [])
            ],
            "authenticatorSelection": {
                "requireResidentKey": True,
                "residentKey": "required",
                "userVerification": user_verification,
            },
        }
        return {"CredentialCreationOptions": options}

    def complete_registration(self, params: dict[str, Any]) -> dict[str, Any]:
        """CompleteWebAuthnRegistration: stores the passkey once the response checks out.

        The challenge is used up by this call whatever its outcome, so a response can be
        presented once.

        :raises rules.CognitoError: WebAuthnChallengeNotFoundException (none open, expired,
            or not the one the response signed), WebAuthnClientMismatchException,
            WebAuthnOriginNotAllowedException, WebAuthnRelyingPartyMismatchException,
            InvalidParameterException (malformed, tampered, already registered).
        """
        caller = self._caller(params)
        self._check_enabled(caller.pool)
        pending = self._pending.pop(caller.key, None)
        if pending is None or self._clock() >= pending.expires_at:
            raise rules.CognitoError(CHALLENGE_NOT_FOUND, "No passkey registration is open for the user.")
        if pending.client_id != caller.client_id:
            raise rules.CognitoError(CLIENT_MISMATCH, "The access token is for another app client.")
        credential_json = _credential_json(params.get("Credential"))
        try:
            credential = parse_registration_credential_json(credential_json)
            client_data = parse_client_data_json(credential.response.client_data_json)
            auth_data = parse_attestation_object(credential.response.attestation_object).auth_data
        except (WebAuthnException, ValueError, TypeError, KeyError) as error:
            raise rules.CognitoError(rules.INVALID_PARAMETER, INVALID_CREDENTIAL) from error
        if not secrets.compare_digest(client_data.challenge, pending.challenge):
            raise rules.CognitoError(CHALLENGE_NOT_FOUND, "The response answers another challenge.")
        _check_origin(client_data.origin, pending.relying_party_id)
        if auth_data.rp_id_hash != hashlib.sha256(pending.relying_party_id.encode()).digest():
            raise rules.CognitoError(RELYING_PARTY_MISMATCH, "The passkey is for another relying party.")
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=pending.challenge,
                expected_rp_id=pending.relying_party_id,
                expected_origin=client_data.origin,
                require_user_verification=self._requires_user_verification(caller.pool),
            )
        except WebAuthnException as error:
            raise rules.CognitoError(rules.INVALID_PARAMETER, INVALID_CREDENTIAL) from error
        credential_id = _b64url(verified.credential_id)
        if any(
            stored.credential_id == credential_id
            for (pool_id, _), stored_list in self._credentials.items()
            if pool_id == caller.pool.id
            for stored in stored_list
        ):
            raise rules.CognitoError(rules.INVALID_PARAMETER, ALREADY_REGISTERED)
        attachment = credential.authenticator_attachment
        self._credentials.setdefault(caller.key, []).append(
            StoredCredential(
                credential_id=credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                relying_party_id=pending.relying_party_id,
                created_at=self._wall_clock(),
                friendly_name=_friendly_name(attachment.value if attachment else None),
                attachment=attachment.value if attachment else None,
                transports=tuple(transport.value for transport in credential.response.transports or ()),
            )
        )
        return {}

    # Management ------------------------------------------------------------------------

    def list_credentials(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListWebAuthnCredentials: {"Credentials": [WebAuthnCredentialDescription], "NextToken"?}.

        :raises rules.CognitoError: a bad access token, MaxResults or NextToken.
        """
        caller = self._caller(params)
        limit = params.get("MaxResults", MAX_LISTED)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_LISTED:
            raise rules.CognitoError(rules.INVALID_PARAMETER, f"MaxResults must be between 0 and {MAX_LISTED}.")
        stored = self._credentials.get(caller.key, [])
        start = _page_start(params.get("NextToken"), caller, len(stored))
        page = stored[start : start + limit]
        answer: dict[str, Any] = {"Credentials": [credential.description() for credential in page]}
        if start + limit < len(stored) and limit:
            answer["NextToken"] = _page_token(caller, start + limit)
        return answer

    def delete_credential(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteWebAuthnCredential: the caller's own passkey only.

        :raises rules.CognitoError: ResourceNotFoundException for an id the caller does not own.
        """
        caller = self._caller(params)
        wanted = params.get("CredentialId")
        if not isinstance(wanted, str) or not wanted:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "Missing required parameter CredentialId")
        stored = self._credentials.get(caller.key, [])
        remaining = [credential for credential in stored if credential.credential_id != wanted]
        if len(remaining) == len(stored):
            raise rules.CognitoError(rules.RESOURCE_NOT_FOUND, CREDENTIAL_NOT_FOUND)
        self._credentials[caller.key] = remaining
        return {}

    # The WEB_AUTHN sign-in challenge -------------------------------------------------

    def has_credentials(self, pool: CognitoIdpUserPool, username: str) -> bool:
        """Whether the user has a passkey registered (so WEB_AUTHN is one of their first factors)."""
        return bool(self._credentials.get((pool.id, username)))

    def credential_request_options(self, pool: CognitoIdpUserPool, username: str) -> tuple[dict[str, Any], bytes]:
        """The WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS (PublicKeyCredentialRequestOptionsJSON)
        for the user, and its challenge, which the caller keeps with the sign-in session.

        :raises rules.CognitoError: passkeys off, no relying party ID.
        """
        relying_party_id = self._check_enabled(pool)
        challenge = secrets.token_bytes(32)
        options = {
            "challenge": _b64url(challenge),
            "rpId": relying_party_id,
            "timeout": CHALLENGE_TIMEOUT_MS,
            "allowCredentials": [
                {"type": "public-key", "id": stored.credential_id, "transports": list(stored.transports)}
                for stored in self._credentials.get((pool.id, username), [])
            ],
            "userVerification": "required" if self._requires_user_verification(pool) else "preferred",
        }
        return options, challenge

    def verify_assertion(
        self, pool: CognitoIdpUserPool, username: str, credential: Any, challenge: bytes
    ) -> StoredCredential:
        """Check a WEB_AUTHN answer (AuthenticationResponseJSON, as a dict or JSON text)
        against the user's passkeys and the challenge issued; raise the sign counter.

        :returns: the passkey that signed.
        :raises rules.CognitoError: NotAuthorizedException for an unknown or foreign
            credential, another challenge, a bad signature or a sign counter that did not
            grow; WebAuthnOriginNotAllowedException, WebAuthnRelyingPartyMismatchException.
        """
        relying_party_id = self._check_enabled(pool)
        try:
            parsed = parse_authentication_credential_json(_credential_json(credential))
            client_data = parse_client_data_json(parsed.response.client_data_json)
            auth_data = parse_authenticator_data(parsed.response.authenticator_data)
        except (WebAuthnException, ValueError, TypeError, KeyError, rules.CognitoError) as error:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, ASSERTION_FAILED) from error
        stored = next(
            (item for item in self._credentials.get((pool.id, username), []) if item.credential_id == parsed.id),
            None,
        )
        if stored is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, ASSERTION_FAILED)
        _check_origin(client_data.origin, relying_party_id)
        if auth_data.rp_id_hash != hashlib.sha256(relying_party_id.encode()).digest():
            raise rules.CognitoError(RELYING_PARTY_MISMATCH, "The passkey is for another relying party.")
        try:
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=relying_party_id,
                expected_origin=client_data.origin,
                credential_public_key=stored.public_key,
                credential_current_sign_count=stored.sign_count,
                require_user_verification=self._requires_user_verification(pool),
            )
        except WebAuthnException as error:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, ASSERTION_FAILED) from error
        stored.sign_count = verified.new_sign_count
        return stored

    # Checks ----------------------------------------------------------------------------

    def _caller(self, params: dict[str, Any]) -> _Caller:
        token = params.get("AccessToken")
        if not isinstance(token, str) or not token:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "Missing required parameter AccessToken")
        pool = find_pool_by_access_token(token)
        if pool is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_ACCESS_TOKEN)
        claims = rules.jwt_claims(token)
        if USER_ADMIN_SCOPE not in str(claims.get("scope") or "").split():
            raise rules.CognitoError(rules.NOT_AUTHORIZED, MISSING_SCOPE)
        client_id, username = pool.access_tokens[token]
        user = find_user(pool, username)
        if user is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_ACCESS_TOKEN)
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        return _Caller(pool, client_id, user)

    def _check_enabled(self, pool: CognitoIdpUserPool) -> str:
        """The pool's relying party ID, once passkeys are an allowed first factor."""
        policy = (pool.extended_config.get("Policies") or {}).get("SignInPolicy") or {}
        if WEB_AUTHN not in (policy.get("AllowedFirstAuthFactors") or ()):
            raise rules.CognitoError(NOT_ENABLED, "Passkeys are not enabled for this user pool.")
        return self.relying_party_id(pool)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _credential_json(value: Any) -> str:
    """The credential as JSON text: Cognito's Credential is a JSON document (an object)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value)
    raise rules.CognitoError(rules.INVALID_PARAMETER, "Missing required parameter Credential")


def _check_origin(origin: str, relying_party_id: str) -> None:
    """The origin must be the relying party ID or a subdomain of it, over https (or plain
    http on localhost, which browsers treat as secure)."""
    parts = urlsplit(origin)
    host = (parts.hostname or "").lower()
    same_site = host == relying_party_id or host.endswith("." + relying_party_id)
    secure = parts.scheme == "https" or (parts.scheme == "http" and host == "localhost")
    if not (same_site and secure):
        raise rules.CognitoError(ORIGIN_NOT_ALLOWED, "The passkey's origin is not allowed for the relying party.")


def _friendly_name(attachment: str | None) -> str:
    # Cognito names a passkey from its provider; the emulator only tells the two kinds apart.
    return "Security key" if attachment == "cross-platform" else "Passkey"


def _page_token(caller: _Caller, start: int) -> str:
    return _b64url(json.dumps([caller.pool.id, caller.user.username, start]).encode())


def _page_start(token: Any, caller: _Caller, total: int) -> int:
    if token is None:
        return 0
    try:
        pool_id, username, start = json.loads(base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)))
    except (ValueError, TypeError):
        raise rules.CognitoError(rules.INVALID_PARAMETER, "Invalid NextToken.") from None
    if (pool_id, username) != caller.key or not isinstance(start, int) or not 0 <= start <= total:
        raise rules.CognitoError(rules.INVALID_PARAMETER, "Invalid NextToken.")
    return start
