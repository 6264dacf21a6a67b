"""Cognito's rules that moto leaves out, as plain functions with no moto in them.

The texts here are Cognito's own wording, because the app under test shows or matches them;
change one only to follow Cognito.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Error codes, as Cognito's `__type`.
NOT_AUTHORIZED = "NotAuthorizedException"
INVALID_PARAMETER = "InvalidParameterException"
RESOURCE_NOT_FOUND = "ResourceNotFoundException"
USER_NOT_FOUND = "UserNotFoundException"
CODE_MISMATCH = "CodeMismatchException"
EXPIRED_CODE = "ExpiredCodeException"
POLICY_VIOLATION = "InvalidPasswordException"
RESET_REQUIRED = "PasswordResetRequiredException"
NOT_CONFIRMED = "UserNotConfirmedException"
UNAUTHORIZED = "UnauthorizedException"

INCORRECT_CREDENTIALS = "Incorrect username or password."
USER_DISABLED = "User is disabled."
USER_DOES_NOT_EXIST = "User does not exist."
COMBINATION_NOT_FOUND = "Username/client id combination not found."
WRONG_CODE = "Invalid verification code provided, please try again."
NO_CODE = "Invalid code provided, please request a code again."
BAD_REFRESH = "Invalid Refresh Token"
REVOKED_REFRESH = "Refresh Token has been revoked"
REVOKED_ACCESS = "Access Token has been revoked"
EXPIRED_ACCESS = "Access Token has expired"
PASSWORD_RESET_REQUIRED = "Password reset required for the user"  # noqa: S105 - an error text
USER_NOT_CONFIRMED = "User is not confirmed."
INVALID_CLIENT_OR_SECRET = "Invalid client or secret"  # noqa: S105 - an error text
RESET_NOT_ALLOWED = "User password cannot be reset in the current state."

# Moto's NotAuthorizedException texts are often the username, a token or a hash; only
# these are passed on as they are.
SAFE_NOT_AUTHORIZED_MESSAGES = frozenset(
    {
        INCORRECT_CREDENTIALS,
        USER_DISABLED,
        "User is disabled",
        BAD_REFRESH,
        REVOKED_REFRESH,
        "Invalid Access Token",
        REVOKED_ACCESS,
        "Invalid session for the user.",
        "Contact administrator to reset password.",
        RESET_NOT_ALLOWED,
    }
)
# What to say instead of an empty or leaky moto message, by error code.
FALLBACK_MESSAGES = {
    RESOURCE_NOT_FOUND: "The requested resource was not found.",
    USER_NOT_FOUND: USER_DOES_NOT_EXIST,
    "UsernameExistsException": "User already exists",
    CODE_MISMATCH: WRONG_CODE,
    EXPIRED_CODE: NO_CODE,
    INVALID_PARAMETER: "A parameter is specified incorrectly.",
}

# How Cognito words a wrong SECRET_HASH; it changed the text over time, and apps that
# match on it should be tested against both.
WRONG_HASH_WORDINGS = {
    "legacy": "Unable to verify secret hash for client {client_id}",
    "new": "SecretHash does not match for the client: {client_id}",
}
# A missing hash is worded differently in AuthParameters/ChallengeResponses (SECRET_HASH)
# and in the top-level SecretHash parameter of the account-recovery and sign-up calls.
MISSING_HASH_WORDINGS = {
    "auth": "Client {client_id} is configured with secret but SECRET_HASH was not received",
    "param": "Client {client_id} is configured for secret but secret was not received",
}
UNEXPECTED_HASH = "Client {client_id} is not configured for secret but secret hash was received"

# Client secret rotation (AddUserPoolClientSecret): at most two secrets at once, and a
# secret you choose yourself must look like one Cognito would make.
MAX_CLIENT_SECRETS = 2
CUSTOM_CLIENT_SECRET = re.compile(r"[\w+]{24,64}")
LIMIT_EXCEEDED = "LimitExceededException"

# ExplicitAuthFlows: what a client may do when none are set, and what each flow needs.
DEFAULT_FLOWS = frozenset({"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})
LEGACY_FLAGS = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
FLAG_FOR_FLOW = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}
REFRESH_FLOWS = frozenset({"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"})
PASSWORD_FLOWS = frozenset({"USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})

# Moto's password check (CognitoIdpBackend._validate_password), restated so that its
# rejection can be explained: the fallbacks and the symbol set are moto's, not Cognito's.
MOTO_POLICY_FALLBACKS = {"MinimumLength": 5, "MaximumLength": 99}
# Moto counts a space as a symbol, and so does Cognito.
MOTO_SYMBOLS = frozenset(" ^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")


def _has_symbol(password: str) -> bool:
    return any(char in MOTO_SYMBOLS for char in password)


CHARACTER_CLASS_RULES = (
    ("RequireLowercase", re.compile("[a-z]").search, "Password must have lowercase characters"),
    ("RequireUppercase", re.compile("[A-Z]").search, "Password must have uppercase characters"),
    ("RequireNumbers", re.compile(r"\d").search, "Password must have numeric characters"),
    ("RequireSymbols", _has_symbol, "Password must have symbol characters"),
)

# When a pool has no AccountRecoverySetting, Cognito prefers a verified phone to email.
LEGACY_RECOVERY = (
    {"Name": "verified_phone_number", "Priority": 1},
    {"Name": "verified_email", "Priority": 2},
)


class CognitoError(Exception):
    """An error to answer the way Cognito does: HTTP 400, `x-amzn-ErrorType`, JSON body."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> bytes:
        return json.dumps({"__type": self.code, "message": self.message}).encode()


