"""Cognito's sign-in steps after the password, as the strict emulator answers them.

Moto fakes most of this: it hands out challenges with empty parameters, accepts any SMS
code, checks every TOTP code against one fixed secret (and only when an environment
variable says so), lets a session be answered any number of times and never expires it,
and ignores a pool's required attributes. `SignInSteps` answers instead:

- NEW_PASSWORD_REQUIRED for a user an administrator created (FORCE_CHANGE_PASSWORD), with
  ``USER_ID_FOR_SRP``, ``requiredAttributes`` and ``userAttributes``; the answer is checked
  against the pool's password policy and required attributes.
- SMS_MFA and EMAIL_OTP with a code sent to the emulator's outbox, SOFTWARE_TOKEN_MFA
  checked with pyotp against the user's own secret, SELECT_MFA_TYPE when several factors
  are on and none is preferred, MFA_SETUP (AssociateSoftwareToken / VerifySoftwareToken by
  session) when the pool requires MFA and the user has none.
- Sessions: opaque, bound to (pool, app client, user, challenge), single use, and
  expired after the app client's AuthSessionValidity (3 minutes unless set).
- Every answer's SECRET_HASH is checked over the user's internal username, the name the
  challenge carries as ``USER_ID_FOR_SRP``, never over an alias.

Sources (Amazon Cognito API Reference): InitiateAuth, RespondToAuthChallenge (ChallengeName,
ChallengeResponses), AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
AdminSetUserMFAPreference, SetUserPoolMfaConfig, AdminCreateUser, UserPoolClientType
(AuthSessionValidity). Texts of errors the reference does not give are the ones Cognito
is widely reported to send; each is named once below.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pyotp
from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, UserStatus

from . import _cognito_rules as rules
from ._moto_state import AppClient, find_pool, find_pool_by_access_token, find_user, password_policy

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a Cognito name, not a secret
SMS_MFA = "SMS_MFA"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 - a Cognito name, not a secret
EMAIL_OTP = "EMAIL_OTP"
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
MFA_SETUP = "MFA_SETUP"
# The challenges answered here; PASSWORD_VERIFIER (SRP) and the rest are not.
STEP_CHALLENGES = frozenset({NEW_PASSWORD_REQUIRED, SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP})
# In the order Cognito lists them in MFAS_CAN_CHOOSE / MFAS_CAN_SETUP.
MFA_TYPES = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)
# SELECT_MFA_TYPE's documented answers name email MFA EMAIL_MFA; its challenge is EMAIL_OTP.
ANSWER_SYNONYMS = {"EMAIL_MFA": EMAIL_OTP}
CODE_KEYS = {SMS_MFA: "SMS_MFA_CODE", SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE", EMAIL_OTP: "EMAIL_OTP_CODE"}
# Outbox kinds of the codes a step sends.
OUTBOX_KINDS = {SMS_MFA: "sms_mfa", EMAIL_OTP: "email_otp"}
MFA_MODES = ("OFF", "ON", "OPTIONAL")

# AuthSessionValidity: minutes, 3 to 15, default 3 (UserPoolClientType).
DEFAULT_SESSION_MINUTES = 3
# A TOTP code of the previous or next 30-second window still counts (clock skew).
TOTP_VALID_WINDOW = 1

INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
WRONG_MFA_CODE = "Invalid code or auth state for the user."
ATTRIBUTE_MISSING = "Invalid attributes given, {name} is missing"
ATTRIBUTE_ALREADY_GIVEN = "Cannot modify an already provided {name}"
TOTP_NOT_VERIFIED = "User has not verified software token mfa"
NO_DELIVERY = "User does not have delivery config set to turn on {mfa_type}"
ENABLE_TOTP_FAILED = "Code mismatch and fail enable Software Token MFA"
TOTP_NOT_ASSOCIATED = "Software Token MFA has not been associated with the user."
ENABLE_SOFTWARE_TOKEN_MFA = "EnableSoftwareTokenMFAException"  # noqa: S105 - a Cognito name, not a secret
SOFTWARE_TOKEN_NOT_FOUND = "SoftwareTokenMFANotFoundException"  # noqa: S105 - a Cognito name, not a secret
FEATURE_UNAVAILABLE = "FeatureUnavailableInTierException"

# Attributes a person never sets: in neither requiredAttributes nor userAttributes.
UNSETTABLE_ATTRIBUTES = frozenset({"sub", "email_verified", "phone_number_verified"})
USER_ATTRIBUTE_PREFIX = "userAttributes."


@dataclass
class StepSession:
    """One open challenge: what its Session string stands for."""

    pool_id: str
    client_id: str
    username: str
    challenge: str
    expires_at: float
    # The code sent for SMS_MFA / EMAIL_OTP.
    code: str = field(default="", repr=False)
    # SELECT_MFA_TYPE's MFAS_CAN_CHOOSE.
    choices: tuple[str, ...] = ()
    # MFA_SETUP's progress: "" (challenge issued), "associated", "verified".
    stage: str = ""


# send_code(kind, app_client, user, delivery, code): puts the code in the outbox.
SendCode = Callable[[str, AppClient, CognitoIdpUser, dict[str, str], str], None]
# verify_hash(app_client, received SECRET_HASH, username): raises CognitoError when wrong.
VerifyHash = Callable[[AppClient, Any, str], None]


class SignInSteps:
    """The challenge machine of one emulator. Not thread-safe: the middleware's lock guards it.

    `clock` gives seconds (monotonic); tests that need an expired session ask the
    emulator to expire it (``POST /_emulator/expire-sessions``) rather than wait.
    """

    def __init__(
        self, send_code: SendCode, verify_hash: VerifyHash, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._send_code = send_code
        self._verify_hash = verify_hash
        self._clock = clock
        self._sessions: dict[str, StepSession] = {}
        # Pool id -> EmailMfaConfiguration (moto keeps none).
        self._email_mfa_config: dict[str, dict[str, Any]] = {}
        # (pool id, username) -> user has email MFA on (moto keeps no such flag).
        self._email_mfa_users: set[tuple[str, str]] = set()
        # (pool id, username) -> the TOTP secret the user verified / associated last.
        self._totp_secrets: dict[tuple[str, str], str] = {}
        self._associated_secrets: dict[tuple[str, str], str] = {}

    # Sign-in ---------------------------------------------------------------------------

    def after_password(self, app_client: AppClient, user: CognitoIdpUser) -> dict[str, Any] | None:
        """The answer to a sign-in whose password was right: the first challenge, tokens,
        or None when moto's own answer (tokens, no challenge) is the right one.

        For SRP too, once PASSWORD_VERIFIER checks out.
        """
        if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
            return self._new_password_challenge(app_client, user)
        step = self._mfa_challenge(app_client, user, first=True)
        if step is not None:
            return step
        if user.sms_mfa_enabled or user.software_token_mfa_enabled or user.preferred_mfa_setting:
            # Moto would challenge by its own flags, which a pool with MFA OFF ignores.
            return issue_tokens(app_client, user)
        return None

    def respond(self, app_client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
        """Answer RespondToAuthChallenge / AdminRespondToAuthChallenge for STEP_CHALLENGES.

        :raises rules.CognitoError: as Cognito answers a bad session, hash or answer.
        """
        challenge = str(params.get("ChallengeName") or "")
        responses = params.get("ChallengeResponses")
        responses = responses if isinstance(responses, dict) else {}
        token, session = self._open_session(params.get("Session"))
        pool = app_client.pool
        if session.client_id != app_client.id or ("UserPoolId" in params and params["UserPoolId"] != session.pool_id):
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        # Over the internal username, whatever name the answer carries: an answer hashed
        # over the alias the person typed is refused as a wrong hash.
        self._verify_hash(app_client, responses.get("SECRET_HASH"), session.username)
        user = pool.users.get(session.username)
        named = find_user(pool, _required(responses, "USERNAME"))
        if user is None or named is not user or challenge != session.challenge:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        if challenge == NEW_PASSWORD_REQUIRED:
            self._set_new_password(pool, user, responses)
            del self._sessions[token]
            return self._mfa_challenge(app_client, user, first=False) or issue_tokens(app_client, user)
        if challenge == SELECT_MFA_TYPE:
            chosen = str(responses.get("ANSWER") or "")
            chosen = ANSWER_SYNONYMS.get(chosen, chosen)
            if chosen not in session.choices:
                raise rules.CognitoError(rules.INVALID_PARAMETER, "ANSWER is not one of MFAS_CAN_CHOOSE.")
            del self._sessions[token]
            return self._code_challenge(app_client, user, chosen, first=False)
        if challenge == MFA_SETUP:
            if session.stage != "verified":
                raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
            del self._sessions[token]
            return issue_tokens(app_client, user)
        self._check_code(pool, user, session, str(responses.get(CODE_KEYS[challenge]) or ""))
        del self._sessions[token]
        return issue_tokens(app_client, user)

    def expire(self, *, pool_id: str = "", client_id: str = "") -> int:
        """Make the open sessions of a pool or an app client (all, with neither) expired, as
        if their AuthSessionValidity had passed; the number of sessions expired."""
        now = self._clock()
        expired = 0
        for session in self._sessions.values():
            if (not pool_id or session.pool_id == pool_id) and (not client_id or session.client_id == client_id):
                session.expires_at = min(session.expires_at, now - 1)
                expired += 1
        return expired

    # TOTP set-up -------------------------------------------------------------------------

    def associate_software_token(self, params: dict[str, Any]) -> dict[str, Any]:
        """AssociateSoftwareToken by Session (an MFA_SETUP challenge's) or AccessToken.

        Returns a new base32 SecretCode, and with a session a new Session for VerifySoftwareToken.
        """
        secret = pyotp.random_base32()
        if params.get("Session"):
            token, session = self._open_session(params.get("Session"))
            if session.challenge != MFA_SETUP:
                raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
            self._associated_secrets[(session.pool_id, session.username)] = secret
            del self._sessions[token]
            return {"SecretCode": secret, "Session": self._store(replace(session, stage="associated"))}
        pool, user = _access_token_user(params.get("AccessToken"))
        self._associated_secrets[(pool.id, user.username)] = secret
        return {"SecretCode": secret}

    def verify_software_token(self, params: dict[str, Any]) -> dict[str, Any]:
        """VerifySoftwareToken: the UserCode checked against the associated secret."""
        code = str(params.get("UserCode") or "")
        if params.get("Session"):
            token, session = self._open_session(params.get("Session"))
            if session.challenge != MFA_SETUP or session.stage != "associated":
                raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
            pool_id, user = session.pool_id, self._session_user(session)
        else:
            pool, user = _access_token_user(params.get("AccessToken"))
            pool_id, session, token = pool.id, None, ""
        secret = self._associated_secrets.get((pool_id, user.username))
        if secret is None:
            raise rules.CognitoError(SOFTWARE_TOKEN_NOT_FOUND, TOTP_NOT_ASSOCIATED)
        if not _totp_matches(secret, code):
            raise rules.CognitoError(ENABLE_SOFTWARE_TOKEN_MFA, ENABLE_TOTP_FAILED)
        del self._associated_secrets[(pool_id, user.username)]
        self._totp_secrets[(pool_id, user.username)] = secret
        user.token_verified = True
        if session is None:
            return {"Status": "SUCCESS"}
        # Set up during sign-in, the factor is on from now: later sign-ins ask for it.
        user.software_token_mfa_enabled = True
        del self._sessions[token]
        return {"Status": "SUCCESS", "Session": self._store(replace(session, stage="verified"))}

    # MFA settings --------------------------------------------------------------------------

    def set_user_mfa_preference(self, pool: CognitoIdpUserPool, user: CognitoIdpUser, params: dict[str, Any]) -> None:
        """SetUserMFAPreference / AdminSetUserMFAPreference, email MFA included.

        :raises rules.CognitoError: InvalidParameterException for a factor the user cannot
            have (no phone, no email, TOTP not verified).
        """
        settings = {
            SMS_MFA: params.get("SMSMfaSettings"),
            SOFTWARE_TOKEN_MFA: params.get("SoftwareTokenMfaSettings"),
            EMAIL_OTP: params.get("EmailMfaSettings"),
        }
        for mfa_type, setting in settings.items():
            if isinstance(setting, dict) and setting.get("Enabled") is True:
                self._check_can_enable(pool, user, mfa_type)
        for mfa_type, setting in settings.items():
            if not isinstance(setting, dict):
                continue
            enabled = setting.get("Enabled") is True
            self._set_enabled(pool, user, mfa_type, enabled)
            if setting.get("PreferredMfa") is True:
                user.preferred_mfa_setting = mfa_type
            elif user.preferred_mfa_setting == mfa_type:
                user.preferred_mfa_setting = None

    def set_user_pool_mfa_config(self, pool: CognitoIdpUserPool, params: dict[str, Any]) -> dict[str, Any]:
        """SetUserPoolMfaConfig, email MFA included; the configuration as GetUserPoolMfaConfig shows it."""
        mode = params.get("MfaConfiguration", pool.mfa_config)
        if mode not in MFA_MODES:
            raise rules.CognitoError(
                rules.INVALID_PARAMETER, "[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'."
            )
        sms, totp, email = (
            params.get("SmsMfaConfiguration"),
            params.get("SoftwareTokenMfaConfiguration"),
            params.get("EmailMfaConfiguration"),
        )
        if email is not None and pool.extended_config.get("UserPoolTier") == "LITE":
            raise rules.CognitoError(FEATURE_UNAVAILABLE, "Email MFA is not available in the Lite tier.")
        pool.sms_mfa_config = sms if sms is not None else pool.sms_mfa_config
        pool.token_mfa_config = totp if totp is not None else pool.token_mfa_config
        if email is not None:
            self._email_mfa_config[pool.id] = email
        if mode != "OFF" and not self._pool_mfa_types(pool):
            raise rules.CognitoError(
                rules.INVALID_PARAMETER,
                "At least one of [SmsMfaConfiguration], [SoftwareTokenMfaConfiguration] or "
                "[EmailMfaConfiguration] must be provided.",
            )
        pool.mfa_config = mode
        return self.user_pool_mfa_config(pool)

    def user_pool_mfa_config(self, pool: CognitoIdpUserPool) -> dict[str, Any]:
        shown = {
            "SmsMfaConfiguration": pool.sms_mfa_config,
            "SoftwareTokenMfaConfiguration": pool.token_mfa_config,
            "EmailMfaConfiguration": self._email_mfa_config.get(pool.id),
            "MfaConfiguration": pool.mfa_config,
        }
        return {name: value for name, value in shown.items() if value is not None}

    def totp_secret(self, pool_id: str, username: str) -> str | None:
        return self._totp_secrets.get((pool_id, username))

    # Internals ---------------------------------------------------------------------------------

    def _new_password_challenge(self, app_client: AppClient, user: CognitoIdpUser) -> dict[str, Any]:
        attributes = {name: value for name, value in user.attribute_lookup.items() if name not in UNSETTABLE_ATTRIBUTES}
        missing = [name for name in required_attributes(app_client.pool) if not attributes.get(name)]
        parameters = {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": json.dumps([USER_ATTRIBUTE_PREFIX + name for name in missing]),
            "userAttributes": json.dumps(attributes),
        }
        return self._challenge(app_client, user, NEW_PASSWORD_REQUIRED, parameters)

    def _set_new_password(self, pool: CognitoIdpUserPool, user: CognitoIdpUser, responses: dict[str, Any]) -> None:
        new_password = _required(responses, "NEW_PASSWORD")
        problem = rules.password_policy_problem(password_policy(pool), new_password)
        if problem is not None:
            raise rules.CognitoError(rules.POLICY_VIOLATION, rules.password_policy_message(problem))
        given = {
            key.removeprefix(USER_ATTRIBUTE_PREFIX): str(value)
            for key, value in responses.items()
            if key.startswith(USER_ATTRIBUTE_PREFIX) and value is not None
        }
        current = user.attribute_lookup
        for name in required_attributes(pool):
            if current.get(name) and name in given and given[name] != current[name]:
                raise rules.CognitoError(rules.INVALID_PARAMETER, ATTRIBUTE_ALREADY_GIVEN.format(name=name))
            if not current.get(name) and not given.get(name):
                raise rules.CognitoError(rules.INVALID_PARAMETER, ATTRIBUTE_MISSING.format(name=name))
        unsettable = sorted(set(given) & UNSETTABLE_ATTRIBUTES)
        if unsettable:
            raise rules.CognitoError(
                rules.INVALID_PARAMETER, f"Cannot modify the non-mutable attribute {unsettable[0]}"
            )
        if given:
            user.update_attributes([{"Name": name, "Value": value} for name, value in given.items()])
        user.password = new_password
        user.status = UserStatus.CONFIRMED

    def _mfa_challenge(self, app_client: AppClient, user: CognitoIdpUser, *, first: bool) -> dict[str, Any] | None:
        """The MFA step a user with a right password faces, or None when none is due.

        OFF: none. A user with factors on: the preferred one, the only one, or a choice.
        ON and none on: the pool's SMS or email codes to the user's phone or email
        (Cognito asks for those attributes to be collected to set up SMS or email MFA),
        else MFA_SETUP. OPTIONAL and none on: none.
        """
        pool = app_client.pool
        if pool.mfa_config not in ("ON", "OPTIONAL"):
            return None
        pool_types = self._pool_mfa_types(pool)
        enabled = [mfa_type for mfa_type in pool_types if self._user_has(pool, user, mfa_type)]
        if not enabled and pool.mfa_config == "ON":
            enabled = [
                mfa_type for mfa_type in (SMS_MFA, EMAIL_OTP) if mfa_type in pool_types and _delivery(user, mfa_type)
            ]
            if not enabled:
                parameters = {"MFAS_CAN_SETUP": json.dumps(pool_types)}
                return self._challenge(app_client, user, MFA_SETUP, parameters, first=first)
        if not enabled:
            return None
        if user.preferred_mfa_setting in enabled:
            return self._code_challenge(app_client, user, user.preferred_mfa_setting, first=first)
        if len(enabled) == 1:
            return self._code_challenge(app_client, user, enabled[0], first=first)
        parameters = {"MFAS_CAN_CHOOSE": json.dumps(enabled)}
        return self._challenge(app_client, user, SELECT_MFA_TYPE, parameters, first=first, choices=tuple(enabled))

    def _code_challenge(
        self, app_client: AppClient, user: CognitoIdpUser, mfa_type: str, *, first: bool
    ) -> dict[str, Any]:
        if mfa_type == SOFTWARE_TOKEN_MFA:
            return self._challenge(app_client, user, mfa_type, {}, first=first)
        delivery = _delivery(user, mfa_type)
        if delivery is None:
            raise rules.CognitoError("MFAMethodNotFoundException", f"No {mfa_type} destination for the user.")
        code = rules.new_code()
        self._send_code(OUTBOX_KINDS[mfa_type], app_client, user, delivery, code)
        parameters = {
            "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": delivery["Destination"],
        }
        return self._challenge(app_client, user, mfa_type, parameters, first=first, code=code)

    def _challenge(
        self,
        app_client: AppClient,
        user: CognitoIdpUser,
        challenge: str,
        parameters: dict[str, str],
        *,
        first: bool = True,
        code: str = "",
        choices: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """A challenge answer with a fresh session. The first challenge of a sign-in names
        the internal username (USER_ID_FOR_SRP); later ones need not, so a client must keep it."""
        if first:
            parameters = {"USER_ID_FOR_SRP": user.username, **parameters}
        minutes = app_client.client.extended_config.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES
        session = StepSession(
            pool_id=app_client.pool.id,
            client_id=app_client.id,
            username=user.username,
            challenge=challenge,
            expires_at=self._clock() + 60 * int(minutes),
            code=code,
            choices=choices,
        )
        return {"ChallengeName": challenge, "Session": self._store(session), "ChallengeParameters": parameters}

    def _store(self, session: StepSession) -> str:
        now = self._clock()
        for token in [token for token, open_session in self._sessions.items() if open_session.expires_at <= now]:
            del self._sessions[token]
        if session.expires_at <= now:  # carried over from an expired one: stays expired
            session = replace(session, expires_at=now - 1)
        token = secrets.token_urlsafe(96)
        self._sessions[token] = session
        return token

    def _open_session(self, token: Any) -> tuple[str, StepSession]:
        if not isinstance(token, str) or not token:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "Missing required parameter Session")
        session = self._sessions.get(token)
        if session is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        if session.expires_at <= self._clock():
            del self._sessions[token]
            raise rules.CognitoError(rules.NOT_AUTHORIZED, EXPIRED_SESSION)
        return token, session

    def _session_user(self, session: StepSession) -> CognitoIdpUser:
        pool = find_pool(session.pool_id)
        user = pool.users.get(session.username) if pool is not None else None
        if user is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        return user

    def _check_code(self, pool: CognitoIdpUserPool, user: CognitoIdpUser, session: StepSession, received: str) -> None:
        if not received:
            raise rules.CognitoError(
                rules.INVALID_PARAMETER, f"Missing required parameter {CODE_KEYS[session.challenge]}"
            )
        if session.challenge == SOFTWARE_TOKEN_MFA:
            secret = self._totp_secrets.get((pool.id, user.username))
            right = secret is not None and _totp_matches(secret, received)
        else:
            right = rules.same_secret(session.code, received)
        if not right:
            # The session stays open: the person may type the code again.
            raise rules.CognitoError(rules.CODE_MISMATCH, WRONG_MFA_CODE)

    def _pool_mfa_types(self, pool: CognitoIdpUserPool) -> list[str]:
        on = {
            SMS_MFA: bool(pool.sms_mfa_config),
            SOFTWARE_TOKEN_MFA: (pool.token_mfa_config or {}).get("Enabled") is True,
            EMAIL_OTP: pool.id in self._email_mfa_config,
        }
        return [mfa_type for mfa_type in MFA_TYPES if on[mfa_type]]

    def _user_has(self, pool: CognitoIdpUserPool, user: CognitoIdpUser, mfa_type: str) -> bool:
        if mfa_type == SMS_MFA:
            return bool(user.sms_mfa_enabled) and _delivery(user, SMS_MFA) is not None
        if mfa_type == SOFTWARE_TOKEN_MFA:
            return bool(user.software_token_mfa_enabled) and (pool.id, user.username) in self._totp_secrets
        return (pool.id, user.username) in self._email_mfa_users and _delivery(user, EMAIL_OTP) is not None

    def _check_can_enable(self, pool: CognitoIdpUserPool, user: CognitoIdpUser, mfa_type: str) -> None:
        if mfa_type == SOFTWARE_TOKEN_MFA:
            if (pool.id, user.username) not in self._totp_secrets:
                raise rules.CognitoError(rules.INVALID_PARAMETER, TOTP_NOT_VERIFIED)
        elif _delivery(user, mfa_type) is None:
            raise rules.CognitoError(rules.INVALID_PARAMETER, NO_DELIVERY.format(mfa_type=mfa_type))

    def _set_enabled(self, pool: CognitoIdpUserPool, user: CognitoIdpUser, mfa_type: str, enabled: bool) -> None:
        if mfa_type == SMS_MFA:
            user.sms_mfa_enabled = enabled
        elif mfa_type == SOFTWARE_TOKEN_MFA:
            user.software_token_mfa_enabled = enabled
        elif enabled:
            self._email_mfa_users.add((pool.id, user.username))
        else:
            self._email_mfa_users.discard((pool.id, user.username))


def required_attributes(pool: CognitoIdpUserPool) -> list[str]:
    """The attributes the pool's schema marks required, except those nobody sets (sub)."""
    return [
        name
        for name, attribute in pool.schema_attributes.items()
        if getattr(attribute, "required", False) and name not in UNSETTABLE_ATTRIBUTES
    ]


def issue_tokens(app_client: AppClient, user: CognitoIdpUser) -> dict[str, Any]:
    """Tokens for the user, made by moto as for a sign-in with no challenge."""
    pool = app_client.pool
    return pool.backend._log_user_in(pool, app_client.client, user.username)


def _delivery(user: CognitoIdpUser, mfa_type: str) -> dict[str, str] | None:
    """Where an SMS or email code goes (an unverified phone serves SMS MFA too)."""
    attributes = user.attribute_lookup
    if mfa_type == SMS_MFA and attributes.get("phone_number"):
        return rules.sms_delivery(attributes["phone_number"])
    if mfa_type == EMAIL_OTP and attributes.get("email"):
        return rules.email_delivery(attributes["email"])
    return None


def _totp_matches(secret: str, code: str) -> bool:
    if not (code.isascii() and code.isdigit()):
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=TOTP_VALID_WINDOW)


def _access_token_user(access_token: Any) -> tuple[CognitoIdpUserPool, CognitoIdpUser]:
    pool = find_pool_by_access_token(access_token if isinstance(access_token, str) else None)
    if pool is None or not access_token:
        raise rules.CognitoError(rules.NOT_AUTHORIZED, "Invalid Access Token")
    _, username = pool.access_tokens[access_token]
    user = pool.users.get(username)
    if user is None:
        raise rules.CognitoError(rules.NOT_AUTHORIZED, "Invalid Access Token")
    return pool, user


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise rules.CognitoError(rules.INVALID_PARAMETER, f"Missing required parameter {name}")
    return value
