"""USER_AUTH (choice-based sign-in), as the strict emulator answers it. Moto has none of it.

- InitiateAuth(USER_AUTH) with USERNAME and, optionally, PREFERRED_CHALLENGE. The first
  factors a user can use are the pool's ``Policies.SignInPolicy.AllowedFirstAuthFactors``
  (PASSWORD alone when unset) that fit the user: PASSWORD (offered as PASSWORD and
  PASSWORD_SRP) for a user with a password, EMAIL_OTP for a verified email, SMS_OTP for a
  verified phone number. With a preference among them Cognito goes straight to it;
  without one, or with one the user cannot use, it answers SELECT_CHALLENGE with
  ``AvailableChallenges``.
- PASSWORD with PASSWORD in AuthParameters is checked at once; PASSWORD_SRP with SRP_A
  answers PASSWORD_VERIFIER (``_srp_sign_in``). Either without its value opens the
  PASSWORD / PASSWORD_SRP challenge, answered with RespondToAuthChallenge.
- EMAIL_OTP / SMS_OTP: a code in the outbox, the masked destination in
  CODE_DELIVERY_DESTINATION; the answer (EMAIL_OTP_CODE / SMS_OTP_CODE) is checked, a
  wrong one leaves the session open, a right one ends it (single use), and it expires
  with the session (the app client's AuthSessionValidity).
- SELECT_CHALLENGE is answered with ANSWER, one of AvailableChallenges, plus PASSWORD or
  SRP_A for the password methods.
- Every challenge names the internal username as USERNAME; every answer's SECRET_HASH
  is checked over it. A right password goes on to ``SignInSteps.after_password`` (new
  password, MFA); a one-time code is itself the sign-in and hands out tokens.
- An unknown name: UserNotFoundException, or, where the app client prevents user
  existence errors, the same answers as for a known one (a simulated user id, a made-up
  destination, no code sent, every code refused).
- ConfirmSignUp's ``Session`` signs the confirmed user in once with USER_AUTH (+ Session),
  within the session validity.
- WEB_AUTHN (passkeys): offered to a user with a registered passkey where the pool allows
  it. The challenge carries CREDENTIAL_REQUEST_OPTIONS (PublicKeyCredentialRequestOptionsJSON
  as JSON text, ``_webauthn``); the answer CREDENTIAL (AuthenticationResponseJSON) is
  checked for origin, RP ID, signature, challenge and sign counter. The challenge is used
  up by the answer whatever its outcome, so an assertion counts once. A right one goes on
  to ``SignInSteps.after_password``. A user without a passkey who prefers WEB_AUTHN gets
  SELECT_CHALLENGE with the factors they can use; an unknown name (where user existence
  errors are prevented) is answered as a user without a passkey, so the two look alike.
- A pool on the Lite plan refuses USER_AUTH (FeatureUnavailableInTierException), and
  CreateUserPool / UpdateUserPool refuse first factors other than PASSWORD on it.

Sources (Amazon Cognito API Reference): InitiateAuth (AuthParameters for USER_AUTH,
Session, AvailableChallenges), RespondToAuthChallenge and ChallengeResponseType
(SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP), SignInPolicyType,
ConfirmSignUp (Session); Developer Guide, "Authentication flows" (choice-based) and
"Managing user existence error responses".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, UserStatus

from . import _cognito_rules as rules
from ._challenges import (
    DEFAULT_SESSION_MINUTES,
    EXPIRED_SESSION,
    INVALID_SESSION,
    SignInSteps,
    VerifyHash,
    issue_tokens,
)
from ._moto_state import AppClient, find_user
from ._srp_sign_in import SrpSignIns
from ._webauthn import Passkeys

USER_AUTH = "USER_AUTH"
SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD = "PASSWORD"  # noqa: S105 - a Cognito name, not a secret
PASSWORD_SRP = "PASSWORD_SRP"  # noqa: S105 - a Cognito name, not a secret
EMAIL_OTP = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"
WEB_AUTHN = "WEB_AUTHN"
# SignInPolicyType's valid values; SOFTWARE_TOKEN is documented as not a first factor.
FIRST_FACTORS = (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN)
DEFAULT_FIRST_FACTORS = (PASSWORD,)
# The challenges each first factor offers (PASSWORD is proved either way).
CHALLENGES_OF_FACTOR = {
    PASSWORD: (PASSWORD, PASSWORD_SRP), EMAIL_OTP: (EMAIL_OTP,), SMS_OTP: (SMS_OTP,), WEB_AUTHN: (WEB_AUTHN,),
}
KNOWN_CHALLENGES = frozenset({PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN})
# The challenges answered here (EMAIL_OTP as MFA belongs to SignInSteps: sessions decide).
CHALLENGES = frozenset({SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN})
CODE_KEYS = {EMAIL_OTP: "EMAIL_OTP_CODE", SMS_OTP: "SMS_OTP_CODE"}
OUTBOX_KINDS = {EMAIL_OTP: "email_otp", SMS_OTP: "sms_otp"}
FEATURE_UNAVAILABLE = "FeatureUnavailableInTierException"
LITE = "LITE"
NOT_IN_LITE = "Choice-based authentication (USER_AUTH) is not available in the Lite tier."
FACTORS_NOT_IN_LITE = "Passwordless sign-in is not available in the Lite tier."
WRONG_OTP = "Invalid code or auth state for the user."

# check_password(app_client, username, password) -> the user, or raises CognitoError as
# USER_PASSWORD_AUTH would (unknown, disabled, unconfirmed, wrong, reset required).
CheckPassword = Callable[[AppClient, str, str], CognitoIdpUser]
# send_code(kind, app_client, user, delivery, code): puts the code in the outbox.
SendCode = Callable[[str, AppClient, CognitoIdpUser, dict[str, str], str], None]


@dataclass
class _Pending:
    """One open USER_AUTH challenge, or ConfirmSignUp's session, as its Session string stands for."""

    pool_id: str
    client_id: str
    # The internal username, or for an unknown name the simulated user id.
    username: str
    challenge: str
    expires_at: float
    simulated: bool = False
    code: str = field(default="", repr=False)
    choices: tuple[str, ...] = ()
    # WEB_AUTHN: the challenge CREDENTIAL_REQUEST_OPTIONS carries, which the assertion must sign.
    webauthn_challenge: bytes = field(default=b"", repr=False)


