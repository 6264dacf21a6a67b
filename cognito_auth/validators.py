"""Input checks that keep hostile input away from Cognito and out of 500s."""

import unicodedata

from django.core.exceptions import ValidationError

from .messages import INVALID_CODE, INVALID_USERNAME

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
