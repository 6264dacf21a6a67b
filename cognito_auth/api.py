"""Cognito tokens as bearer tokens for APIs (RFC 6750): ``Authorization: Bearer <token>``.

An access token or an ID token of a stored app client is verified by the same
``verifier.verify_token`` as sign-in (signature against the pool's cached JWKS, ``iss``,
``token_use``, ``aud`` or ``client_id``, ``exp``), then mapped to the linked Django user
through the ``CognitoBackend``'s hooks, which create that user on first use as a sign-in
would. Which app client: the one stored with the token's ``client_id`` (access token) or
``aud`` (ID token) *and* its issuer's pool; a token of any other client is foreign.

Refusals answer as RFC 6750 section 3 says: 401 with ``WWW-Authenticate: Bearer`` (and
``error="invalid_token"`` when a token was sent), 403 ``insufficient_scope`` when a scope
or group the view requires is missing, and 503 when the pool's keys cannot be fetched
within the client's timeouts. No refusal is ever a 500.

Non-DRF views use ``bearer_token_required``; DRF views ``cognito_auth.drf``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial, wraps
from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.contrib.auth import get_backends
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import messages
from .backends import CognitoBackend
from .budget import request_budget
from .compat import login_not_required
from .exceptions import ConfigurationError, EndpointNotAllowed, ServiceUnavailable
from .groups import cognito_groups
from .models import AppClient
from .verifier import AUDIENCE_CLAIMS, MAX_TOKEN_LENGTH, TokenInvalid, issuer, verify_token

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from .verifier import TokenUse

logger = logging.getLogger("cognito_auth")

# RFC 6750 2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 7235).
AUTHORIZATION = re.compile(r"\A[Bb][Ee][Aa][Rr][Ee][Rr](?: +(.*))?\Z", re.DOTALL)
B64TOKEN = re.compile(r"\A[A-Za-z0-9\-._~+/]+=*\Z")
# What a refused request's WWW-Authenticate says (RFC 6750 3: error_description is ASCII).
DESCRIPTIONS = {
    "invalid_token": "The token is not a valid Cognito token for this site",
    "expired": "The token has expired",
    "insufficient_scope": "The token lacks a scope or group this resource requires",
}
# The attribute a refusal is left under on the request, for DRF's authenticate_header.
REFUSAL_ATTRIBUTE = "cognito_bearer_refusal"


@dataclass(frozen=True)
class BearerIdentity:
    """What a verified bearer token gives: the Django user, the token's claims (an access
    token's ``username`` also as ``cognito:username``), its kind and its app client."""

    user: Any
    claims: dict[str, Any] = field(repr=False)
    token_use: TokenUse
    app_client: AppClient

    @property
    def scopes(self) -> frozenset[str]:
        """The access token's OAuth scopes (its space-separated ``scope``); none for an ID token."""
        scope = self.claims.get("scope")
        return frozenset(scope.split()) if isinstance(scope, str) else frozenset()

    @property
    def groups(self) -> frozenset[str]:
        """The token's ``cognito:groups``."""
        return frozenset(cognito_groups(self.claims))


class BearerRefused(Exception):
    """A request the resource must refuse. ``status`` is 401, 403 or 503; ``error`` the
    RFC 6750 error code (None when no token was sent); ``reason`` a key of
    ``messages.API_FAILURES``. The text never contains the token or its claims."""

    def __init__(self, status: int, reason: str, error: str | None = None, scope: str = "") -> None:
        self.status = status
        self.reason = reason
        self.error = error
        self.scope = scope
        super().__init__(f"Bearer token refused: {reason}")

    def www_authenticate(self) -> str | None:
        """The ``WWW-Authenticate`` value (RFC 6750 3), or None for a 503."""
        if self.status == 503:
            return None
        if self.error is None:
            return "Bearer"
        challenge = f'Bearer error="{self.error}", error_description="{DESCRIPTIONS[self.reason]}"'
        return challenge + (f', scope="{self.scope}"' if self.scope else "")

    def response(self) -> JsonResponse:
        """The JSON answer: ``{"detail": ...}``, with ``WWW-Authenticate`` or ``Retry-After``."""
        answer = JsonResponse({"detail": str(messages.API_FAILURES[self.reason])}, status=self.status)
        challenge = self.www_authenticate()
        if challenge is not None:
            answer["WWW-Authenticate"] = challenge
        else:
            answer["Retry-After"] = "30"
        answer["Cache-Control"] = "no-store"
        return answer


