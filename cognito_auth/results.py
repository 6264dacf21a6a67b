"""Typed results of the Cognito calls that send a code, instead of Cognito's raw dicts.

Source (Amazon Cognito API Reference): CodeDeliveryDetailsType (``Destination``,
``DeliveryMedium``, ``AttributeName``), returned by ForgotPassword, ResendConfirmationCode
and SignUp; SignUp's response (``UserConfirmed``, ``UserSub``); and a challenge's
``CODE_DELIVERY_DESTINATION`` / ``CODE_DELIVERY_DELIVERY_MEDIUM`` parameters
(RespondToAuthChallenge).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.utils.crypto import salted_hmac

PRETEND_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class CodeDelivery:
    """Where Cognito sent a code. Empty strings: Cognito did not say.

    :ivar destination: masked as Cognito masks it: ``a***@e***``, ``+*******0100``.
    :ivar medium: ``"EMAIL"`` or ``"SMS"``.
    :ivar attribute_name: the user attribute the code went to: ``"email"``, ``"phone_number"``.
    """

    destination: str = ""
    medium: str = ""
    attribute_name: str = ""

    @classmethod
    def from_response(cls, details: object) -> CodeDelivery:
        """From Cognito's ``CodeDeliveryDetails``; anything that is not a dict of strings
        (missing, or an endpoint that answers oddly) gives empty fields, never an error."""
        if not isinstance(details, Mapping):
            return cls()
        return cls(
            destination=_text(details.get("Destination")),
            medium=_text(details.get("DeliveryMedium")),
            attribute_name=_text(details.get("AttributeName")),
        )

    @classmethod
    def from_challenge(cls, parameters: Mapping[str, object]) -> CodeDelivery:
        """From an SMS_MFA or EMAIL_OTP challenge's parameters (no attribute name there)."""
        return cls(
            destination=_text(parameters.get("CODE_DELIVERY_DESTINATION")),
            medium=_text(parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM")),
        )

    @classmethod
    def masked_email(cls, email: str) -> CodeDelivery:
        """The typed address as Cognito shows a destination: ``n***@e***`` for
        newcomer@example.com."""
        local, _, domain = email.partition("@")
        return cls(destination=f"{local[:1]}***@{domain[:1]}***", medium="EMAIL", attribute_name="email")

    @classmethod
    def pretend(cls, username: str) -> CodeDelivery:
        """A masked email address (``q***@k***``) for a name Cognito sent nothing to, so the
        page reads as for any other name. Its letters come from an HMAC of the name under
        ``SECRET_KEY``: the same for the same name (a second request must not read
        differently), and not to be guessed from the name."""
        digest = salted_hmac("cognito_auth.forms.pretend_delivery", username.casefold()).digest()
        first, second = (PRETEND_ALPHABET[byte % len(PRETEND_ALPHABET)] for byte in digest[:2])
        return cls(destination=f"{first}***@{second}***", medium="EMAIL", attribute_name="email")

    @classmethod
    def from_stored(cls, stored: Mapping[str, object]) -> CodeDelivery:
        """Read back ``stored()``'s dict (from the session); missing or odd values read
        as empty, never as an error."""
        return cls(
            destination=_text(stored.get("destination")),
            medium=_text(stored.get("medium")),
            attribute_name=_text(stored.get("attribute_name")),
        )

    def stored(self) -> dict[str, str]:
        """A JSON-ready dict (for the session): ``destination``, ``medium``, ``attribute_name``."""
        return asdict(self)


@dataclass(frozen=True)
class SignUpResult:
    """SignUp's answer.

    :ivar user_confirmed: True when the account needs no code (a pre sign-up Lambda
        confirmed it).
    :ivar user_sub: the new user's ``sub``.
    :ivar delivery: where the confirmation code went (empty when confirmed).
    """

    user_confirmed: bool
    user_sub: str
    delivery: CodeDelivery

    @classmethod
    def from_response(cls, response: Mapping[str, object]) -> SignUpResult:
        return cls(
            user_confirmed=response.get("UserConfirmed") is True,
            user_sub=_text(response.get("UserSub")),
            delivery=CodeDelivery.from_response(response.get("CodeDeliveryDetails")),
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
