"""``CognitoSessionMiddleware``: sessions that follow Cognito.

Place it after ``AuthenticationMiddleware`` (and ``MessageMiddleware``, for the message a
signed-out person sees)::

    MIDDLEWARE = [
        ...
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "cognito_auth.middleware.CognitoSessionMiddleware",
        ...
    ]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from . import sessions
from .budget import request_budget


class CognitoSessionMiddleware:
    """Keeps a Cognito sign-in's tokens renewed, and ends the Django session once Cognito
    refuses them (user disabled, deleted, signed out everywhere, token revoked).

    While the access token is fresh a request costs a look at two plain numbers in the
    session: no decryption, no query, no Cognito call. Once it is due (see
    ``sessions.is_due``), one request of the session renews it (``sessions.keep_fresh``).
    Django-only sessions are untouched.

    It works in ``process_view``, after ``CsrfViewMiddleware`` has had its say: a forged
    POST makes no Cognito call and ends no session. The whole request runs in one Cognito
    time budget (``budget.request_budget``): a renewal here and the page's own calls
    share ``COGNITO_AUTH_REQUEST_BUDGET``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_budget():
            return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any,
    ) -> None:
        session = getattr(request, "session", None)
        if session is not None and sessions.is_due(session):
            sessions.keep_fresh(request)
