"""What Cognito said, as a few exception classes.

Cognito answers with an error code and an English text. ``ERROR_CLASSES`` maps the code
to a class; ``MESSAGE_RULES`` refine the codes Cognito overloads (NotAuthorizedException
covers both a wrong password and a wrong SECRET_HASH). Nothing here carries a secret,
password, code or token: the client redacts what it sent before building an exception.
"""

from __future__ import annotations

from typing import ClassVar


class CognitoError(Exception):
    """Base class. ``code`` is Cognito's error code, ``cognito_message`` its (redacted) text."""

    default_code: ClassVar[str] = "CognitoError"

    def __init__(self, cognito_message: str = "", code: str | None = None) -> None:
        self.code = code or self.default_code
        self.cognito_message = cognito_message
        super().__init__(f"{self.code}: {cognito_message}" if cognito_message else self.code)


class InvalidCredentials(CognitoError):
    """Wrong password, unknown user or disabled user: the person sees one message for all."""


class UserNotFound(InvalidCredentials):
    """The user does not exist (pools without PreventUserExistenceErrors say so)."""


class UserDisabled(InvalidCredentials):
    """An administrator disabled the user."""


class ResetNotAllowed(InvalidCredentials):
    """ForgotPassword refused for this user: invited and never signed in (the temporary
    password is the way in), or a pool where only administrators reset passwords."""


class UserNotConfirmed(CognitoError):
    """The password was right but the user never confirmed the sign-up code."""


class PasswordResetRequired(CognitoError):
    """An administrator reset the password; the user must set a new one with a code."""


class CodeMismatch(CognitoError):
    """The confirmation code does not match."""


class ExpiredCode(CognitoError):
    """The confirmation code expired or was never issued."""


class InvalidPassword(CognitoError):
    """The new password breaks the pool's password policy; Cognito's text says how."""


class RateLimited(CognitoError):
    """Cognito refuses more attempts for now (limits, too many requests or failures)."""


class NoVerifiedContact(CognitoError):
    """There is no verified email or phone number to send a code to."""


class TokenRejected(CognitoError):
    """The access token expired or was revoked: the person must sign in again."""


class AlreadyConfirmed(CognitoError):
    """Confirming (or resending a code for) a user who is already confirmed."""


class UsernameExists(CognitoError):
    """Sign-up for a username or alias that is taken."""


class InvalidRequest(CognitoError):
    """Cognito found a parameter invalid (too long, bad characters...)."""


class ServiceUnavailable(CognitoError):
    """Cognito could not be reached in time, or failed on its side."""

    default_code = "ServiceUnavailable"


class OutcomeUnknown(ServiceUnavailable):
    """A call that changes something reached Cognito (or may have), and its answer never
    came: the change may or may not have happened. It is never sent again on its own, so
    the page says so and what to try. ``operation`` is the client's method name
    (``confirm_forgot_password``...)."""

    default_code = "OutcomeUnknown"

    def __init__(self, cognito_message: str = "", code: str | None = None, *, operation: str = "") -> None:
        super().__init__(cognito_message, code)
        self.operation = operation


class ConfigurationError(CognitoError):
    """The app client here and the one in Cognito disagree: an operator must act.

    ``operator_hint`` says what to check; it is logged, never shown to the person.
    """

    operator_hint: ClassVar[str] = "Check the app client's settings in the admin."


class SecretHashError(ConfigurationError):
    """Cognito rejected the SECRET_HASH. ``problem`` is missing, mismatch or unexpected."""

    HINTS: ClassVar[dict[str, str]] = {
        "missing": (
            "SECRET_HASH was missing: the Cognito app client has a client secret but none "
            "is stored here. Paste the client secret into the app client in the admin."
        ),
        "mismatch": (
            "SECRET_HASH did not match: the stored client secret is not this app client's "
            "secret (copy it again from Cognito > App integration > App clients, and check "
            "the client id belongs to it), or Cognito rotated the secret."
        ),
        "unexpected": (
            "A SECRET_HASH was sent but the Cognito app client has no secret: clear the "
            "client secret of this app client in the admin."
        ),
    }

    def __init__(self, cognito_message: str = "", code: str | None = None, *, problem: str) -> None:
        super().__init__(cognito_message, code)
        self.problem = problem

    @property
    def operator_hint(self) -> str:  # type: ignore[override]
        return self.HINTS[self.problem]