def allowed_first_factors(pool: CognitoIdpUserPool) -> tuple[str, ...]:
    """The pool's AllowedFirstAuthFactors (PASSWORD alone when unset)."""
    policy = (pool.extended_config.get("Policies") or {}).get("SignInPolicy") or {}
    listed = policy.get("AllowedFirstAuthFactors") or DEFAULT_FIRST_FACTORS
    return tuple(factor for factor in FIRST_FACTORS if factor in listed)


def check_sign_in_policy(params: dict[str, Any]) -> None:
    """CreateUserPool / UpdateUserPool: the first factors must be known, and a Lite pool
    may allow only PASSWORD.

    :raises rules.CognitoError: InvalidParameterException, FeatureUnavailableInTierException.
    """
    policy = (params.get("Policies") or {}).get("SignInPolicy") if isinstance(params.get("Policies"), dict) else None
    if not isinstance(policy, dict) or "AllowedFirstAuthFactors" not in policy:
        return
    factors = policy["AllowedFirstAuthFactors"]
    if not isinstance(factors, list) or not factors or any(factor not in FIRST_FACTORS for factor in factors):
        raise rules.CognitoError(
            rules.INVALID_PARAMETER, f"AllowedFirstAuthFactors must list 1 to 4 of {', '.join(FIRST_FACTORS)}."
        )
    if params.get("UserPoolTier") == LITE and set(factors) - {PASSWORD}:
        raise rules.CognitoError(FEATURE_UNAVAILABLE, FACTORS_NOT_IN_LITE)


