"""Signal receivers, connected in ``CognitoAuthConfig.ready()``."""

from __future__ import annotations

from typing import Any

from .tokens import SessionTokens


def store_tokens_in_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Keep Cognito's tokens with the session, after ``login()`` rotated or flushed it.

    The backend cannot write them itself: ``login()`` flushes a session that belonged to
    another user, which would drop them.
    """
    tokens = getattr(user, "cognito_tokens", None)
    if isinstance(tokens, SessionTokens) and request is not None and hasattr(request, "session"):
        tokens.save(request.session)
