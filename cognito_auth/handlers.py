"""Signal receivers, connected in ``CognitoAuthConfig.ready()``."""

from __future__ import annotations

from typing import Any

from .client import get_cognito_client
from .conf import app_settings
from .exceptions import CognitoError
from .models import AppClient
from .tokens import SessionTokens


def store_tokens_in_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Keep Cognito's tokens with the session, after ``login()`` rotated or flushed it.

    The backend cannot write them itself: ``login()`` flushes a session that belonged to
    another user, which would drop them.
    """
    tokens = getattr(user, "cognito_tokens", None)
    if isinstance(tokens, SessionTokens) and request is not None and hasattr(request, "session"):
        tokens.save(request.session)


def revoke_tokens_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Revoke the session's refresh token before ``logout()`` flushes the session.

    Sign-out never fails because of Cognito: an unreachable or refusing Cognito is logged
    by the client and the person is signed out here all the same.
    """
    if not app_settings.REVOKE_ON_LOGOUT or request is None or not hasattr(request, "session"):
        return
    tokens = SessionTokens.load(request.session)
    if tokens is None or not tokens.refresh_token:
        return
    app_client = next((c for c in AppClient.objects.cached() if c.pk == tokens.app_client_pk), None)
    if app_client is None:
        return
    try:
        get_cognito_client(app_client, request).revoke_refresh_token(tokens.refresh_token)
    except CognitoError:
        pass  # logged by the client; the Django session ends regardless