def secret_hash(client_secret: str, client_id: str, username: str) -> str:
    """SECRET_HASH = Base64(HMAC-SHA256(key=client secret, message=username + client id))."""
    digest = hmac.new(client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_secret_hash(
    *,
    client_id: str,
    client_secrets: Sequence[str],
    received: str | None,
    username: str,
    style: str,
    wording: str,
) -> None:
    """Raise Cognito's error unless `received` is right for a client with (or without) secrets.

    `client_secrets` holds the client's secrets (none for a client without one; two while
    a rotation is under way, when a hash made with either is right). `style` is "auth" for
    SECRET_HASH in AuthParameters/ChallengeResponses and "param" for the top-level
    SecretHash; `wording` is a key of WRONG_HASH_WORDINGS.
    """
    if not client_secrets:
        if received:
            raise CognitoError(INVALID_PARAMETER, UNEXPECTED_HASH.format(client_id=client_id))
        return
    if not received:
        raise CognitoError(NOT_AUTHORIZED, MISSING_HASH_WORDINGS[style].format(client_id=client_id))
    received_bytes = received.encode("utf-8", "replace")
    # Constant time, and on bytes: compare_digest refuses non-ASCII str. Every secret is
    # tried, so the time does not tell which one matched.
    matches = [
        hmac.compare_digest(secret_hash(secret, client_id, username).encode(), received_bytes)
        for secret in client_secrets
    ]
    if not any(matches):
        raise CognitoError(NOT_AUTHORIZED, WRONG_HASH_WORDINGS[wording].format(client_id=client_id))


def new_client_secret() -> str:
    """A secret as Cognito makes them: 51 lower-case letters and digits."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(51))


def check_custom_client_secret(value: str) -> None:
    if not CUSTOM_CLIENT_SECRET.fullmatch(value):
        raise CognitoError(
            INVALID_PARAMETER,
            "ClientSecret must be 24 to 64 characters of letters, digits, '_' and '+'.",
        )


def enabled_flows(explicit_auth_flows: Iterable[str] | None) -> frozenset[str]:
    """The ALLOW_* flags in force for a client's ExplicitAuthFlows, legacy names included."""
    explicit = list(explicit_auth_flows or ())
    if not explicit:
        return DEFAULT_FLOWS
    flags = {LEGACY_FLAGS.get(flag, flag) for flag in explicit}
    if not any(flag.startswith("ALLOW_") for flag in explicit):
        # Clients configured before the ALLOW_ flags existed could always refresh and use
        # custom auth, and SRP too unless CUSTOM_AUTH_FLOW_ONLY took it away.
        flags |= {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
        if "CUSTOM_AUTH_FLOW_ONLY" not in explicit:
            flags.add("ALLOW_USER_SRP_AUTH")
    return frozenset(flags)


def check_auth_flow(auth_flow: str, explicit_auth_flows: Iterable[str] | None) -> None:
    """Raise Cognito's error when the client may not use `auth_flow`.

    A flow name Cognito does not know is left alone: moto's own validation answers it.
    """
    flag = FLAG_FOR_FLOW.get(auth_flow)
    if flag and flag not in enabled_flows(explicit_auth_flows):
        raise CognitoError(INVALID_PARAMETER, f"{auth_flow} flow not enabled for this client")


def password_policy_problem(policy: Mapping[str, Any], password: str) -> str | None:
    """Why moto's policy check rejects `password`, in Cognito's words; None if it passes."""
    minimum = policy.get("MinimumLength", MOTO_POLICY_FALLBACKS["MinimumLength"])
    maximum = policy.get("MaximumLength", MOTO_POLICY_FALLBACKS["MaximumLength"])
    if len(password) < minimum:
        return "Password not long enough"
    if len(password) >= maximum:
        return "Password is too long"
    for setting, satisfies, problem in CHARACTER_CLASS_RULES:
        if policy.get(setting, True) and not satisfies(password):
            return problem
    return None


def password_policy_message(problem: str | None) -> str:
    if problem is None:
        return "Password did not conform with policy"
    return f"Password did not conform with policy: {problem}"


def mask_email(email: str) -> str:
    """d***@e*** for dora@example.com, as Cognito shows a destination."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(phone: str) -> str:
    return f"+{'*' * max(len(phone) - 5, 1)}{phone[-4:]}"


def email_delivery(email: str) -> dict[str, str]:
    return {"Destination": mask_email(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def sms_delivery(phone: str) -> dict[str, str]:
    return {"Destination": mask_phone(phone), "DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def fake_delivery(username: str) -> dict[str, str]:
    """A plausible destination for a user who does not exist, so the answer reveals nothing."""
    return email_delivery(username if "@" in username else f"{username}@example.com")


def _is_verified(attributes: Mapping[str, str], name: str) -> bool:
    return bool(attributes.get(name)) and attributes.get(f"{name}_verified") == "true"


def recovery_delivery(attributes: Mapping[str, str], recovery_setting: Mapping[str, Any] | None) -> dict[str, str]:
    """Where ForgotPassword sends the code, following the pool's AccountRecoverySetting."""
    mechanisms = (recovery_setting or {}).get("RecoveryMechanisms") or LEGACY_RECOVERY
    for mechanism in sorted(mechanisms, key=lambda item: item["Priority"]):
        name = mechanism["Name"]
        if name == "admin_only":
            raise CognitoError(NOT_AUTHORIZED, "Contact administrator to reset password.")
        if name == "verified_phone_number" and _is_verified(attributes, "phone_number"):
            return sms_delivery(attributes["phone_number"])
        if name == "verified_email" and _is_verified(attributes, "email"):
            return email_delivery(attributes["email"])
    raise CognitoError(
        INVALID_PARAMETER,
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )


def sign_up_delivery(attributes: Mapping[str, str]) -> dict[str, str] | None:
    """Where a sign-up confirmation code goes: the email if there is one, else the phone."""
    if attributes.get("email"):
        return email_delivery(attributes["email"])
    if attributes.get("phone_number"):
        return sms_delivery(attributes["phone_number"])
    return None


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def same_secret(expected: str, received: str) -> bool:
    """Compare a password or code in constant time (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8", "replace"))


# Sign-in names ---------------------------------------------------------------------------

# Cognito's texts when a new user's name clashes with a pool's sign-in options.
USERNAME_EXISTS = "UsernameExistsException"
ALIAS_EXISTS = "AliasExistsException"
USER_ALREADY_EXISTS = "User already exists"
ACCOUNT_EXISTS_FOR = "An account with the given {attribute} already exists."
ALIAS_TAKEN = "An account with the {attribute} already exists."
USERNAME_LOOKS_LIKE_ALIAS = "Username cannot be of {shape} format, since user pool is configured for {shape} alias."
ALIAS_SHAPES = {"email": "email", "phone_number": "phone number"}
# Only these aliases need the attribute verified before it signs anyone in.
VERIFIED_ALIASES = frozenset({"email", "phone_number"})
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")
PHONE_SHAPE = re.compile(r"\+[0-9]{4,15}")


def looks_like(attribute: str, value: str) -> bool:
    """True when `value` has the shape of an email address or an E.164 phone number."""
    shape = EMAIL_SHAPE if attribute == "email" else PHONE_SHAPE
    return bool(shape.fullmatch(value))


class SignInNames:
    """Which names sign a user in to a pool, as Cognito resolves them.

    - The username itself, always (in a pool with UsernameAttributes that is the `sub`).
    - With UsernameAttributes, the user's email and/or phone_number, verified or not.
    - With AliasAttributes, a *verified* email or phone_number, and preferred_username.
    - With UsernameConfiguration.CaseSensitive false, the username, email and
      preferred_username in any letter case (a phone number has none).

    Sources: "User pool attributes" (sign-in options, aliases) in the Amazon Cognito
    Developer Guide, and UsernameConfigurationType in the API Reference.
    """

    def __init__(
        self,
        *,
        username_attributes: Iterable[str] = (),
        alias_attributes: Iterable[str] = (),
        case_sensitive: bool = True,
    ) -> None:
        self.username_attributes = tuple(username_attributes)
        self.alias_attributes = tuple(alias_attributes)
        self.case_sensitive = case_sensitive

    def fold(self, value: str) -> str:
        # Lower-casing leaves a phone number (digits and "+") as it is.
        return value if self.case_sensitive else value.lower()

    def find(self, name: str, users: Mapping[str, Mapping[str, str]]) -> str | None:
        """The internal username that `name` signs in as, or None.

        `users` maps each internal username to the user's attributes. A username
        wins over an attribute, exactly over in another letter case.
        """
        if not name:
            return None
        if name in users:
            return name
        wanted = self.fold(name)
        for username in users:
            if self.fold(username) == wanted:
                return username
        for username, attributes in users.items():
            if wanted in self._attribute_names(attributes):
                return username
        return None

    def _attribute_names(self, attributes: Mapping[str, str]) -> set[str]:
        names = {self.fold(attributes[name]) for name in self.username_attributes if attributes.get(name)}
        for name in self.alias_attributes:
            if not attributes.get(name):
                continue
            if name in VERIFIED_ALIASES and attributes.get(f"{name}_verified") != "true":
                continue
            names.add(self.fold(attributes[name]))
        return names

    def check_new_username(self, name: str, users: Mapping[str, Mapping[str, str]]) -> None:
        """Raise Cognito's error when a new user (SignUp, AdminCreateUser) may not take `name`."""
        for attribute in self.alias_attributes:
            if attribute in ALIAS_SHAPES and looks_like(attribute, name):
                shape = ALIAS_SHAPES[attribute]
                raise CognitoError(INVALID_PARAMETER, USERNAME_LOOKS_LIKE_ALIAS.format(shape=shape))
        wanted = self.fold(name)
        for username, attributes in users.items():
            if self.fold(username) == wanted:
                raise CognitoError(USERNAME_EXISTS, USER_ALREADY_EXISTS)
            for attribute in self.username_attributes:
                if attributes.get(attribute) and self.fold(attributes[attribute]) == wanted:
                    raise CognitoError(USERNAME_EXISTS, ACCOUNT_EXISTS_FOR.format(attribute=attribute))

    def alias_holder(
        self, attribute: str, value: str, users: Mapping[str, Mapping[str, str]], *, besides: str
    ) -> str | None:
        """Another user (not `besides`) whose verified `attribute` alias is `value`, if any."""
        if attribute not in self.alias_attributes or not value:
            return None
        wanted = self.fold(value)
        for username, attributes in users.items():
            if username == besides or not attributes.get(attribute):
                continue
            if attributes.get(f"{attribute}_verified") == "true" and self.fold(attributes[attribute]) == wanted:
                return username
        return None


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT the emulator itself issued, read without checking it."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def is_expired(token: str, now: float | None = None) -> bool:
    """True when a JWT the emulator issued is past its ``exp`` (seconds since the epoch)."""
    expires = jwt_claims(token).get("exp")
    return isinstance(expires, (int, float)) and (time.time() if now is None else now) >= expires


# Sessions: token validity and refresh-token rotation ------------------------------------

ROTATION_NEEDS_GET_TOKENS = (
    "Refresh token rotation is enabled for this app client: renew tokens with GetTokensFromRefreshToken."
)
SECONDS_PER_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# AccessTokenValidity and IdTokenValidity: "from five minutes to one day"
# (TokenValidityUnitsType, Cognito API reference). Units default to hours.
TOKEN_VALIDITY_BOUNDS = (5 * 60, 24 * 3600)
VALIDITY_SETTINGS = {"access": ("AccessTokenValidity", "AccessToken"), "id": ("IdTokenValidity", "IdToken")}


def token_validity(config: dict[str, Any], token_use: str) -> int | None:
    """Seconds an app client's access or ID tokens are valid; None when unset (an hour)."""
    setting, unit_key = VALIDITY_SETTINGS[token_use]
    value = config.get(setting)
    if value is None:
        return None
    unit = (config.get("TokenValidityUnits") or {}).get(unit_key) or "hours"
    return int(value) * SECONDS_PER_UNIT.get(unit, 3600)


def check_token_validity(config: dict[str, Any]) -> None:
    """Refuse a validity outside Cognito's bounds, as CreateUserPoolClient does; the
    seconds unit is exempt from the five-minute floor so tests can use short tokens."""
    for token_use, (setting, unit_key) in VALIDITY_SETTINGS.items():
        seconds = token_validity(config, token_use)
        if seconds is None:
            continue
        unit = (config.get("TokenValidityUnits") or {}).get(unit_key) or "hours"
        low, high = TOKEN_VALIDITY_BOUNDS
        if seconds > high or (seconds < low and unit != "seconds"):
            raise CognitoError(
                INVALID_PARAMETER, f"{setting} must be between 5 minutes and 1 day ({setting}={seconds} s)."
            )


def rotates_refresh_tokens(config: dict[str, Any]) -> bool:
    return (config.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def retry_grace_period(config: dict[str, Any]) -> int:
    """RetryGracePeriodSeconds (0 to 60): how long a rotated-out refresh token still works."""
    return int((config.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds") or 0)
