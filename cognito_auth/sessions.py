"""A signed-in session's Cognito state: the one module that loads and saves it, finds the
session's app client, renews the tokens, and revokes or signs them out.

Tokens stay server-side: the session holds them encrypted (a database session store must
never hold a token in plain text), and the browser only ever sees the session cookie.
Beside them the session keeps a plain *clock* (when the access token expires, how long it
was valid, when Cognito last confirmed the session): none of it is secret, and it lets
``CognitoSessionMiddleware`` decide in a few microseconds, without decrypting anything,
that a request needs no Cognito call.

Views, handlers and the middleware all come here; none of them touches the session keys.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, load_backend, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import resolve_url

from . import budget, encryption, shared_cache
from .client import get_cognito_client
from .conf import app_settings
from .exceptions import (
    CognitoError,
    InvalidCredentials,
    PasswordResetRequired,
    TokenRejected,
    UserNotConfirmed,
)
from .identity import end_sessions
from .messages import SESSION_EXPIRED
from .models import AppClient
from .tokens import id_token_claims
from .verifier import CLOCK_SKEW

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest, HttpResponseRedirect

    from .client import AuthResult

logger = logging.getLogger("cognito_auth")

SESSION_KEY = "_cognito_auth_tokens"
# [expires_at, lifetime, confirmed_at]: seconds since the epoch, seconds of validity,
# seconds since the epoch. Plain numbers, read on every request.
CLOCK_KEY = "_cognito_auth_clock"
SESSION_PURPOSE = "session_tokens"

# Cognito's answers that end the session: the refresh token was revoked or rotated out,
# the user was disabled, deleted, signed out everywhere, or must reset their password.
REFUSALS = (InvalidCredentials, TokenRejected, PasswordResetRequired, UserNotConfirmed)

# The backend leaves a sign-in's SessionTokens on the user instance under this name, for the
# user_logged_in handler to store once login() has rotated the session.
TOKENS_ATTRIBUTE = "cognito_tokens"

# What a renewal left in the cache for the other requests of the same session.
RENEWING, RENEWED, REFUSED, UNAVAILABLE = "renewing", "renewed", "refused", "unavailable"
# The longest a failed renewal waits before the next try (seconds); a token valid for
# less is retried after a quarter of its life.
RETRY_AFTER = 30.0
CACHE_PREFIX = "cognito_auth:renewal:"


@dataclass(frozen=True)
class SessionTokens:
    """What a signed-in session keeps of Cognito's answer."""

    app_client_pk: int
    cognito_username: str  # the internal username: refreshes are hashed over it
    # No ID token: its claims were used at sign-in (and at each renewal), and every page
    # view would carry its kilobyte or two in the session for nothing.
    access_token: str
    refresh_token: str
    expires_at: float  # seconds since the epoch

    @classmethod
    def from_auth_result(
        cls, result: AuthResult, app_client: AppClient, cognito_username: str, refresh_token: str = ""
    ) -> SessionTokens:
        """From InitiateAuth's (or GetTokensFromRefreshToken's) answer. A refresh without
        rotation answers without a new refresh token, so the one it used is passed on."""
        return cls(
            app_client_pk=app_client.pk,
            cognito_username=cognito_username,
            access_token=result.access_token,
            refresh_token=result.refresh_token or refresh_token,
            expires_at=time.time() + result.expires_in,
        )

    @property
    def is_fresh(self) -> bool:
        """Whether Cognito still accepts the access token (allowing for clock skew)."""
        return time.time() + CLOCK_SKEW < self.expires_at

    def save(self, session: SessionBase, *, lifetime: float | None = None, confirmed_at: float | None = None) -> None:
        """Keep the tokens (encrypted) and their clock in ``session``.

        :param lifetime: seconds the access token was valid for when issued; default: the
            one already on the session's clock, else what is left of it now, in whole seconds.
        :param confirmed_at: when Cognito last confirmed the session (seconds since the
            epoch); default: kept from the session's clock, else now.
        """
        now = time.time()
        previous = _clock(session)
        if lifetime is None:
            # Just made from Cognito's ExpiresIn, a whole number of seconds.
            lifetime = previous[1] if previous else max(0.0, float(round(self.expires_at - now)))
        if confirmed_at is None:
            confirmed_at = previous[2] if previous else now
        session[SESSION_KEY] = encryption.encrypt(json.dumps(asdict(self)), SESSION_PURPOSE)
        session[CLOCK_KEY] = [self.expires_at, float(lifetime), float(confirmed_at)]

    @classmethod
    def load(cls, session: SessionBase | dict[str, Any]) -> SessionTokens | None:
        """The tokens of this session, or None: not a Cognito sign-in.

        Whatever else a session store migration, an older release or a bug left under the
        key (an int, a dict, bytes, a value encrypted under a retired key, JSON of another
        shape) also reads as None, never as an error: the person is simply not signed in
        to Cognito.
        """
        stored = session.get(SESSION_KEY)
        if not stored or not isinstance(stored, str):
            return None
        try:
            fields = json.loads(encryption.decrypt(stored, SESSION_PURPOSE))
        except (encryption.UndecryptableSecret, ValueError):
            return None
        if not isinstance(fields, dict) or set(fields) != set(cls.__dataclass_fields__):
            return None
        if not all(_is_type(fields[name], kind) for name, kind in FIELD_TYPES.items()):
            return None
        return cls(**fields)