class UserAuthSignIns:
    """The USER_AUTH sign-ins of one emulator. Not thread-safe: the middleware's lock guards it."""

    def __init__(
        self, steps: SignInSteps, srp: SrpSignIns, verify_hash: VerifyHash, *, check_password: CheckPassword,
        send_code: SendCode, passkeys: Passkeys, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._steps = steps
        self._passkeys = passkeys
        self._srp = srp
        self._verify_hash = verify_hash
        self._check_password = check_password
        self._send_code = send_code
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._sign_up_sessions: dict[str, _Pending] = {}
        self._key = secrets.token_bytes(32)  # keys the simulated user ids

    # InitiateAuth ----------------------------------------------------------------------

    def start(self, app_client: AppClient, auth: dict[str, Any], session: Any) -> dict[str, Any]:
        """InitiateAuth(USER_AUTH); USERNAME's SECRET_HASH was checked over the name as sent.

        :raises rules.CognitoError: as Cognito refuses it.
        """
        pool = app_client.pool
        if pool.extended_config.get("UserPoolTier") == LITE:
            raise rules.CognitoError(FEATURE_UNAVAILABLE, NOT_IN_LITE)
        username = str(auth["USERNAME"])
        if session is not None:
            return self._sign_in_after_sign_up(app_client, username, session)
        preferred = auth.get("PREFERRED_CHALLENGE")
        if preferred is not None and preferred not in KNOWN_CHALLENGES:
            raise rules.CognitoError(rules.INVALID_PARAMETER, f"Invalid PREFERRED_CHALLENGE: {str(preferred)[:40]}")
        user = find_user(pool, username)
        if user is None and not app_client.prevents_user_existence_errors:
            raise rules.CognitoError(rules.USER_NOT_FOUND, rules.USER_DOES_NOT_EXIST)
        if user is not None:
            if not user.enabled:
                raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
            if user.status is UserStatus.UNCONFIRMED:
                raise rules.CognitoError(rules.NOT_CONFIRMED, rules.USER_NOT_CONFIRMED)
        available = self._available(pool, user)
        internal = user.username if user is not None else self._simulated_user_id(pool.id, username)
        if preferred in available:
            return self._begin(app_client, user, internal, preferred, auth, typed=username)
        if not available:  # nothing this user may sign in with; Cognito says no more than this
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        answer = self._challenge(app_client, internal, SELECT_CHALLENGE, {}, simulated=user is None, choices=available)
        return {**answer, "AvailableChallenges": list(available)}

    def _begin(
        self, app_client: AppClient, user: CognitoIdpUser | None, internal: str, challenge: str,
        values: dict[str, Any], *, typed: str,
    ) -> dict[str, Any]:
        """Go on with one first factor, with the values the request carried."""
        if challenge == PASSWORD:
            password = values.get("PASSWORD")
            if not isinstance(password, str) or not password:
                return self._challenge(app_client, internal, PASSWORD, {}, simulated=user is None)
            return self._password_sign_in(app_client, user, typed, password)
        if challenge == PASSWORD_SRP:
            srp_a = values.get("SRP_A")
            if not isinstance(srp_a, str) or not srp_a:
                return self._challenge(app_client, internal, PASSWORD_SRP, {}, simulated=user is None)
            return self._srp.start(app_client, typed, srp_a)
        if challenge == WEB_AUTHN:
            return self._web_authn_challenge(app_client, internal)
        return self._code_challenge(app_client, user, internal, challenge, typed)

    def _password_sign_in(
        self, app_client: AppClient, user: CognitoIdpUser | None, typed: str, password: str,
    ) -> dict[str, Any]:
        checked = self._check_password(app_client, user.username if user is not None else typed, password)
        return self._steps.after_password(app_client, checked) or issue_tokens(app_client, checked)

    def _code_challenge(
        self, app_client: AppClient, user: CognitoIdpUser | None, internal: str, challenge: str, typed: str,
    ) -> dict[str, Any]:
        if user is None:  # nothing is sent; the destination looks like any other
            delivery = rules.fake_delivery(typed)
            if challenge == SMS_OTP:
                delivery = rules.sms_delivery("+10000000000")
            code = ""
        else:
            attribute = "email" if challenge == EMAIL_OTP else "phone_number"
            value = user.attribute_lookup[attribute]
            delivery = rules.email_delivery(value) if challenge == EMAIL_OTP else rules.sms_delivery(value)
            code = rules.new_code()
            self._send_code(OUTBOX_KINDS[challenge], app_client, user, delivery, code)
        parameters = {
            "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": delivery["Destination"],
        }
        return self._challenge(app_client, internal, challenge, parameters, simulated=user is None, code=code)

    def _web_authn_challenge(self, app_client: AppClient, internal: str) -> dict[str, Any]:
        """WEB_AUTHN: the user's passkeys and a fresh challenge, as CREDENTIAL_REQUEST_OPTIONS."""
        options, challenge = self._passkeys.credential_request_options(app_client.pool, internal)
        answer = self._challenge(
            app_client, internal, WEB_AUTHN, {"CREDENTIAL_REQUEST_OPTIONS": json.dumps(options)}, simulated=False,
        )
        self._pending[answer["Session"]].webauthn_challenge = challenge
        return answer

    # RespondToAuthChallenge ------------------------------------------------------------

    def owns(self, session: Any) -> bool:
        """Whether ``session`` is one of this machine's challenges."""
        return isinstance(session, str) and session in self._pending

    def respond(self, app_client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
        """RespondToAuthChallenge for a USER_AUTH challenge (``owns`` its Session).

        :raises rules.CognitoError: a bad session, hash, answer or code.
        """
        token = str(params.get("Session"))
        pending = self._pending[token]
        responses = params.get("ChallengeResponses")
        responses = responses if isinstance(responses, dict) else {}
        if pending.client_id != app_client.id or params.get("ChallengeName") != pending.challenge:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        # Over the internal username: never over the alias the person typed.
        self._verify_hash(app_client, responses.get("SECRET_HASH"), pending.username)
        if pending.expires_at <= self._clock():
            del self._pending[token]
            raise rules.CognitoError(rules.NOT_AUTHORIZED, EXPIRED_SESSION)
        user = None if pending.simulated else app_client.pool.users.get(pending.username)
        named = responses.get("USERNAME")
        names_user = named == pending.username if user is None else find_user(app_client.pool, named) is user
        if not isinstance(named, str) or not names_user or (user is None and not pending.simulated):
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        if user is not None and not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        if pending.challenge in CODE_KEYS:
            return self._check_code(app_client, token, pending, user, responses)
        if pending.challenge == WEB_AUTHN:
            return self._check_assertion(app_client, token, pending, user, responses)
        if pending.challenge == SELECT_CHALLENGE:
            answer = responses.get("ANSWER")
            if answer not in pending.choices:
                raise rules.CognitoError(rules.INVALID_PARAMETER, "ANSWER is not one of the AvailableChallenges.")
            del self._pending[token]
            return self._begin(app_client, user, pending.username, str(answer), responses, typed=pending.username)
        del self._pending[token]  # PASSWORD / PASSWORD_SRP: the value is required now
        value_name = "PASSWORD" if pending.challenge == PASSWORD else "SRP_A"
        if not isinstance(responses.get(value_name), str) or not responses[value_name]:
            raise rules.CognitoError(rules.INVALID_PARAMETER, f"Missing required parameter {value_name}")
        return self._begin(app_client, user, pending.username, pending.challenge, responses, typed=pending.username)

    def _check_code(
        self, app_client: AppClient, token: str, pending: _Pending, user: CognitoIdpUser | None,
        responses: dict[str, Any],
    ) -> dict[str, Any]:
        key = CODE_KEYS[pending.challenge]
        received = responses.get(key)
        if not isinstance(received, str) or not received:
            raise rules.CognitoError(rules.INVALID_PARAMETER, f"Missing required parameter {key}")
        if user is None or not pending.code or not rules.same_secret(pending.code, received):
            # The session stays open: the person may type the code again.
            raise rules.CognitoError(rules.CODE_MISMATCH, WRONG_OTP)
        del self._pending[token]  # single use
        return issue_tokens(app_client, user)

    def _check_assertion(
        self, app_client: AppClient, token: str, pending: _Pending, user: CognitoIdpUser | None,
        responses: dict[str, Any],
    ) -> dict[str, Any]:
        credential = responses.get("CREDENTIAL")
        if not isinstance(credential, str) or not credential:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "Missing required parameter CREDENTIAL")
        del self._pending[token]  # the challenge is answered once, whatever the outcome
        if user is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        self._passkeys.verify_assertion(app_client.pool, user.username, credential, pending.webauthn_challenge)
        return self._steps.after_password(app_client, user) or issue_tokens(app_client, user)

    # Sign-in straight after sign-up ----------------------------------------------------

    def sign_up_session(self, app_client: AppClient, user: CognitoIdpUser) -> str:
        """ConfirmSignUp's Session: one USER_AUTH sign-in for this user and client."""
        token = secrets.token_urlsafe(96)
        self._sign_up_sessions[token] = _Pending(
            pool_id=app_client.pool.id, client_id=app_client.id, username=user.username,
            challenge="CONFIRM_SIGN_UP", expires_at=self._expiry(app_client),
        )
        return token

    def _sign_in_after_sign_up(self, app_client: AppClient, username: str, session: Any) -> dict[str, Any]:
        pending = self._sign_up_sessions.pop(session, None) if isinstance(session, str) else None
        if pending is None or pending.client_id != app_client.id:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        if pending.expires_at <= self._clock():
            raise rules.CognitoError(rules.NOT_AUTHORIZED, EXPIRED_SESSION)
        user = app_client.pool.users.get(pending.username)
        if user is None or find_user(app_client.pool, username) is not user:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        return issue_tokens(app_client, user)

    # Shared ----------------------------------------------------------------------------

    def expire(self, *, pool_id: str = "", client_id: str = "") -> int:
        """Make the open challenges and sign-up sessions of a pool or app client (all, with
        neither) expired; the number expired."""
        now = self._clock()
        expired = 0
        for pending in [*self._pending.values(), *self._sign_up_sessions.values()]:
            if (not pool_id or pending.pool_id == pool_id) and (not client_id or pending.client_id == client_id):
                pending.expires_at = min(pending.expires_at, now - 1)
                expired += 1
        return expired

    def _available(self, pool: CognitoIdpUserPool, user: CognitoIdpUser | None) -> tuple[str, ...]:
        """The challenges this user may start with, in Cognito's order. For an unknown name,
        all the pool allows except passkeys, so it looks like a known user without one."""
        usable: list[str] = []
        for factor in allowed_first_factors(pool):
            if factor == WEB_AUTHN:
                if user is None or not self._passkeys.has_credentials(pool, user.username):
                    continue
            elif user is not None and not _can_use(user, factor):
                continue
            usable.extend(CHALLENGES_OF_FACTOR[factor])
        return tuple(usable)

    def _challenge(
        self, app_client: AppClient, username: str, challenge: str, parameters: dict[str, str], *,
        simulated: bool, code: str = "", choices: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        now = self._clock()
        for token in [token for token, pending in self._pending.items() if pending.expires_at <= now]:
            del self._pending[token]
        token = secrets.token_urlsafe(96)
        self._pending[token] = _Pending(
            pool_id=app_client.pool.id, client_id=app_client.id, username=username, challenge=challenge,
            expires_at=self._expiry(app_client), simulated=simulated, code=code, choices=choices,
        )
        parameters = {"USERNAME": username, **parameters}
        return {"ChallengeName": challenge, "Session": token, "ChallengeParameters": parameters}

    def _expiry(self, app_client: AppClient) -> float:
        minutes = app_client.client.extended_config.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES
        return self._clock() + 60 * int(minutes)

    def _simulated_user_id(self, pool_id: str, username: str) -> str:
        digest = hmac.new(self._key, f"{pool_id}\0{username}".encode(), hashlib.sha256).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))


def _can_use(user: CognitoIdpUser, factor: str) -> bool:
    attributes = user.attribute_lookup
    if factor == PASSWORD:
        return user.password is not None
    if factor == EMAIL_OTP:
        return bool(attributes.get("email")) and attributes.get("email_verified") == "true"
    if factor == SMS_OTP:
        return bool(attributes.get("phone_number")) and attributes.get("phone_number_verified") == "true"
    return False
