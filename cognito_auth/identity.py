"""Whose password just changed, in Cognito's own terms, and the end of that person's
other sessions.

A name typed on the reset page may be an alias (email, phone), another letter case in a
case-insensitive pool, or someone else's email address used as a username. Only Cognito
knows which user it meant, so the person is found by the pool plus Cognito's internal
username (or ``sub``), never by matching the typed text against Django fields.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousOperation
from django.views.decorators.debug import sensitive_variables

from .client import CognitoClient
from .encryption import UndecryptableSecret
from .exceptions import CognitoError, FlowNotEnabled
from .models import CognitoIdentity
from .tokens import id_token_claims

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import AppClient

logger = logging.getLogger("cognito_auth")

# The 3072-bit group Cognito's SRP uses: RFC 5054 appendix A, the same prime as RFC 3526
# group 15, with generator 2.
SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
SRP_G = 2


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


def srp_a() -> str:
    """A fresh SRP public value A = g^a mod N, in hex (RFC 5054 2.6); ``a`` is forgotten."""
    return format(pow(SRP_G, secrets.randbelow(SRP_N - 2) + 1, SRP_N), "x")


@sensitive_variables("new_password")
def user_after_reset(app_client: AppClient, typed_name: str, new_password: str) -> CognitoUser | None:
    """Who ConfirmForgotPassword just gave ``new_password``, asked of Cognito.

    First the opening step of USER_SRP_AUTH (InitiateAuth, hashed over the name as typed):
    its PASSWORD_VERIFIER challenge names the internal username as ``USER_ID_FOR_SRP``. The
    step is never answered, so nothing is signed in or counted as a failed attempt.
    Clients that do not allow USER_SRP_AUTH get one USER_PASSWORD_AUTH with the new
    password instead: the ID token's ``sub`` (its refresh token then revoked), or a
    challenge's ``USER_ID_FOR_SRP``. None when neither works; the caller then matches
    only an identity whose internal username is exactly the name typed.

    Source: InitiateAuth and RespondToAuthChallenge in the Cognito API reference
    (PASSWORD_VERIFIER's parameters), RFC 5054 for A.
    """
    client = CognitoClient(app_client)
    try:
        secret = app_client.client_secret or None
        first_step = client.probe_initiate_auth(
            "USER_SRP_AUTH", {"USERNAME": typed_name, "SRP_A": srp_a()}, username=typed_name, secret=secret,
        )
    except (CognitoError, UndecryptableSecret) as exc:
        # Not allowed on this client (the usual case), an outage, an unreadable secret:
        # the other way either works or says why in the log.
        if not isinstance(exc, FlowNotEnabled):
            logger.info("Could not learn whose password was reset through USER_SRP_AUTH (%s)", type(exc).__name__)
        return _user_from_password_sign_in(client, app_client, typed_name, new_password)
    internal = (first_step.challenge_parameters or {}).get("USER_ID_FOR_SRP")
    if first_step.challenge_name == "PASSWORD_VERIFIER" and internal:
        return CognitoUser(app_client.user_pool_id, username=internal)
    return _user_from_password_sign_in(client, app_client, typed_name, new_password)


@sensitive_variables("new_password")
def _user_from_password_sign_in(
    client: CognitoClient, app_client: AppClient, typed_name: str, new_password: str,
) -> CognitoUser | None:
    try:
        result = client.initiate_password_auth(typed_name, new_password)
    except CognitoError as exc:
        logger.info(
            "App client %r (client id %s) could not tell whose password was reset (%s); only a "
            "Cognito identity whose internal username is exactly the name typed is signed out. "
            "Allow USER_SRP_AUTH or USER_PASSWORD_AUTH on the app client.",
            app_client.name, app_client.client_id, exc.code,
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
    """The sign-in was only to learn who it is: its tokens must not outlive the request."""
    if refresh_token:
        try:
            client.revoke_refresh_token(refresh_token)
        except CognitoError:
            pass  # logged by the client; the tokens were never stored anywhere


def end_sessions_after_reset(app_client: AppClient, typed_name: str, new_password: str) -> None:
    """End every Django session of the person whose Cognito password was just reset, and
    nobody else's."""
    cognito_user = user_after_reset(app_client, typed_name, new_password)
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