# The JSON types of the stored fields (an int where a float is wanted is fine; bools are not numbers).
FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "app_client_pk": (int,),
    "cognito_username": (str,),
    "access_token": (str,),
    "refresh_token": (str,),
    "expires_at": (int, float),
}


def _is_type(value: Any, kinds: tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and not isinstance(value, bool)


def _clock(session: SessionBase | dict[str, Any]) -> tuple[float, float, float] | None:
    clock = session.get(CLOCK_KEY)
    if (
        isinstance(clock, list) and len(clock) == 3
        and all(_is_type(number, (int, float)) for number in clock)
    ):
        return clock[0], clock[1], clock[2]
    return None


def store_sign_in(session: SessionBase, tokens: SessionTokens) -> None:
    """Keep a new sign-in's tokens: Cognito confirmed the session just now."""
    now = time.time()
    tokens.save(session, lifetime=max(0.0, float(round(tokens.expires_at - now))), confirmed_at=now)


def load(session: SessionBase) -> SessionTokens | None:
    """The session's tokens, or None (see ``SessionTokens.load``)."""
    return SessionTokens.load(session)


def forget(session: SessionBase) -> None:
    """Drop the session's Cognito state; the Django sign-in stays."""
    session.pop(SESSION_KEY, None)
    session.pop(CLOCK_KEY, None)


def app_client_of(tokens: SessionTokens) -> AppClient | None:
    """The app client the session signed in through (from the cached list, no query);
    None once it was deleted."""
    return next((client for client in AppClient.objects.cached() if client.pk == tokens.app_client_pk), None)


# Freshness ------------------------------------------------------------------------------


def renew_before(lifetime: float) -> float:
    """Seconds before expiry at which an access token valid for ``lifetime`` seconds is
    renewed: ``min(COGNITO_AUTH_RENEW_BEFORE, lifetime / 4)``, so a token of a few seconds
    (tests, demos) stays fresh for most of its life."""
    return min(float(app_settings.RENEW_BEFORE), lifetime / 4)


def is_due(session: SessionBase) -> bool:
    """Whether the session needs Cognito now: its access token is about to expire, or
    Cognito has not confirmed it for ``COGNITO_AUTH_REVALIDATE_AFTER`` seconds. Reads only
    the plain clock: no decryption, no query, no call. A session without Cognito tokens
    (a Django-only sign-in) is never due."""
    clock = _clock(session)
    if clock is None:
        # Tokens without a clock (an older release, odd data) are looked at once.
        return SESSION_KEY in session
    expires_at, lifetime, confirmed_at = clock
    now = time.time()
    if now >= expires_at - renew_before(lifetime):
        return True
    revalidate_after = app_settings.REVALIDATE_AFTER
    return revalidate_after is not None and now >= confirmed_at + float(revalidate_after)


# Renewal --------------------------------------------------------------------------------


def renew(request: HttpRequest, tokens: SessionTokens) -> SessionTokens:
    """Renew the session's tokens with one call and save them in ``request.session``.

    REFRESH_TOKEN_AUTH, hashed over the internal username; or, for an app client with
    ``refresh_token_rotation``, GetTokensFromRefreshToken with the client secret, keeping
    the new refresh token it hands out (Cognito refuses the old one after its grace
    period). A new ID token is verified (``verifier``) and its claims go onto the user
    through the backend's ``refresh_user``. Sources: InitiateAuth and
    GetTokensFromRefreshToken in the Cognito API reference.

    :returns: the new tokens.
    :raises TokenRejected: the app client was deleted.
    :raises CognitoError: Cognito refused (one of ``REFUSALS``) or could not be asked
        (``ServiceUnavailable``, a ``ConfigurationError``...); nothing was saved.
    :raises SuspiciousOperation: the new ID token failed verification; nothing was saved.
    """
    app_client = app_client_of(tokens)
    if app_client is None:
        raise TokenRejected("the session's app client was deleted")
    client = get_cognito_client(app_client, request)
    if app_client.refresh_token_rotation:
        result = client.get_tokens_from_refresh_token(tokens.refresh_token)
    else:
        result = client.refresh(tokens.refresh_token, tokens.cognito_username)
    if result.id_token:
        claims = id_token_claims(result.id_token, app_client)
        _refresh_user(request, claims, app_client)
    fresh = SessionTokens.from_auth_result(result, app_client, tokens.cognito_username, tokens.refresh_token)
    fresh.save(request.session, lifetime=result.expires_in, confirmed_at=time.time())
    return fresh


class SignInAgain(Exception):
    """Cognito no longer accepts the session's tokens: the person must sign in again."""


def renewed_if_stale(request: HttpRequest, tokens: SessionTokens) -> SessionTokens:
    """The tokens for a view's Cognito call: ``tokens`` while fresh, else ``renew``'s.

    When Cognito cannot be reached or the app is misconfigured, the refresh token may be
    fine, so the person stays signed in: the tokens come back without an access token,
    and the call that needs one answers "unavailable".

    :raises SignInAgain: Cognito refused the refresh token (one of ``REFUSALS``).
    """
    if tokens.is_fresh:
        return tokens
    try:
        return renew(request, tokens)
    except REFUSALS:
        raise SignInAgain from None
    except (CognitoError, SuspiciousOperation):
        return dataclasses.replace(tokens, access_token="")


def sign_in_again(request: HttpRequest) -> HttpResponseRedirect:
    """Sign the person out (``logout``: the refresh token is revoked, should Cognito still
    accept it) and send them to the login page with a message, back here afterwards."""
    logout(request)
    messages.info(request, SESSION_EXPIRED)
    return redirect_to_login(request.get_full_path(), resolve_url("cognito_auth:login"))


def _refresh_user(request: HttpRequest, claims: dict[str, Any], app_client: AppClient) -> None:
    """Hand the renewed ID token's claims to the backend that signed the person in."""
    path = request.session.get(BACKEND_SESSION_KEY)
    user = getattr(request, "user", None)
    if not path or user is None or not user.is_authenticated:
        return
    try:
        backend = load_backend(path)
    except ImportError:
        return
    refresh_user = getattr(backend, "refresh_user", None)
    if refresh_user is not None:
        refresh_user(request, user, claims, app_client)


def keep_fresh(request: HttpRequest) -> None:
    """What ``CognitoSessionMiddleware`` does with a session that ``is_due``.

    One request per session and expiry window renews (a lock taken with ``cache.add`` in
    the ``COGNITO_AUTH_CACHE_ALIAS`` cache, so it holds across processes with a shared
    cache); the others carry on with the still-valid session and take up its outcome
    from the cache when it is there (new tokens, or the end of the session). A refusal
    ends the Django session at once; an unreachable Cognito leaves it as it is, logs one
    WARNING and is tried again after ``retry_after`` seconds.
    """
    session = request.session
    tokens = SessionTokens.load(session)
    if tokens is None:  # odd data under the key: not signed in to Cognito, and not asked again
        forget(session)
        return
    if not request.user.is_authenticated:
        return  # Django ended this sign-in (its password hash changed): nothing to renew
    clock = _clock(session) or (tokens.expires_at, max(0.0, tokens.expires_at - time.time()), 0.0)
    key = _renewal_key(tokens, clock)
    # An unreachable cache takes no lock and holds no outcome: the session goes on as it
    # is, as when Cognito is unreachable, rather than every request renewing at once.
    if shared_cache.add(key, (RENEWING,), _lock_seconds()):
        outcome = _renew_once(request, tokens, clock[1])
        shared_cache.set(key, outcome, _outcome_seconds(outcome, clock[1]))
        if outcome[0] == REFUSED:
            end(request)
        return
    outcome = shared_cache.get(key, (RENEWING,))
    if outcome[0] == RENEWED:
        _adopt(session, outcome[1])
    elif outcome[0] == REFUSED:
        end(request)


def _renew_once(request: HttpRequest, tokens: SessionTokens, lifetime: float) -> tuple[str, ...]:
    try:
        renew(request, tokens)
    except REFUSALS as exc:
        logger.info("Cognito refused to renew the session of %r (%s): signed out.",
                    tokens.cognito_username, type(exc).__name__)
        return (REFUSED,)
    except (CognitoError, SuspiciousOperation) as exc:
        logger.warning(
            "Could not renew the Cognito session of %r (%s); it stays signed in and is tried again in %.0f s.",
            tokens.cognito_username, type(exc).__name__, retry_after(lifetime),
        )
        return (UNAVAILABLE,)
    # For the other requests of this session: the new state, encrypted as in the session.
    blob = encryption.encrypt(json.dumps([request.session[SESSION_KEY], request.session[CLOCK_KEY]]), SESSION_PURPOSE)
    return (RENEWED, blob)


def _adopt(session: SessionBase, blob: str) -> None:
    """Take up the renewal another request of this session made, so a request that saves
    the session now does not write the old tokens back over the new ones."""
    try:
        stored, clock = json.loads(encryption.decrypt(blob, SESSION_PURPOSE))
    except (encryption.UndecryptableSecret, ValueError, TypeError):
        return
    session[SESSION_KEY] = stored
    session[CLOCK_KEY] = clock


def retry_after(lifetime: float) -> float:
    """Seconds before a renewal that could not reach Cognito is tried again: ``RETRY_AFTER``,
    or a quarter of a shorter token's life (at least one second)."""
    return max(1.0, min(RETRY_AFTER, lifetime / 4))


def _lock_seconds() -> float:
    # Long enough for the renewal call's worst case (see conf.py), so no second request
    # renews while the first still waits for Cognito.
    return app_settings.MAX_ATTEMPTS * (app_settings.CONNECT_TIMEOUT + 0.5) + app_settings.READ_TIMEOUT + 1


def _outcome_seconds(outcome: tuple[str, ...], lifetime: float) -> float:
    if outcome[0] == UNAVAILABLE:
        return retry_after(lifetime)
    # Long enough for every request that loaded the old state to take the outcome up.
    return max(60.0, lifetime)


def _renewal_key(tokens: SessionTokens, clock: tuple[float, float, float]) -> str:
    """One key per refresh token and expiry window (and confirmation), hashed: cache
    keys may be listed by whoever can read the cache, and must not hold the token."""
    material = f"{tokens.refresh_token}|{clock[0]!r}|{clock[2]!r}".encode()
    return CACHE_PREFIX + hashlib.sha256(material).hexdigest()


# The end of a session -------------------------------------------------------------------


def end(request: HttpRequest) -> None:
    """End the Django session after Cognito refused it; the next page asks the person to
    sign in, with a message. Nothing is revoked: Cognito already refused the token."""
    forget(request.session)
    logout(request)
    messages.info(request, SESSION_EXPIRED)


def revoke(request: HttpRequest) -> None:
    """RevokeToken for the session's refresh token (and the access tokens it gave), when
    ``COGNITO_AUTH_REVOKE_ON_LOGOUT`` is on. Never fails: an unreachable or refusing
    Cognito is logged by the client, and sign-out goes on. Skipped (WARNING) when the
    request's Cognito budget is nearly spent (``budget.allows_follow_up``)."""
    if not app_settings.REVOKE_ON_LOGOUT:
        return
    tokens = SessionTokens.load(request.session)
    if tokens is None or not tokens.refresh_token:
        return
    app_client = app_client_of(tokens)
    if app_client is None:
        return
    if not budget.allows_follow_up(
        f"RevokeToken at the sign-out of {tokens.cognito_username!r} (the refresh token stays valid until it expires)"
    ):
        return
    try:
        get_cognito_client(app_client, request).revoke_refresh_token(tokens.refresh_token)
    except CognitoError:
        pass  # logged by the client; the Django session ends regardless


def sign_out_everywhere(request: HttpRequest) -> bool:
    """GlobalSignOut with the session's access token (renewed first when it expired):
    Cognito revokes every refresh and access token of the person. Then every Django
    session of theirs ends (``identity.end_sessions``), this one included.

    :returns: False when Cognito could not be told (unreachable, misconfigured): the
        Django sessions end all the same, and the caller says so.
    """
    user = request.user
    tokens = SessionTokens.load(request.session)
    told = True
    if tokens is not None:
        told = _global_sign_out(request, tokens)
        forget(request.session)  # nothing left to revoke at logout
    if user.is_authenticated:
        end_sessions(user)
    logout(request)
    return told


def _global_sign_out(request: HttpRequest, tokens: SessionTokens) -> bool:
    try:
        if not tokens.is_fresh:
            tokens = renew(request, tokens)
        app_client = app_client_of(tokens)
        if app_client is None:
            return True  # no app client, no Cognito session to end
        get_cognito_client(app_client, request).global_sign_out(tokens.access_token)
    except REFUSALS:
        return True  # already signed out (revoked, disabled, deleted)
    except (CognitoError, SuspiciousOperation) as exc:
        logger.warning("GlobalSignOut for %r failed (%s); the Django sessions end all the same.",
                       tokens.cognito_username, type(exc).__name__)
        return False
    return True
