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
UNAUTHORIZED = "UnauthorizedException"

INCORRECT_CREDENTIALS = "Incorrect username or password."
USER_DISABLED = "User is disabled."
USER_DOES_NOT_EXIST = "User does not exist."
COMBINATION_NOT_FOUND = "Username/client id combination not found."
WRONG_CODE = "Invalid verification code provided, please try again."
NO_CODE = "Invalid code provided, please request a code again."
BAD_REFRESH = "Invalid Refresh Token"
REVOKED_REFRESH = "Refresh Token has been revoked"
PASSWORD_RESET_REQUIRED = "Password reset required for the user"  # noqa: S105 - an error text
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
        "Access Token has been revoked",
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
