"""Signal receivers, connected in ``CognitoAuthConfig.ready()``. The session's Cognito
state itself is ``sessions``'s business."""

from __future__ import annotations

from typing import Any

from . import sessions


def store_tokens_in_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Keep Cognito's tokens with the session, after ``login()`` rotated or flushed it.

    The backend cannot write them itself: ``login()`` flushes a session that belonged to
    another user, which would drop them.
    """
    tokens = getattr(user, sessions.TOKENS_ATTRIBUTE, None)
    if isinstance(tokens, sessions.SessionTokens) and request is not None and hasattr(request, "session"):
        sessions.store_sign_in(request.session, tokens)


def revoke_tokens_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Revoke the session's refresh token before ``logout()`` flushes the session.

    Sign-out never fails because of Cognito (see ``sessions.revoke``).
    """
    if request is not None and hasattr(request, "session"):
        sessions.revoke(request)
