"""The one module that talks to Cognito.

Every call that names a user carries SECRET_HASH when the app client has a secret (and
never when it has none), goes out unsigned (these user-facing APIs need no AWS
credentials), and is bounded by botocore's connect/read timeouts and a small retry budget.
Errors come back as the classes in ``exceptions``; configuration errors are logged for
the operator with the app client's name and id and what to check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

import boto3
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from .conf import app_settings
from .exceptions import (
    CognitoError,
    ConfigurationError,
    InvalidRequest,
    ServiceUnavailable,
    error_from_cognito,
)

logger = logging.getLogger("cognito_auth")

# botocore logs every request's parameters and every response body at DEBUG: passwords,
# codes, SECRET_HASHes, tokens, client secrets. While this module makes a call, those
# records keep only their first words; other services' debug output is left alone.
BOTOCORE_BODY_LOGGERS = ("botocore.endpoint", "botocore.parsers")
_making_cognito_call: ContextVar[bool] = ContextVar("cognito_auth_call", default=False)


class WithholdCognitoBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _making_cognito_call.get() and record.levelno <= logging.DEBUG:
            summary = str(record.msg).split("%", 1)[0].split(":", 1)[0].strip()
            record.msg = "%s [withheld by cognito_auth: it may hold passwords, codes or tokens]"
            record.args = (summary,)
        return True


for _name in BOTOCORE_BODY_LOGGERS:
    logging.getLogger(_name).addFilter(WithholdCognitoBodies())


@contextmanager
def withholding_botocore_bodies() -> Iterator[None]:
    """Mark the calls made inside as Cognito calls whose bodies must not be logged."""
    token = _making_cognito_call.set(True)
    try:
        yield
    finally:
        _making_cognito_call.reset(token)


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Base64(HMAC-SHA256(key=secret, message=username + client id)), as AWS documents.

    The exact strings are hashed as UTF-8, with no normalisation or case folding: Cognito
    hashes the bytes it received.
    """
    digest = hmac.new(
        client_secret.encode("utf-8"),
        (username + client_id).encode("utf-8"),
        hashlib.sha256,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


class AppClientLike(Protocol):
    """What the client needs of an app client (``models.AppClient`` fits)."""

    name: str
    region: str
    user_pool_id: str
    client_id: str
    client_secret: str
    endpoint_url: str


_boto3_clients: dict[tuple[Any, ...], BaseClient] = {}
_boto3_clients_lock = threading.Lock()


def boto3_client(region: str, endpoint_url: str = "") -> BaseClient:
    """One cognito-idp client per region, endpoint and timeout settings, built once.

    Building a boto3 client costs tens of milliseconds, so it is reused; botocore clients
    are thread-safe. Settings are part of the key so ``override_settings`` takes effect.
    This cache holds connection objects only, nothing a second process needs to see.
    """
    key = (
        region,
        endpoint_url or None,
        app_settings.CONNECT_TIMEOUT,
        app_settings.READ_TIMEOUT,
        app_settings.MAX_ATTEMPTS,
    )
    client = _boto3_clients.get(key)
    if client is not None:
        return client
    with _boto3_clients_lock:  # boto3 sessions are not thread-safe while building clients
        client = _boto3_clients.get(key)
        if client is None:
            config = Config(
                signature_version=UNSIGNED,
                connect_timeout=app_settings.CONNECT_TIMEOUT,
                read_timeout=app_settings.READ_TIMEOUT,
                retries={"mode": "standard", "total_max_attempts": app_settings.MAX_ATTEMPTS},
            )
            client = boto3.session.Session().client(
                "cognito-idp",
                region_name=region,
                endpoint_url=endpoint_url or None,
                config=config,
            )
            _boto3_clients[key] = client
    return client


@dataclass(frozen=True)
class AuthResult:
    """InitiateAuth's answer: tokens, or a challenge to answer first."""

    id_token: str = ""
    access_token: str = ""
    refresh_token: str = ""
    expires_in: int = 0
    challenge_name: str = ""
    challenge_parameters: dict[str, str] | None = None
    session: str = ""

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> AuthResult:
        tokens = response.get("AuthenticationResult") or {}
        return cls(
            id_token=tokens.get("IdToken", ""),
            access_token=tokens.get("AccessToken", ""),
            refresh_token=tokens.get("RefreshToken", ""),
            expires_in=int(tokens.get("ExpiresIn", 0)),
            challenge_name=response.get("ChallengeName", ""),
            challenge_parameters=response.get("ChallengeParameters"),
            session=response.get("Session", ""),
        )


# Where a call carries the hash: (the parameter holding it, or None for top level; its name).
HashPlace = tuple[str | None, str]
IN_AUTH_PARAMETERS: HashPlace = ("AuthParameters", "SECRET_HASH")
TOP_LEVEL: HashPlace = (None, "SecretHash")


def _with_secret_hash(params: dict[str, Any], place: HashPlace, value: str | None) -> tuple[dict[str, Any], str]:
    """``params`` with the hash added where the call carries it; unchanged without a secret."""
    if value is None:
        return params, ""
    container, name = place
    if container is None:
        return {**params, name: value}, value
    return {**params, container: {**params[container], name: value}}, value


class CognitoClient:
    """Cognito's user-facing API for one app client."""

    def __init__(self, app_client: AppClientLike) -> None:
        self.app_client = app_client

    def secret_hash_for(self, username: str) -> str | None:
        """The SECRET_HASH over ``username``, or None for a client without a secret."""
        secret = self.app_client.client_secret
        if not secret:
            return None
        return secret_hash(username, self.app_client.client_id, secret)

    def initiate_password_auth(self, username: str, password: str) -> AuthResult:
        """One InitiateAuth USER_PASSWORD_AUTH call, hashed over the name as typed."""
        response = self._user_call(
            "initiate_auth",
            {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": username, "PASSWORD": password}},
            username=username, hash_at=IN_AUTH_PARAMETERS, sensitive=(password,),
        )
        return AuthResult.from_response(response)

    def refresh(self, refresh_token: str, internal_username: str) -> AuthResult:
        """REFRESH_TOKEN_AUTH. The hash is over the internal username (the access token's
        ``username`` claim), not the alias the person typed, or Cognito rejects it."""
        response = self._user_call(
            "initiate_auth",
            {"AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh_token}},
            username=internal_username, hash_at=IN_AUTH_PARAMETERS, sensitive=(refresh_token,),
        )
        return AuthResult.from_response(response)

    def forgot_password(self, username: str) -> dict[str, str]:
        """ForgotPassword; returns CodeDeliveryDetails (Destination, DeliveryMedium, ...)."""
        response = self._user_call(
            "forgot_password", {"Username": username}, username=username, hash_at=TOP_LEVEL, sensitive=(),
        )
        return response.get("CodeDeliveryDetails") or {}

    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None:
        self._user_call(
            "confirm_forgot_password",
            {"Username": username, "ConfirmationCode": code, "Password": new_password},
            username=username, hash_at=TOP_LEVEL, sensitive=(code, new_password),
        )

    def change_password(self, access_token: str, old_password: str, new_password: str) -> None:
        """ChangePassword names no user (the access token does), so it carries no hash."""
        self._call(
            "change_password",
            {"AccessToken": access_token, "PreviousPassword": old_password, "ProposedPassword": new_password},
            sensitive=(access_token, old_password, new_password),
            with_client_id=False,
        )

    def sign_up(self, username: str, password: str, attributes: dict[str, str]) -> dict[str, Any]:
        """SignUp; returns Cognito's answer (UserConfirmed, UserSub, CodeDeliveryDetails)."""
        return self._user_call(
            "sign_up",
            {"Username": username, "Password": password,
             "UserAttributes": [{"Name": name, "Value": value} for name, value in attributes.items()]},
            username=username, hash_at=TOP_LEVEL, sensitive=(password,),
        )

    def confirm_sign_up(self, username: str, code: str) -> None:
        self._user_call(
            "confirm_sign_up", {"Username": username, "ConfirmationCode": code},
            username=username, hash_at=TOP_LEVEL, sensitive=(code,),
        )

    def resend_confirmation_code(self, username: str) -> dict[str, str]:
        response = self._user_call(
            "resend_confirmation_code", {"Username": username}, username=username, hash_at=TOP_LEVEL, sensitive=(),
        )
        return response.get("CodeDeliveryDetails") or {}

    def _user_call(
        self, operation: str, params: dict[str, Any], *, username: str, hash_at: HashPlace,
        sensitive: tuple[str, ...],
    ) -> dict:
        """A call that names a user: with a secret, it carries the hash over ``username``."""
        hashed, value = _with_secret_hash(params, hash_at, self.secret_hash_for(username))
        return self._call(operation, hashed, sensitive=(*sensitive, value))

    def _call(
        self, operation: str, params: dict[str, Any], sensitive: tuple[str, ...], with_client_id: bool = True,
    ) -> dict:
        client = boto3_client(self.app_client.region, self.app_client.endpoint_url)
        if with_client_id:
            params = {"ClientId": self.app_client.client_id, **params}
        try:
            with withholding_botocore_bodies():
                return getattr(client, operation)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            message = _redact(str(error.get("Message", "")), sensitive)
            translated = error_from_cognito(str(error.get("Code", "")), message)
            self._report(operation, translated)
            # Not chained: the ClientError holds the unredacted text, which a lenient
            # server may fill with the hash it received. Code and text are carried over.
            raise translated from None
        except ParamValidationError:
            # botocore refused the input before sending it (too long, empty...). Its text
            # quotes the offending value, which may be a password: keep only the class.
            raise InvalidRequest("ParamValidationError") from None
        except BotoCoreError as exc:
            # Timeouts, refused connections, DNS failures: botocore's text names the
            # endpoint only, never the request's parameters, so the cause can stay.
            translated = ServiceUnavailable(type(exc).__name__)
            self._report(operation, translated)
            raise translated from exc

    def _report(self, operation: str, error: CognitoError) -> None:
        if isinstance(error, ConfigurationError):
            self._log_configuration_error(operation, error)
        elif isinstance(error, ServiceUnavailable):
            logger.warning(
                "Cognito unavailable for app client %r (client id %s) on %s: %s",
                self.app_client.name, self.app_client.client_id, operation, error,
            )

    def _log_configuration_error(self, operation: str, error: ConfigurationError) -> None:
        logger.error(
            "Cognito rejected %s for app client %r (client id %s, user pool %s, region %s): "
            "%s. %s",
            operation, self.app_client.name, self.app_client.client_id,
            self.app_client.user_pool_id, self.app_client.region, error,
            error.operator_hint,
        )


def _redact(message: str, sensitive: tuple[str, ...]) -> str:
    """Remove anything we sent that must stay secret from Cognito's (or an emulator's) text."""
    for value in sensitive:
        if value:
            message = message.replace(value, "[redacted]")
    return message
