"""Django REST framework: Cognito bearer tokens as an authentication class.

Needs the ``drf`` extra (``pip install django-cognito-auth[drf]``)::

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["cognito_auth.drf.CognitoTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    }

``request.user`` is the token's Django user, ``request.auth`` its
``cognito_auth.api.BearerIdentity``. The verification and the user mapping are
``cognito_auth.api.authenticate_bearer``'s, so DRF and non-DRF views answer alike.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from . import messages
from .api import REFUSAL_ATTRIBUTE, BearerIdentity, BearerRefused, authenticate_bearer, bearer_token


class CognitoUnavailable(exceptions.APIException):
    """The pool's keys could not be fetched, so no token can be judged now: 503."""

    status_code = 503
    default_detail = messages.API_FAILURES["unavailable"]
    default_code = "unavailable"


class CognitoTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <Cognito access or ID token>``.

    A request without bearer credentials is left to the next authentication class
    (``authenticate`` returns None); a token sent and refused fails the request with 401
    and ``WWW-Authenticate: Bearer error="invalid_token"`` (RFC 6750 3.1), and a pool
    whose keys cannot be fetched with 503. Set ``token_use`` on a subclass to accept only
    ``"access"`` or ``"id"`` tokens.
    """

    token_use: Any = None

    def authenticate(self, request: Request) -> tuple[Any, BearerIdentity] | None:
        """:returns: (user, identity), or None when no bearer token was sent.
        :raises AuthenticationFailed: the token is not accepted.
        :raises CognitoUnavailable: the keys could not be fetched.
        """
        django_request = request._request
        try:
            if bearer_token(django_request) is None:
                return None
            identity = authenticate_bearer(django_request, token_use=self.token_use)
        except BearerRefused as refused:
            setattr(django_request, REFUSAL_ATTRIBUTE, refused)
            if refused.status == 503:
                raise CognitoUnavailable() from None
            raise exceptions.AuthenticationFailed(messages.API_FAILURES[refused.reason], refused.reason) from None
        return identity.user, identity

    def authenticate_header(self, request: Request) -> str:
        """The ``WWW-Authenticate`` of a 401: with the refusal's error when a token was sent."""
        refused = getattr(request._request, REFUSAL_ATTRIBUTE, None)
        challenge = refused.www_authenticate() if isinstance(refused, BearerRefused) else None
        return challenge or "Bearer"


class HasCognitoScopes(BasePermission):
    """Allow a request whose bearer token carries every scope in the view's
    ``required_scopes`` and, when the view lists ``required_groups``, one of those groups."""

    message = messages.API_FAILURES["insufficient_scope"]

    def has_permission(self, request: Request, view: Any) -> bool:
        identity = request.auth
        if not isinstance(identity, BearerIdentity):
            return False
        scopes = set(getattr(view, "required_scopes", ()))
        groups = set(getattr(view, "required_groups", ()))
        return scopes <= identity.scopes and (not groups or bool(groups & identity.groups))
