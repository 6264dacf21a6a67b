"""Whose password just changed, in Cognito's own terms, and the end of that person's
other sessions.

A name typed on the reset page may be an alias (email, phone), another letter case in a
case-insensitive pool, or someone else's email address used as a username. Only Cognito
knows which user it meant, so the person is found by the pool plus Cognito's internal
username (or ``sub``), never by matching the typed text against Django fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousOperation
from django.views.decorators.debug import sensitive_variables

from . import budget
from .client import (
    PASSWORD_SRP_CHALLENGE,
    PASSWORD_VERIFIER,
    SELECT_CHALLENGE,
    AuthResult,
    CognitoClient,
    get_cognito_client,
)
from .encryption import UndecryptableSecret
from .exceptions import CognitoError, FlowNotEnabled
from .log_values import loggable
from .models import AuthFlow, CognitoIdentity
from .srp import SrpSession
from .tokens import id_token_claims

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from .models import AppClient

logger = logging.getLogger("cognito_auth")
# What the operator reads when the look-up is skipped (budget.allows_follow_up).
LOOK_UP = (
    "the look-up of whose password was reset (only a Cognito identity whose internal username is "
    "exactly the name typed has its sessions ended)"
)


@dataclass(frozen=True)
class CognitoUser:
    """One Cognito user: the pool and its internal username or its ``sub`` (at least one)."""

    user_pool_id: str
    username: str = ""
    sub: str = ""

    def identities(self) -> QuerySet[CognitoIdentity]:
        """The links of this user to Django users (one at most, by the model's constraint)."""
        found = CognitoIdentity.objects.select_related("user").filter(user_pool_id=self.user_pool_id)
        return found.filter(sub=self.sub) if self.sub else found.filter(cognito_username=self.username)


@sensitive_variables("new_password")
def user_after_reset(
    app_client: AppClient, typed_name: str, new_password: str, request: HttpRequest | None = None,
) -> CognitoUser | None:
    """Who ConfirmForgotPassword just gave ``new_password``, asked of Cognito.

    First the opening step of an SRP sign-in (InitiateAuth, hashed over the name as typed):
    USER_AUTH with PREFERRED_CHALLENGE=PASSWORD_SRP for a client set to choice-based
    sign-in (which may allow neither USER_SRP_AUTH nor USER_PASSWORD_AUTH), else
    USER_SRP_AUTH. Its PASSWORD_VERIFIER challenge names the internal username as
    ``USER_ID_FOR_SRP`` (a SELECT_CHALLENGE, as ``USERNAME``). The step is never answered,
    so nothing is signed in, no code is sent and no failed attempt is counted.
    Clients that allow neither get one USER_PASSWORD_AUTH with the new password instead:
    the ID token's ``sub`` (its refresh token then revoked), or a
    challenge's ``USER_ID_FOR_SRP``. None when neither works; the caller then matches
    only an identity whose internal username is exactly the name typed. None too, without
    asking, when the request's Cognito budget is nearly spent (``budget.allows_follow_up``:
    logged at WARNING).

    Source: InitiateAuth and RespondToAuthChallenge in the Cognito API reference
    (PASSWORD_VERIFIER's parameters), RFC 5054 for A.
    """
    if not budget.allows_follow_up(LOOK_UP):
        return None
    client = get_cognito_client(app_client, request)
    pool_id = app_client.user_pool_id
    first_steps: list[tuple[str, Callable[[], AuthResult]]] = [
        ("USER_SRP_AUTH", lambda: client.initiate_srp_auth(typed_name, SrpSession(pool_id), report=False)),
    ]
    if app_client.auth_flow == str(AuthFlow.USER_AUTH):
        first_steps.insert(0, ("USER_AUTH", lambda: client.initiate_user_auth(
            typed_name, PASSWORD_SRP_CHALLENGE, srp=SrpSession(pool_id), report=False,
        )))
    for flow, first_step in first_steps:
        try:
            # Never answered: the session's ``a`` is dropped with it. Not reported: a
            # client that does not allow the flow is the usual case, and another way follows.
            result = first_step()
        except (CognitoError, UndecryptableSecret) as exc:
            # Not allowed on this client (the usual case), an outage, an unreadable
            # secret: another way either works or says why in the log.
            if not isinstance(exc, FlowNotEnabled):
                logger.info("Could not learn whose password was reset through %s (%s)", flow, type(exc).__name__)
            continue
        internal = _named_user(result)
        if internal:
            return CognitoUser(app_client.user_pool_id, username=internal)
    return _user_from_password_sign_in(client, app_client, typed_name, new_password)


def _named_user(result: AuthResult) -> str:
    """The internal username an unanswered first step names: PASSWORD_VERIFIER's
    USER_ID_FOR_SRP, or SELECT_CHALLENGE's USERNAME (a user who cannot use PASSWORD_SRP)."""
    parameters = result.challenge_parameters or {}
    if result.challenge_name == PASSWORD_VERIFIER:
        return parameters.get("USER_ID_FOR_SRP", "")
    if result.challenge_name == SELECT_CHALLENGE:
        return parameters.get("USERNAME", "")
    return ""


@sensitive_variables("new_password")
def _user_from_password_sign_in(
    client: CognitoClient, app_client: AppClient, typed_name: str, new_password: str,
) -> CognitoUser | None:
    if not budget.allows_follow_up(LOOK_UP):
        return None
    try:
        result = client.initiate_password_auth(typed_name, new_password)
    except CognitoError as exc:
        logger.info(
            "App client %r (client id %s) could not tell whose password was reset (%s); only a "
            "Cognito identity whose internal username is exactly the name typed is signed out. "
            "Allow USER_SRP_AUTH or USER_PASSWORD_AUTH on the app client.",
            app_client.name, app_client.client_id, loggable(exc.code),
        )
        return None
    if result.challenge_name:
        internal = (result.challenge_parameters or {}).get("USER_ID_FOR_SRP")
        return CognitoUser(app_client.user_pool_id, username=internal) if internal else None
    try:
        claims = id_token_claims(result.id_token, app_client)
    except SuspiciousOperation as exc:
        logger.error("App client %r: %s", app_client.name, exc)
        return None
    finally:
        _revoke(client, result.refresh_token)
    return CognitoUser(app_client.user_pool_id, sub=str(claims["sub"]))


def _revoke(client: CognitoClient, refresh_token: str) -> None:
    """The sign-in was only to learn who it is: its tokens must not outlive the request.
    Skipped when the budget is nearly spent: the tokens were never stored or shown, and
    expire on their own."""
    if refresh_token and budget.allows_follow_up("RevokeToken of the look-up's sign-in (its tokens were never stored)"):
        try:
            client.revoke_refresh_token(refresh_token)
        except CognitoError:
            pass  # logged by the client; the tokens were never stored anywhere


def end_sessions_after_reset(
    app_client: AppClient, typed_name: str, new_password: str, request: HttpRequest | None = None,
) -> None:
    """End every Django session of the person whose Cognito password was just reset, and
    nobody else's. ``request`` is the reset page's, for the person's address."""
    cognito_user = user_after_reset(app_client, typed_name, new_password, request)
    if cognito_user is None:
        cognito_user = CognitoUser(app_client.user_pool_id, username=typed_name)
    for identity in cognito_user.identities():
        end_sessions(identity.user)


def end_sessions(user: Any) -> None:
    """End every Django session of ``user``, whatever the session engine.

    Django ties each session to a hash of the user's local password and drops a session
    whose hash no longer matches, in every engine (database, cache, files, signed
    cookies). So the local password is made unusable afresh: a new random value. A linked
    user who still had a usable local password loses it too, on purpose: a second way in
    that outlives a new Cognito password would defeat the reset. Logged, so an operator
    knows why that password stopped working.
    """
    if user.has_usable_password():
        logger.info(
            "User %r had a usable local password besides their Cognito account; it was retired "
            "when their Cognito password changed, ending their other sessions.",
            user.get_username(),
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