def bearer_token(request: HttpRequest) -> str | None:
    """The token of the request's ``Authorization: Bearer`` header, or None when the
    request carries no bearer credentials (no header, or another scheme).

    :raises BearerRefused: the header names Bearer but holds no well-formed token (401).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    matched = AUTHORIZATION.match(header)
    if matched is None:
        return None
    token = (matched.group(1) or "").strip(" ")
    if not token or len(token) > MAX_TOKEN_LENGTH or not B64TOKEN.match(token):
        raise BearerRefused(401, "invalid_token", "invalid_token")
    return token


# The kinds of token, typed as the verifier's TokenUse.
TOKEN_USES: tuple[TokenUse, ...] = ("id", "access")


def app_client_for_token(token: str, allowed: Collection[str] = ("access", "id")) -> tuple[AppClient, TokenUse]:
    """The stored app client a token names, and the token's kind, read from its unverified
    payload only to choose the client (and so the keys) it is then verified against.

    :param allowed: the kinds of token (``token_use``) accepted.
    :raises BearerRefused: unreadable, another kind, or no stored app client has its
        ``client_id`` / ``aud`` in its issuer's pool (a foreign token); 401.
    """
    claims = _unverified_claims(token)
    # Unverified: any JSON value may stand here, a list or an object included.
    named = claims.get("token_use")
    token_use = next((kind for kind in TOKEN_USES if kind == named and kind in allowed), None)
    if token_use is None:
        raise BearerRefused(401, "invalid_token", "invalid_token")
    audience = claims.get(AUDIENCE_CLAIMS[token_use][0])
    token_issuer = claims.get("iss")
    for app_client in AppClient.objects.cached():
        if audience == app_client.client_id and token_issuer == issuer(app_client):
            return app_client, token_use
    raise BearerRefused(401, "invalid_token", "invalid_token")


def authenticate_bearer(
    request: HttpRequest,
    *,
    token_use: TokenUse | None = None,
    scopes: Collection[str] = (),
    groups: Collection[str] = (),
    backend: CognitoBackend | None = None,
) -> BearerIdentity:
    """Verify the request's bearer token and find (or create) its Django user.

    :param token_use: ``"access"`` or ``"id"`` to accept only that kind; None for both.
    :param scopes: OAuth scopes the access token must all carry (``scope`` claim).
    :param groups: Cognito groups the user must be in, one of them at least.
    :param backend: whose hooks map the token to a user; the first ``CognitoBackend`` of
        ``AUTHENTICATION_BACKENDS`` (or a plain one) when None.
    :returns: the user, claims, kind and app client.
    :raises BearerRefused: 401 (no token, or one not accepted, or no Django user for it),
        403 (a scope or group missing) or 503 (the keys could not be fetched).
    """
    with request_budget():  # the JWKS fetch, with or without CognitoSessionMiddleware
        return _authenticate_bearer(request, token_use, scopes, groups, backend)


def _authenticate_bearer(
    request: HttpRequest, token_use: TokenUse | None, scopes: Collection[str], groups: Collection[str],
    backend: CognitoBackend | None,
) -> BearerIdentity:
    token = bearer_token(request)
    if token is None:
        raise BearerRefused(401, "no_token")
    app_client, kind = app_client_for_token(token, (token_use,) if token_use else ("access", "id"))
    try:
        claims = verify_token(token, app_client, kind)
    except TokenInvalid as refusal:
        logger.info("App client %r: %s", app_client.name, refusal)
        reason = "expired" if refusal.reason == "expired" else "invalid_token"
        raise BearerRefused(401, reason, "invalid_token") from None
    except ServiceUnavailable as exc:
        logger.warning("App client %r: a bearer token could not be verified: %s", app_client.name, exc)
        raise BearerRefused(503, "unavailable") from None
    except (EndpointNotAllowed, ConfigurationError) as exc:
        logger.error("App client %r: a bearer token could not be verified: %s", app_client.name, exc)
        raise BearerRefused(503, "unavailable") from None
    if kind == "access" and "cognito:username" not in claims and isinstance(claims.get("username"), str):
        # The access token names the internal username "username"; the hooks read the ID token's name.
        claims = {**claims, "cognito:username": claims["username"]}
    identity_claims = BearerIdentity(None, claims, kind, app_client)
    missing = _missing(identity_claims, scopes, groups)
    if missing is not None:
        raise missing
    user = _user(request, claims, app_client, backend or cognito_backend())
    return BearerIdentity(user, claims, kind, app_client)


def cognito_backend() -> CognitoBackend:
    """The first ``CognitoBackend`` (or subclass) in ``AUTHENTICATION_BACKENDS``, else a plain one."""
    for backend in get_backends():
        if isinstance(backend, CognitoBackend):
            return backend
    return CognitoBackend()


def bearer_token_required(
    view_func: Callable[..., Any] | None = None,
    *,
    token_use: TokenUse | None = None,
    scopes: Collection[str] = (),
    groups: Collection[str] = (),
) -> Any:
    """Decorate a function view (sync or async) so it answers only to a valid bearer token.

    The view runs with ``request.user`` the token's Django user and
    ``request.cognito_bearer`` its ``BearerIdentity``; any refusal is answered with
    ``BearerRefused.response()``. The view is CSRF-exempt (a bearer token is no ambient
    credential a browser sends on its own) and open under ``LoginRequiredMiddleware``.
    Usable bare (``@bearer_token_required``) or with the arguments of
    ``authenticate_bearer`` (``@bearer_token_required(scopes=["orders/read"])``).
    """
    check = partial(authenticate_bearer, token_use=token_use, scopes=tuple(scopes), groups=tuple(groups))

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        if iscoroutinefunction(view):

            @wraps(view)
            async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                try:
                    identity = await sync_to_async(check)(request)
                except BearerRefused as refused:
                    return refused.response()
                _attach(request, identity)
                return await view(request, *args, **kwargs)

            wrapper: Callable[..., Any] = async_wrapper
        else:

            @wraps(view)
            def sync_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                try:
                    identity = check(request)
                except BearerRefused as refused:
                    return refused.response()
                _attach(request, identity)
                return view(request, *args, **kwargs)

            wrapper = sync_wrapper
        return login_not_required(csrf_exempt(wrapper))

    return decorator(view_func) if view_func is not None else decorator


def _attach(request: HttpRequest, identity: BearerIdentity) -> None:
    request.user = identity.user
    request.cognito_bearer = identity  # type: ignore[attr-defined]


def _missing(identity: BearerIdentity, scopes: Collection[str], groups: Collection[str]) -> BearerRefused | None:
    if set(scopes) - identity.scopes or (groups and not identity.groups.intersection(groups)):
        return BearerRefused(403, "insufficient_scope", "insufficient_scope", " ".join(sorted(scopes)))
    return None


def _user(
    request: HttpRequest, claims: dict[str, Any], app_client: AppClient, backend: CognitoBackend
) -> AbstractBaseUser:
    """The linked user, as a sign-in finds, updates or creates it (and logs refusals)."""
    if not backend.verify_claims(claims, app_client):
        logger.info("App client %r: verify_claims refused Cognito user %r's bearer token.",
                    app_client.name, backend.cognito_username(claims))
        raise BearerRefused(401, "invalid_token", "invalid_token")
    user = backend.user_for_claims(request, claims, app_client)
    if user is None or not backend.user_can_authenticate(user):  # type: ignore[arg-type]  # ANY_USER_MODEL (backends)
        raise BearerRefused(401, "invalid_token", "invalid_token")
    return user


def _unverified_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise BearerRefused(401, "invalid_token", "invalid_token")
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BearerRefused(401, "invalid_token", "invalid_token") from None
    if not isinstance(claims, dict):
        raise BearerRefused(401, "invalid_token", "invalid_token")
    return claims

