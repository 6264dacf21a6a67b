"""Input checks that keep hostile input away from Cognito and out of 500s."""

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from .conf import app_settings
from .messages import ENDPOINT_NOT_ALLOWED, INVALID_CODE, INVALID_USERNAME

# Cognito's limits (API reference: Username is 1-128 characters, Password up to 256).
USERNAME_MAX_LENGTH = 128
PASSWORD_MAX_LENGTH = 256


def validate_cognito_username(value: str) -> None:
    """Cognito usernames match [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+: no spaces or controls.

    A request body that was not UTF-8 arrives here with U+FFFD in it, which is refused.
    """
    for char in value:
        category = unicodedata.category(char)
        if category[0] not in "LMSNP" or char == "\ufffd":
            raise ValidationError(INVALID_USERNAME, code="invalid_username")


# Cognito's ConfirmationCode: [\S]+, at most 2048 characters.
CODE_MAX_LENGTH = 2048


def validate_code(value: str) -> None:
    if any(char.isspace() or unicodedata.category(char)[0] == "C" or char == "\ufffd" for char in value):
        raise ValidationError(INVALID_CODE, code="invalid_code")


AWS_ENDPOINT_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")


def endpoint_allowed(endpoint_url: str) -> bool:
    """Blank (AWS's default), an https endpoint of AWS, or a host the settings allow."""
    if not endpoint_url:
        return True
    parts = urlsplit(endpoint_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if parts.scheme == "https" and host.endswith(AWS_ENDPOINT_SUFFIXES):
        return True
    for entry in app_settings.ALLOWED_ENDPOINT_HOSTS:
        allowed = entry.lower()
        if host == allowed or (allowed.startswith(".") and host.endswith(allowed)):
            return True
    return False


def validate_endpoint_url(value: str) -> None:
    if not endpoint_allowed(value):
        raise ValidationError(ENDPOINT_NOT_ALLOWED, code="endpoint_not_allowed")