class FlowNotEnabled(ConfigurationError):
    """The app client does not allow the auth flow that was used.

    Cognito's text names the flow first ("USER_SRP_AUTH flow not enabled for this
    client"), so the hint names the flag that allows it.
    """

    # AuthFlow -> the ExplicitAuthFlows value that allows it (UserPoolClientType).
    FLAGS: ClassVar[dict[str, str]] = {
        "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
        "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
        "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
        "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
        "USER_AUTH": "ALLOW_USER_AUTH",
        "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    }

    @property
    def flag(self) -> str:
        """The flag Cognito's text asks for; "" when the text names no flow known here."""
        words = self.cognito_message.split(maxsplit=1)
        return self.FLAGS.get(words[0], "") if words else ""

    @property
    def operator_hint(self) -> str:  # type: ignore[override]
        where = "in the Cognito app client's authentication flows (App client > Edit > Authentication flows)"
        flag = self.flag
        if not flag:
            return f"Turn on the flow this app client's sign-in flow names {where}."
        refresh = "" if flag == "ALLOW_REFRESH_TOKEN_AUTH" else " (and ALLOW_REFRESH_TOKEN_AUTH)"
        return (
            f"Turn on {flag}{refresh} {where}, or set this app client's sign-in flow in the admin to "
            "one Cognito allows."
        )


class FeatureUnavailable(ConfigurationError):
    """The user pool's feature plan lacks what the call needs (FeatureUnavailableInTierException):
    choice-based sign-in (USER_AUTH) and passwordless first factors need Essentials or Plus."""

    operator_hint = (
        "Choice-based sign-in (USER_AUTH), email and SMS codes and passkeys need the user pool on the "
        "Essentials plan or higher (User pool > Settings > Feature plan), with the methods allowed as "
        "first factors (Authentication > Sign-in > Choice-based sign-in options); or set this app "
        "client's sign-in flow in the admin to USER_PASSWORD_AUTH or USER_SRP_AUTH."
    )


class SecretUnreadable(ConfigurationError):
    """A stored secret was encrypted under a SECRET_KEY that is neither current nor a
    fallback: no call can be made until it is entered again."""

    default_code = "SecretUnreadable"
    operator_hint = (
        "Put the old key in SECRET_KEY_FALLBACKS, or enter the client secret again in the admin "
        "(and the previous secret, if one is stored)."
    )


class EndpointNotAllowed(ConfigurationError):
    """The app client's endpoint URL is not a canonical ``scheme://host[:port]`` naming
    Cognito's own https endpoint or an allowed host (``validators.canonical_endpoint``)."""

    default_code = "EndpointNotAllowed"
    operator_hint = (
        "Enter the endpoint URL again in the admin as scheme://host[:port]: Cognito's own https endpoint, "
        "or a host (and port, where the entry names one) listed in COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS "
        "(a VPC endpoint, a local emulator)."
    )


class UnknownClient(ConfigurationError):
    """The client id or user pool does not exist in that region."""

    operator_hint = (
        "Check the region, user pool id and client id of this app client; the client may "
        "have been deleted in Cognito."
    )


class PasskeysNotConfigured(ConfigurationError):
    """The user pool does not offer passkeys (WebAuthnNotEnabledException) or has no
    relying party ID (WebAuthnConfigurationMissingException)."""

    operator_hint = (
        "Allow passkeys in the user pool (Sign-in > Options for choice-based sign-in: Passkey, i.e. WEB_AUTHN in "
        "Policies.SignInPolicy.AllowedFirstAuthFactors) and set its relying party ID to this site's domain "
        "(SetUserPoolMfaConfig WebAuthnConfiguration.RelyingPartyId), or give the pool a domain."
    )


class PasskeyRefused(CognitoError):
    """Cognito refused a passkey: made for another relying party or origin, by an
    unsupported provider, or completed with another app client's token."""


class PasskeyChallengeEnded(CognitoError):
    """The passkey registration Cognito started has expired or was already completed."""


class PasskeyNotFound(CognitoError):
    """DeleteWebAuthnCredential: no passkey of the signed-in user has that id."""


class AwsCredentialsError(CognitoError):
    """A signed administrator call (the doctor's, the admin's import) could not be made.

    User-facing calls never need AWS credentials; only these optional calls do.
    """


class NoCredentials(AwsCredentialsError):
    """boto3's default credential chain found no AWS credentials."""

    default_code = "NoCredentials"


class AccessDenied(AwsCredentialsError):
    """AWS refused the credentials, or they lack the permission for that call."""


ERROR_CLASSES: dict[str, type[CognitoError]] = {
    "NotAuthorizedException": InvalidCredentials,
    "UserNotFoundException": UserNotFound,
    "UserNotConfirmedException": UserNotConfirmed,
    "PasswordResetRequiredException": PasswordResetRequired,
    "CodeMismatchException": CodeMismatch,
    "ExpiredCodeException": ExpiredCode,
    "InvalidPasswordException": InvalidPassword,
    "LimitExceededException": RateLimited,
    "TooManyRequestsException": RateLimited,
    "TooManyFailedAttemptsException": RateLimited,
    "CodeDeliveryFailureException": ServiceUnavailable,
    "UsernameExistsException": UsernameExists,
    "AliasExistsException": UsernameExists,
    "InvalidParameterException": InvalidRequest,
    "ResourceNotFoundException": UnknownClient,
    "InternalErrorException": ServiceUnavailable,
    "ServiceUnavailable": ServiceUnavailable,
    "ThrottlingException": RateLimited,
    "InvalidUserPoolConfigurationException": ConfigurationError,
    "InvalidLambdaResponseException": ConfigurationError,
    "UnsupportedOperationException": ConfigurationError,
    "UnexpectedLambdaException": ConfigurationError,
    "FeatureUnavailableInTierException": FeatureUnavailable,
    "UserLambdaValidationException": InvalidRequest,
    # VerifySoftwareToken's wrong first code (AWS: "a code mismatch and the service fails
    # to configure the software token TOTP MFA").
    "EnableSoftwareTokenMFAException": CodeMismatch,
    # Passkeys (StartWebAuthnRegistration, CompleteWebAuthnRegistration).
    "WebAuthnNotEnabledException": PasskeysNotConfigured,
    "WebAuthnConfigurationMissingException": PasskeysNotConfigured,
    "WebAuthnChallengeNotFoundException": PasskeyChallengeEnded,
    "WebAuthnRelyingPartyMismatchException": PasskeyRefused,
    "WebAuthnOriginNotAllowedException": PasskeyRefused,
    "WebAuthnClientMismatchException": PasskeyRefused,
    "WebAuthnCredentialNotSupportedException": PasskeyRefused,
    # Signed administrator calls only.
    "AccessDeniedException": AccessDenied,
    "UnrecognizedClientException": AccessDenied,
    "InvalidSignatureException": AccessDenied,
    "ExpiredTokenException": AccessDenied,
}

# Checked in order before ERROR_CLASSES: (text Cognito puts in the message, class, extra
# keyword arguments). "not configured for secret" must come before "configured for secret".
MESSAGE_RULES: tuple[tuple[str, type[CognitoError], dict[str, str]], ...] = (
    ("is not configured for secret but secret hash was received", SecretHashError,
     {"problem": "unexpected"}),
    ("unable to verify secret hash for client", SecretHashError, {"problem": "mismatch"}),
    ("secrethash does not match for the client", SecretHashError, {"problem": "mismatch"}),
    ("configured with secret but secret_hash was not received", SecretHashError,
     {"problem": "missing"}),
    ("configured for secret but secret was not received", SecretHashError,
     {"problem": "missing"}),
    ("flow not enabled for this client", FlowNotEnabled, {}),
    # Another wording people report for a flow the client does not allow.
    ("is not enabled for the client", FlowNotEnabled, {}),
    ("invalid client or secret", SecretHashError, {"problem": "mismatch"}),
    ("user is disabled", UserDisabled, {}),
    ("password cannot be reset in the current state", ResetNotAllowed, {}),
    ("contact administrator to reset password", ResetNotAllowed, {}),
    ("access token has expired", TokenRejected, {}),
    ("access token has been revoked", TokenRejected, {}),
    ("invalid access token", TokenRejected, {}),
    ("current status is confirmed", AlreadyConfirmed, {}),
    ("user is already confirmed", AlreadyConfirmed, {}),
    ("no registered/verified email or phone_number", NoVerifiedContact, {}),
)


def error_from_cognito(code: str, message: str) -> CognitoError:
    """Build the exception for Cognito's error ``code`` and (already redacted) ``message``."""
    lowered = message.lower()
    for text, error_class, extra in MESSAGE_RULES:
        if text in lowered:
            return error_class(message, code, **extra)
    return ERROR_CLASSES.get(code, CognitoError)(message, code)
