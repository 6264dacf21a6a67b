"""The one module that talks to Cognito.

Every call that names a user carries SECRET_HASH when the app client has a secret (and
never when it has none), goes out unsigned (these user-facing APIs need no AWS
credentials), carries the person's IP address where Cognito takes it, and is bounded by
botocore's connect/read timeouts. A call is sent again only when it failed before
anything reached Cognito: a call that changes something (a reset, a sign-up, a password
change) must never happen twice, and throttling is the person's answer, not a reason to
ask again. Errors come back as the classes in ``exceptions``; configuration errors are
logged for the operator with the app client's name and id and what to check.

``get_cognito_client()`` is the one place a ``CognitoClient`` is built, so a backend's
``client_class`` serves every page, handler and check.

Each method's docstring names the Cognito action it sends; its parameters, answer and
errors are on that action's page of the Amazon Cognito user pools API Reference
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Action>.html).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

import boto3
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
)
from django.conf import settings
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables

from . import budget, library_logs
from .conf import app_settings
from .encryption import UndecryptableSecret
from .exceptions import (
    AwsCredentialsError,
    CodeMismatch,
    CognitoError,
    ConfigurationError,
    EndpointNotAllowed,
    InvalidRequest,
    NoCredentials,
    OutcomeUnknown,
    PasskeyNotFound,
    RateLimited,
    SecretHashError,
    SecretUnreadable,
    ServiceUnavailable,
    UnknownClient,
    error_from_cognito,
)
from .log_values import MESSAGE_LIMIT, loggable
from .results import CodeDelivery, SignUpResult
from .srp import SrpError, SrpSession
from .user_context import user_context_data
from .validators import endpoint_allowed

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger("cognito_auth")

# Django's error reports (the DEBUG page, mailed reports, error trackers reading them) show
# each frame's locals; in this module those are passwords, secrets, hashes and tokens.
hide_locals = sensitive_variables()

# botocore, boto3 and urllib3 log requests, answers and signatures; while this module makes
# a call, their records keep only their first words (see library_logs).
library_logs.install()

# The most a retry after a connection failure waits (seconds, a random share of it, so
# processes that lost Cognito together do not come back in step). Counted in the worst
# case documented beside the timeouts in conf.py.
CONNECT_RETRY_DELAY = 0.5
# Failures before anything of the request was sent: the connection was refused, timed out
# or its name did not resolve. Only these are tried again.
NOT_SENT = (EndpointConnectionError, ConnectTimeoutError)
# Failures after the request was (or may have been) sent: no answer in time, the
# connection closed mid-answer. For a call that changes something, the outcome is unknown.
MAYBE_SENT = (HTTPClientError,)

# The calls that change something in Cognito, or count towards a lockout (a sign-in
# attempt with a password). Sent at most once after they may have reached Cognito.
STATE_CHANGING_OPERATIONS = frozenset({
    "initiate_auth", "respond_to_auth_challenge", "forgot_password", "confirm_forgot_password",
    "sign_up", "confirm_sign_up", "resend_confirmation_code", "change_password", "revoke_token",
    "associate_software_token", "verify_software_token",
    "global_sign_out", "get_tokens_from_refresh_token",
    "complete_web_authn_registration", "delete_web_authn_credential",
})
# The calls whose request takes UserContextData (API reference, UserContextDataType).
USER_CONTEXT_OPERATIONS = frozenset({
    "initiate_auth", "respond_to_auth_challenge", "forgot_password", "confirm_forgot_password",
    "sign_up", "confirm_sign_up", "resend_confirmation_code",
})


def send_until_delivered(send: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``send()``, tried again (up to ``COGNITO_AUTH_MAX_ATTEMPTS`` in all) only while it
    fails before anything reached Cognito.

    :raises: botocore's exception of the last attempt; ``NOT_SENT`` ones once the attempts
        are spent, any other at once.
    """
    attempts_left = max(1, int(app_settings.MAX_ATTEMPTS))
    while True:
        attempts_left -= 1
        try:
            return send()
        except NOT_SENT:
            delay = random.uniform(0, CONNECT_RETRY_DELAY)  # noqa: S311 - jitter, not a secret
            left = budget.remaining()
            # No attempt after the wait could get its minimum time: the failure stands.
            if not attempts_left or (left is not None and left - delay < budget.MINIMUM_CALL):
                raise
        time.sleep(delay)


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
# One boto3 session builds every unsigned client, so they share its loaded service model:
# a client then costs about 8 ms and no memory to speak of, against about 165 ms and
# 2 MB with a session of its own (measured, botocore 1.3x). Only used under the lock.
_boto3_session: boto3.session.Session | None = None


def boto3_client(
    region: str, endpoint_url: str = "", connect_timeout: float | None = None, read_timeout: float | None = None,
) -> BaseClient:
    """One cognito-idp client per region, endpoint and timeouts (seconds; default: the
    settings), built once. botocore's retries are off; ``send_until_delivered`` decides
    what is sent again.

    botocore fixes a client's timeouts when it builds it (its HTTP session holds them;
    ``Config`` cannot be given per call), so a call under a request's budget takes the
    client of its cut timeouts, a few dozen pairs at most (``budget.TIER``). Each is built
    once (about 8 ms from the shared session) and reused; botocore clients are thread-safe.
    Settings are part of the key so ``override_settings`` takes effect. This cache holds
    connection objects only, nothing a second process needs to see.
    """
    connect = app_settings.CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
    read = app_settings.READ_TIMEOUT if read_timeout is None else read_timeout
    key = (region, endpoint_url or None, connect, read)
    client = _boto3_clients.get(key)
    if client is not None:
        return client
    global _boto3_session  # noqa: PLW0603 - built once, on first use, under the lock
    with _boto3_clients_lock:  # boto3 sessions are not thread-safe while building clients
        client = _boto3_clients.get(key)
        if client is None:
            if _boto3_session is None:
                _boto3_session = boto3.session.Session()
            client = _boto3_session.client(
                "cognito-idp",
                region_name=region,
                endpoint_url=endpoint_url or None,
                config=_bounded_config(connect, read, signature_version=UNSIGNED),
            )
            _boto3_clients[key] = client
    return client


def admin_boto3_client(region: str, endpoint_url: str = "") -> BaseClient:
    """A cognito-idp client signed with boto3's default credential chain, same time bounds.

    Only the optional administrator calls use it (``CognitoAdmin``). It is built afresh
    each time rather than cached: a client keeps the credentials it found when it was
    built, and those may appear or change (a role assumed, the environment set) while the
    process runs; the doctor and the admin's import are rare enough not to mind the cost.
    """
    return boto3.session.Session().client(
        "cognito-idp", region_name=region, endpoint_url=endpoint_url or None,
        config=_bounded_config(app_settings.CONNECT_TIMEOUT, app_settings.READ_TIMEOUT),
    )


def _bounded_config(connect_timeout: float, read_timeout: float, **options: Any) -> Config:
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # One attempt: botocore's standard mode would send a timed-out call again, and
        # retry throttling, whatever the call did (see send_until_delivered).
        retries={"mode": "standard", "total_max_attempts": 1},
        **options,
    )


@dataclass(frozen=True)
class AuthResult:
    """InitiateAuth's answer: tokens, or a challenge to answer first."""

    id_token: str = ""
    access_token: str = ""
    refresh_token: str = ""
    expires_in: int = 0  # ExpiresIn: seconds of validity of the access and ID tokens
    challenge_name: str = ""
    challenge_parameters: dict[str, str] | None = None
    session: str = ""
    # The user's internal username, once Cognito named it (USER_ID_FOR_SRP, or USERNAME, in
    # a challenge's parameters): every answer to the challenge is hashed over it, never
    # over the alias typed. Later challenges of one sign-in may omit it, so it is carried on.
    internal_username: str = ""
    # SELECT_CHALLENGE (USER_AUTH): the first factors Cognito offers, as challenge names.
    available_challenges: tuple[str, ...] = ()

    @classmethod
    def from_response(cls, response: dict[str, Any], internal_username: str = "") -> AuthResult:
        """From InitiateAuth's or RespondToAuthChallenge's answer; ``internal_username``
        is the one an earlier step of the same sign-in named, kept when this one names none."""
        tokens = response.get("AuthenticationResult") or {}
        parameters = response.get("ChallengeParameters") or {}
        named = parameters.get("USER_ID_FOR_SRP") or parameters.get("USERNAME") or ""
        return cls(
            id_token=tokens.get("IdToken", ""),
            access_token=tokens.get("AccessToken", ""),
            refresh_token=tokens.get("RefreshToken", ""),
            expires_in=int(tokens.get("ExpiresIn", 0)),
            challenge_name=response.get("ChallengeName", ""),
            challenge_parameters=response.get("ChallengeParameters"),
            session=response.get("Session", ""),
            internal_username=str(named or internal_username),
            available_challenges=tuple(
                str(name) for name in response.get("AvailableChallenges") or () if isinstance(name, str)
            ),
        )


@dataclass(frozen=True)
class Passkey:
    """One of the user's passkeys, as ListWebAuthnCredentials describes it
    (WebAuthnCredentialDescription)."""

    credential_id: str
    friendly_name: str
    relying_party_id: str
    created_at: datetime  # aware, UTC
    attachment: str = ""  # "platform" or "cross-platform"; "" when Cognito does not say
    transports: tuple[str, ...] = ()

    @classmethod
    def from_description(cls, description: dict[str, Any]) -> Passkey:
        created = description.get("CreatedAt")
        if not isinstance(created, datetime):  # botocore parses the epoch seconds; be lenient
            created = datetime.fromtimestamp(float(created or 0), tz=timezone.utc)
        return cls(
            credential_id=str(description.get("CredentialId", "")),
            friendly_name=str(description.get("FriendlyCredentialName", "")),
            relying_party_id=str(description.get("RelyingPartyId", "")),
            created_at=created,
            attachment=str(description.get("AuthenticatorAttachment") or ""),
            transports=tuple(str(item) for item in description.get("AuthenticatorTransports") or ()),
        )


# ListWebAuthnCredentials' largest page (WebAuthnCredentialsQueryLimitType), and the most
# pages read for one list: Cognito keeps a bounded number of passkeys per user.
PASSKEY_PAGE_SIZE = 20
PASSKEY_PAGE_LIMIT = 10

# InitiateAuth's AuthFlow values for a password sign-in (models.AuthFlow), and SRP's challenge.
PASSWORD_AUTH, SRP_AUTH, USER_AUTH = "USER_PASSWORD_AUTH", "USER_SRP_AUTH", "USER_AUTH"
# USER_AUTH's two ways to prove a password (PREFERRED_CHALLENGE / SELECT_CHALLENGE answers).
PASSWORD_CHALLENGE, PASSWORD_SRP_CHALLENGE = "PASSWORD", "PASSWORD_SRP"
SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105 - a Cognito name, not a secret

# Where a call carries the hash: (the parameter holding it, or None for top level; its name).
HashPlace = tuple[str | None, str]
IN_AUTH_PARAMETERS: HashPlace = ("AuthParameters", "SECRET_HASH")
IN_CHALLENGE_RESPONSES: HashPlace = ("ChallengeResponses", "SECRET_HASH")
TOP_LEVEL: HashPlace = (None, "SecretHash")
CLIENT_SECRET_PARAMETER: HashPlace = (None, "ClientSecret")  # RevokeToken takes the secret itself


def _with_secret_hash(params: dict[str, Any], place: HashPlace, value: str | None) -> tuple[dict[str, Any], str]:
    """``params`` with the hash added where the call carries it; unchanged without a secret."""
    if value is None:
        return params, ""
    container, name = place
    if container is None:
        return {**params, name: value}, value
    return {**params, container: {**params[container], name: value}}, value


class CognitoClient:
    """Cognito's user-facing API for one app client, on behalf of the person who made
    ``request`` (None: a script or a check). Build it with ``get_cognito_client()``.

    Every method that sends a call raises a ``CognitoError`` subclass (``exceptions``) for
    Cognito's refusal, ``ServiceUnavailable`` when Cognito cannot be reached in time, and
    ``OutcomeUnknown`` when a call that changes something may have reached Cognito but no
    answer came; a method's ``:raises:`` names the subclasses it is known for.
    """

    def __init__(self, app_client: AppClientLike, request: HttpRequest | None = None) -> None:
        self.app_client = app_client
        self.request = request

    def secret_hash_for(self, username: str) -> str | None:
        """The SECRET_HASH over ``username``, or None for a client without a secret."""
        secret = self.app_client.client_secret
        if not secret:
            return None
        return secret_hash(username, self.app_client.client_id, secret)

    @hide_locals
    def sign_in(
        self, username: str, password: str, auth_flow: str = PASSWORD_AUTH, *,
        password_method: str = PASSWORD_CHALLENGE,
    ) -> AuthResult:
        """Sign in with a password, the way the app client's ``auth_flow`` says.

        - ``"USER_PASSWORD_AUTH"``: one InitiateAuth carrying the password.
        - ``"USER_SRP_AUTH"``: the password never leaves this server. InitiateAuth carries
          SRP_A (hashed over the name as typed); Cognito answers PASSWORD_VERIFIER, and
          RespondToAuthChallenge carries the proof (``srp.SrpSession``), with USERNAME and
          SECRET_HASH over the challenge's USER_ID_FOR_SRP, the internal username.
        - ``"USER_AUTH"``: choice-based sign-in with PREFERRED_CHALLENGE ``password_method``:
          PASSWORD (the password in InitiateAuth, one call) or PASSWORD_SRP (SRP_A in
          InitiateAuth, then PASSWORD_VERIFIER as above). A user who cannot use it gets
          SELECT_CHALLENGE back, for the caller to offer (``select_challenge``).

        Sources: InitiateAuth and RespondToAuthChallenge in the Amazon Cognito API
        Reference; RFC 5054 for SRP.

        :returns: tokens, or the next challenge (NEW_PASSWORD_REQUIRED, MFA...) whose
            ``internal_username`` every later answer is hashed over.
        :raises ValueError: an ``auth_flow`` or ``password_method`` this method does not know.
        :raises CognitoError: a subclass for Cognito's refusal (``InvalidCredentials`` for a
            wrong password under either flow), ``ServiceUnavailable`` for a malformed
            PASSWORD_VERIFIER challenge.
        """
        if auth_flow == PASSWORD_AUTH:
            return self.initiate_password_auth(username, password)
        if auth_flow == SRP_AUTH:
            return self._srp_sign_in(username, password)
        if auth_flow == USER_AUTH and password_method == PASSWORD_CHALLENGE:
            return self.initiate_user_auth(username, PASSWORD_CHALLENGE, password=password)
        if auth_flow == USER_AUTH and password_method == PASSWORD_SRP_CHALLENGE:
            return self._srp_sign_in(username, password, user_auth=True)
        raise ValueError(f"auth_flow {auth_flow!r} with password method {password_method!r} is not a password sign-in")

    @hide_locals
    def initiate_user_auth(
        self, username: str, preferred_challenge: str | None = None, session: str | None = None, *,
        password: str = "", srp: SrpSession | None = None, report: bool = True,
    ) -> AuthResult:
        """InitiateAuth USER_AUTH (choice-based sign-in), hashed over the name as typed.

        ``preferred_challenge``: PREFERRED_CHALLENGE, a first factor (PASSWORD,
        PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN); None lets Cognito answer
        SELECT_CHALLENGE with ``available_challenges``, as it also does when the user cannot
        use the one preferred. ``password`` goes with PASSWORD, ``srp``'s SRP_A with
        PASSWORD_SRP. ``session``: ConfirmSignUp's Session, which signs the person just
        confirmed in without a second code (the top-level Session of InitiateAuth).
        Never sent twice: it may send a code, and it counts towards a lockout.
        ``report=False``: a refusal is neither logged nor recorded as the app client's last
        failure (a look-up that has another way).
        Source: InitiateAuth (AuthParameters for USER_AUTH, Session, AvailableChallenges)
        in the Amazon Cognito API Reference.

        :returns: tokens, or a challenge (EMAIL_OTP, SMS_OTP, SELECT_CHALLENGE,
            PASSWORD_VERIFIER, MFA...) naming the internal username as USERNAME.
        :raises CognitoError: ``FlowNotEnabled`` without ALLOW_USER_AUTH on the app client,
            ``FeatureUnavailable`` on a pool whose plan lacks it, ``InvalidCredentials``...
        """
        parameters = {"USERNAME": username}
        if preferred_challenge:
            parameters["PREFERRED_CHALLENGE"] = preferred_challenge
        if password:
            parameters["PASSWORD"] = password
        if srp is not None:
            parameters["SRP_A"] = srp.start()
        params: dict[str, Any] = {"AuthFlow": USER_AUTH, "AuthParameters": parameters}
        if session:
            params["Session"] = session
        response = self._user_call(
            "initiate_auth", params, username=username, hash_at=IN_AUTH_PARAMETERS, sensitive=(password, session or ""),
            report=report,
        )
        return AuthResult.from_response(response)

    @hide_locals
    def select_challenge(self, session: str, internal_username: str, answer: str, password: str = "") -> AuthResult:
        """Answer SELECT_CHALLENGE with one of its ``available_challenges``, hashed over the
        internal username. PASSWORD carries the password; PASSWORD_SRP carries SRP_A and
        then proves the password against PASSWORD_VERIFIER; EMAIL_OTP / SMS_OTP have
        Cognito send a code (the next challenge). Source: ChallengeResponseType
        (SELECT_CHALLENGE) in the Amazon Cognito API Reference.

        :returns: tokens or the next challenge.
        :raises CognitoError: as ``respond_to_auth_challenge``.
        """
        if answer == PASSWORD_SRP_CHALLENGE:
            srp = SrpSession(self.app_client.user_pool_id)
            first = self.respond_to_auth_challenge(
                SELECT_CHALLENGE, session, internal_username, {"ANSWER": answer, "SRP_A": srp.start()},
            )
            return self._prove_srp(srp, first, password)
        responses = {"ANSWER": answer, **({"PASSWORD": password} if password else {})}
        return self.respond_to_auth_challenge(
            SELECT_CHALLENGE, session, internal_username, responses, secret_answers=(password,),
        )

    @hide_locals
    def initiate_password_auth(self, username: str, password: str) -> AuthResult:
        """One InitiateAuth USER_PASSWORD_AUTH call, hashed over the name as typed.

        :returns: tokens, or the first challenge.
        :raises CognitoError: ``InvalidCredentials`` for a wrong password or an unknown,
            disabled user; ``FlowNotEnabled`` when the app client does not allow the flow.
        """
        response = self._user_call(
            "initiate_auth",
            {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": username, "PASSWORD": password}},
            username=username, hash_at=IN_AUTH_PARAMETERS, sensitive=(password,),
        )
        return AuthResult.from_response(response)

    def initiate_srp_auth(self, username: str, srp: SrpSession, *, report: bool = True) -> AuthResult:
        """InitiateAuth USER_SRP_AUTH only: SRP_A from ``srp``, hashed over the name as typed.

        Cognito answers PASSWORD_VERIFIER, whose USER_ID_FOR_SRP names the internal
        username. On its own this signs nobody in and counts no failed attempt (no password
        is proved), so it is sent again after a timeout like a read.

        :param report: False to neither log Cognito's refusal nor record it as the app
            client's last failure (a look-up that has another way when the flow is off).
        :raises CognitoError: as Cognito refuses it (``FlowNotEnabled`` where the app client
            does not allow USER_SRP_AUTH).
        """
        response = self._user_call(
            "initiate_auth",
            {"AuthFlow": SRP_AUTH, "AuthParameters": {"USERNAME": username, "SRP_A": srp.start()}},
            username=username, hash_at=IN_AUTH_PARAMETERS, sensitive=(), changes_state=False, report=report,
        )
        return AuthResult.from_response(response)

    @hide_locals
    def _srp_sign_in(self, username: str, password: str, *, user_auth: bool = False) -> AuthResult:
        srp = SrpSession(self.app_client.user_pool_id)
        if user_auth:
            first = self.initiate_user_auth(username, PASSWORD_SRP_CHALLENGE, srp=srp)
        else:
            first = self.initiate_srp_auth(username, srp)
        return self._prove_srp(srp, first, password)

    @hide_locals
    def _prove_srp(self, srp: SrpSession, first: AuthResult, password: str) -> AuthResult:
        """Answer PASSWORD_VERIFIER with the proof of ``password``."""
        if first.challenge_name != PASSWORD_VERIFIER:
            return first  # tokens never come here; any other step is the caller's to answer
        internal = first.internal_username
        try:
            claim = srp.password_claim(internal, password, first.challenge_parameters or {})
        except SrpError as exc:
            # Cognito never sends these; a proxy or a broken endpoint might.
            error = ServiceUnavailable(f"PASSWORD_VERIFIER challenge refused: {exc}")
            self._report("respond_to_auth_challenge", error)
            raise error from None
        params: dict[str, Any] = {
            "ChallengeName": PASSWORD_VERIFIER,
            "ChallengeResponses": {"USERNAME": internal, **claim},
        }
        if first.session:  # Cognito sends none with PASSWORD_VERIFIER today; pass one on if it does
            params["Session"] = first.session
        response = self._user_call(
            "respond_to_auth_challenge", params, username=internal, hash_at=IN_CHALLENGE_RESPONSES,
            sensitive=(claim["PASSWORD_CLAIM_SIGNATURE"],),
        )
        return AuthResult.from_response(response, internal_username=internal)

    @hide_locals
    def refresh(self, refresh_token: str, internal_username: str) -> AuthResult:
        """InitiateAuth REFRESH_TOKEN_AUTH. The hash is over the internal username (the access
        token's ``username`` claim), not the alias the person typed, or Cognito rejects it.

        :returns: new access and ID tokens (no refresh token: Cognito keeps the one sent).
        :raises CognitoError: ``InvalidCredentials`` for a revoked or expired refresh token or
            a disabled or deleted user.
        """
        response = self._user_call(
            "initiate_auth",
            {"AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh_token}},
            username=internal_username, hash_at=IN_AUTH_PARAMETERS, sensitive=(refresh_token,),
            changes_state=False,  # a renewal changes nothing: sending it twice is harmless
        )
        return AuthResult.from_response(response)

    @hide_locals
    def respond_to_auth_challenge(
        self, challenge_name: str, session: str, internal_username: str, responses: dict[str, str],
        *, secret_answers: tuple[str, ...] = (),
    ) -> AuthResult:
        """RespondToAuthChallenge: one answer to a sign-in step (``steps``).

        ``USERNAME`` and the SECRET_HASH are over ``internal_username`` (the challenge's
        ``USER_ID_FOR_SRP``), never the name typed: for an alias or an email-as-username
        pool Cognito refuses any other. ``secret_answers`` (a code, a new password) are
        kept out of any error text. Never sent twice (it uses up the session).
        AWS API Reference: RespondToAuthChallenge.

        :returns: tokens, or the next challenge with its new session.
        :raises CognitoError: ``CodeMismatch`` (wrong code, the step stays open),
            ``InvalidCredentials`` (session expired or used, user disabled),
            ``InvalidPassword``, ``InvalidRequest``, ``ServiceUnavailable``...
        """
        response = self._user_call(
            "respond_to_auth_challenge",
            {"ChallengeName": challenge_name, "Session": session,
             "ChallengeResponses": {**responses, "USERNAME": internal_username}},
            username=internal_username, hash_at=IN_CHALLENGE_RESPONSES, sensitive=(session, *secret_answers),
        )
        return AuthResult.from_response(response, internal_username)

    @hide_locals
    def associate_software_token(self, session: str) -> tuple[str, str]:
        """AssociateSoftwareToken with an MFA_SETUP challenge's session. Names no user and
        no app client (the session does), so it carries no hash.
        AWS API Reference: AssociateSoftwareToken.

        :returns: (the base32 TOTP secret, the new session for VerifySoftwareToken).
        :raises CognitoError: ``InvalidCredentials`` for an expired or used session.
        """
        response = self._call(
            "associate_software_token", {"Session": session}, sensitive=(session,), with_client_id=False,
        )
        return str(response.get("SecretCode", "")), str(response.get("Session", ""))

    @hide_locals
    def verify_software_token(self, session: str, code: str) -> str:
        """VerifySoftwareToken: the first code of the authenticator just set up.
        AWS API Reference: VerifySoftwareToken.

        :returns: the new session, for RespondToAuthChallenge MFA_SETUP.
        :raises CognitoError: ``CodeMismatch`` for a wrong code (the session stays open).
        """
        response = self._call(
            "verify_software_token", {"Session": session, "UserCode": code},
            sensitive=(session, code), with_client_id=False,
        )
        if response.get("Status") == "ERROR":  # documented besides SUCCESS; no error code then
            raise CodeMismatch("VerifySoftwareToken answered Status ERROR")
        return str(response.get("Session", ""))

    @hide_locals
    def get_tokens_from_refresh_token(self, refresh_token: str) -> AuthResult:
        """GetTokensFromRefreshToken, authorised by the client secret itself (not a hash).
        With refresh-token rotation on the app client, the answer holds a new refresh
        token and Cognito refuses the old one after the client's RetryGracePeriodSeconds.
        Source: GetTokensFromRefreshToken in the Cognito API reference.

        :returns: new tokens; a new refresh token only with rotation on.
        :raises OutcomeUnknown: no answer came; with rotation the old token may be spent.
        """
        response = self._call_with_secret(
            "get_tokens_from_refresh_token", {"RefreshToken": refresh_token}, place=CLIENT_SECRET_PARAMETER,
            proof=lambda secret: secret, sensitive=(refresh_token,),
        )
        return AuthResult.from_response(response)

    @hide_locals
    def global_sign_out(self, access_token: str) -> None:
        """GlobalSignOut: Cognito revokes every refresh token of the access token's user,
        and the access tokens they gave. Names no client (the token does): no hash.

        :raises CognitoError: ``TokenRejected`` for an expired or revoked access token.
        """
        self._call("global_sign_out", {"AccessToken": access_token}, sensitive=(access_token,), with_client_id=False)

    def forgot_password(self, username: str) -> CodeDelivery:
        """ForgotPassword: Cognito sends a code to reset the password.

        :returns: where the code went.
        :raises CognitoError: a subclass for Cognito's refusal; ``OutcomeUnknown`` when no
            answer came after the request may have reached Cognito.
        """
        response = self._user_call(
            "forgot_password", {"Username": username}, username=username, hash_at=TOP_LEVEL, sensitive=(),
        )
        return CodeDelivery.from_response(response.get("CodeDeliveryDetails"))

    @hide_locals
    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None:
        """ConfirmForgotPassword: the code ``forgot_password`` sent, and the new password.

        :raises CognitoError: ``CodeMismatch``, ``ExpiredCode``, ``InvalidPassword`` (the
            pool's policy), ``OutcomeUnknown`` (the password may have changed).
        """
        self._user_call(
            "confirm_forgot_password",
            {"Username": username, "ConfirmationCode": code, "Password": new_password},
            username=username, hash_at=TOP_LEVEL, sensitive=(code, new_password),
        )

    @hide_locals
    def change_password(self, access_token: str, old_password: str, new_password: str) -> None:
        """ChangePassword names no user (the access token does), so it carries no hash.

        :raises CognitoError: ``InvalidCredentials`` for a wrong old password,
            ``TokenRejected`` for an expired or revoked access token, ``InvalidPassword``.
        """
        self._call(
            "change_password",
            {"AccessToken": access_token, "PreviousPassword": old_password, "ProposedPassword": new_password},
            sensitive=(access_token, old_password, new_password),
            with_client_id=False,
        )

    # Passkeys: each call names no client and no user (the access token does), so no hash.

    @hide_locals
    def start_web_authn_registration(self, access_token: str) -> dict[str, Any]:
        """StartWebAuthnRegistration: the CredentialCreationOptions for the browser's
        ``navigator.credentials.create`` (PublicKeyCredentialCreationOptionsJSON: challenge,
        rp, user, pubKeyCredParams, timeout in milliseconds, excludeCredentials,
        authenticatorSelection; byte fields in base64url).

        :raises PasskeysNotConfigured: the pool does not offer passkeys or has no relying party ID.
        :raises TokenRejected: the access token expired or was revoked.
        """
        response = self._call(
            "start_web_authn_registration", {"AccessToken": access_token},
            sensitive=(access_token,), with_client_id=False,
        )
        options = response.get("CredentialCreationOptions")
        if not isinstance(options, dict):
            raise ServiceUnavailable("StartWebAuthnRegistration answered without CredentialCreationOptions")
        return options

    @hide_locals
    def complete_web_authn_registration(self, access_token: str, credential: dict[str, Any]) -> None:
        """CompleteWebAuthnRegistration with the browser's RegistrationResponseJSON.

        :raises PasskeyChallengeEnded: the registration expired or was already completed.
        :raises PasskeyRefused: another relying party or origin, an unsupported provider.
        :raises InvalidRequest: a response Cognito could not verify.
        """
        self._call(
            "complete_web_authn_registration", {"AccessToken": access_token, "Credential": credential},
            sensitive=(access_token,), with_client_id=False,
        )

    @hide_locals
    def list_web_authn_credentials(self, access_token: str) -> list[Passkey]:
        """ListWebAuthnCredentials, every page (at most PASSKEY_PAGE_LIMIT of them).

        :raises TokenRejected: the access token expired or was revoked.
        """
        passkeys: list[Passkey] = []
        params: dict[str, Any] = {"AccessToken": access_token, "MaxResults": PASSKEY_PAGE_SIZE}
        for _ in range(PASSKEY_PAGE_LIMIT):
            response = self._call(
                "list_web_authn_credentials", params, sensitive=(access_token,), with_client_id=False,
            )
            passkeys.extend(
                Passkey.from_description(item) for item in response.get("Credentials") or () if isinstance(item, dict)
            )
            next_token = response.get("NextToken")
            if not next_token:
                break
            params = {**params, "NextToken": next_token}
        return passkeys

    @hide_locals
    def delete_web_authn_credential(self, access_token: str, credential_id: str) -> None:
        """DeleteWebAuthnCredential: one of the signed-in user's own passkeys.

        :raises PasskeyNotFound: the user has no passkey with that id (another user's
            passkey included: Cognito answers ResourceNotFoundException).
        """
        operation = "delete_web_authn_credential"
        try:
            self._call(
                operation, {"AccessToken": access_token, "CredentialId": credential_id},
                sensitive=(access_token,), with_client_id=False, report=False,
            )
        except UnknownClient as exc:
            # The call names no client or pool: "not found" can only mean the passkey.
            raise PasskeyNotFound(exc.cognito_message, exc.code) from None
        except CognitoError as exc:
            self._report(operation, exc)
            raise

    @hide_locals
    def sign_up(self, username: str, password: str, attributes: dict[str, str]) -> SignUpResult:
        """SignUp: a new, unconfirmed user with these attributes (``{"email": ...}``).

        :returns: whether the account is already confirmed, its ``sub``, where the code went.
        :raises CognitoError: as ``forgot_password``; ``UsernameExists`` for a taken name.
        """
        response = self._user_call(
            "sign_up",
            {"Username": username, "Password": password,
             "UserAttributes": [{"Name": name, "Value": value} for name, value in attributes.items()]},
            username=username, hash_at=TOP_LEVEL, sensitive=(password,),
        )
        return SignUpResult.from_response(response)

    @hide_locals
    def decoy_sign_up(self, username: str, attributes: dict[str, str]) -> None:
        """A SignUp for ``username`` that Cognito refuses before it does anything, so a page
        that must not make an account still spends one SignUp round trip like the others.

        Its SecretHash is made with a random key: Cognito checks the hash first and answers
        NotAuthorizedException ("Unable to verify secret hash"), or, for an app client
        without a secret, InvalidParameterException ("... is not configured for secret but
        secret hash was received"). The password is random too, never the person's. The
        refusal is expected: not logged, not recorded as the client's last failure, and
        never sent twice. An endpoint that accepts it does not check SECRET_HASH at all:
        that alone is logged (ERROR).
        """
        key = secrets.token_urlsafe(32)
        value = secret_hash(username, self.app_client.client_id, key)
        password = secrets.token_urlsafe(24)
        params = {
            "Username": username, "Password": password, "SecretHash": value,
            "UserAttributes": [{"Name": name, "Value": val} for name, val in attributes.items()],
        }
        try:
            self._call("sign_up", params, sensitive=(password, value, key), report=False, changes_state=False)
        except CognitoError:
            return
        logger.error(
            "The endpoint of app client %r (client id %s) accepted a SignUp whose SECRET_HASH was made with a "
            "random key: it does not check SECRET_HASH, so it is not Cognito, or not configured as this app "
            "client is. Check the endpoint URL and the app client in the admin.",
            self.app_client.name, self.app_client.client_id,
        )

    @hide_locals
    def confirm_sign_up(self, username: str, code: str) -> str:
        """ConfirmSignUp: the code ``sign_up`` sent.

        :returns: its Session ("" when none came), which ``initiate_user_auth(...,
            session=...)`` turns into a sign-in once (USER_AUTH clients).
        :raises CognitoError: ``CodeMismatch``, ``ExpiredCode``, ``AlreadyConfirmed``.
        """
        response = self._user_call(
            "confirm_sign_up", {"Username": username, "ConfirmationCode": code},
            username=username, hash_at=TOP_LEVEL, sensitive=(code,),
        )
        return str(response.get("Session") or "")

    def resend_confirmation_code(self, username: str) -> CodeDelivery:
        """ResendConfirmationCode: a new sign-up code.

        :returns: where the code went.
        :raises CognitoError: as ``forgot_password``.
        """
        response = self._user_call(
            "resend_confirmation_code", {"Username": username}, username=username, hash_at=TOP_LEVEL, sensitive=(),
        )
        return CodeDelivery.from_response(response.get("CodeDeliveryDetails"))

    @hide_locals
    def probe_initiate_auth(
        self, auth_flow: str, auth_parameters: dict[str, str], *, username: str, secret: str | None,
    ) -> AuthResult:
        """One InitiateAuth for the doctor, hashed with ``secret`` (None: no hash at all)
        rather than the stored secrets, never retried with another secret, and neither
        logged nor recorded as the client's last failure: the doctor reports what it finds.

        :returns: tokens or a challenge, should the probe's user exist.
        :raises CognitoError: Cognito's refusal, which is what the doctor reads.
        """
        value = secret_hash(username, self.app_client.client_id, secret) if secret else None
        params, sent = _with_secret_hash(
            {"AuthFlow": auth_flow, "AuthParameters": auth_parameters}, IN_AUTH_PARAMETERS, value,
        )
        # For a user who does not exist: nothing changes, nothing counts towards a lockout.
        response = self._call(
            "initiate_auth", params, sensitive=(*auth_parameters.values(), sent), report=False, changes_state=False,
        )
        return AuthResult.from_response(response)

    @hide_locals
    def revoke_refresh_token(self, refresh_token: str) -> None:
        """RevokeToken: the refresh token and the access tokens it gave stop working.
        Authorised by the client secret itself (not a hash), when the client has one.

        :raises CognitoError: Cognito's refusal (``sessions.revoke`` signs out regardless).
        """
        self._call_with_secret(
            "revoke_token", {"Token": refresh_token}, place=CLIENT_SECRET_PARAMETER,
            proof=lambda secret: secret, sensitive=(refresh_token,),
        )

    @hide_locals
    def _user_call(
        self, operation: str, params: dict[str, Any], *, username: str, hash_at: HashPlace,
        sensitive: tuple[str, ...], changes_state: bool = True, report: bool = True,
    ) -> dict:
        """A call that names a user: with a secret, it carries the hash over ``username``."""
        return self._call_with_secret(
            operation, params, place=hash_at, sensitive=sensitive, changes_state=changes_state, report=report,
            proof=lambda secret: secret_hash(username, self.app_client.client_id, secret),
        )

    @hide_locals
    def _call_with_secret(
        self, operation: str, params: dict[str, Any], *, place: HashPlace, proof: Callable[[str], str],
        sensitive: tuple[str, ...], changes_state: bool = True, report: bool = True,
    ) -> dict:
        """A call that proves it comes from this client: ``proof(secret)`` (a SECRET_HASH,
        or the secret itself for RevokeToken) goes at ``place``; nothing without a secret.

        While a secret rotation is under way (a previous secret is stored), a proof Cognito
        rejects as wrong is sent once more, made with the previous secret. Cognito judges
        it before anything else, so the rejected call changed nothing and the retry is
        safe for every operation; the rejection is not reported unless the retry fails.
        ``report=False``: no refusal is logged or recorded at all.
        """
        current, previous = self._secrets(operation)
        hashed, value = _with_secret_hash(params, place, proof(current) if current else None)
        if not (value and previous):
            return self._call(
                operation, hashed, sensitive=(*sensitive, value), changes_state=changes_state, report=report,
            )
        try:
            return self._call(
                operation, hashed, sensitive=(*sensitive, value), report=False, changes_state=changes_state,
            )
        except SecretHashError as exc:
            if exc.problem != "mismatch":
                if report:
                    self._report(operation, exc)
                raise
        except CognitoError as exc:
            if report:
                self._report(operation, exc)
            raise
        retried, retry_value = _with_secret_hash(params, place, proof(previous))
        try:
            response = self._call(
                operation, retried, sensitive=(*sensitive, value, retry_value), changes_state=changes_state,
                report=report,
            )
        except CognitoError as exc:
            if accepted_the_hash(exc):  # e.g. a wrong password, judged after the hash
                self._log_previous_secret_accepted(operation)
            raise
        self._log_previous_secret_accepted(operation)
        return response

    @hide_locals
    def _secrets(self, operation: str) -> tuple[str, str]:
        """The current and the previous secret. One that no key can decrypt stops the call
        as a configuration error (logged, "unavailable" for the person), never a crash that
        would block every sign-in and sign-out, Django-only ones included."""
        try:
            current = self.app_client.client_secret
            # Stand-ins for an app client (scripts, tests) that know nothing of rotation
            # have no previous secret.
            previous = getattr(self.app_client, "previous_client_secret", "")
        except UndecryptableSecret:
            error = SecretUnreadable()
            self._report(operation, error)
            raise error from None
        return current, previous

    @hide_locals
    def _call(
        self, operation: str, params: dict[str, Any], sensitive: tuple[str, ...], with_client_id: bool = True,
        *, report: bool = True, changes_state: bool | None = None,
    ) -> dict:
        """One call, sent again only after a connection failure (``send_until_delivered``).

        ``changes_state`` (default: whether ``operation`` is in STATE_CHANGING_OPERATIONS)
        decides what a failure after sending means: ``OutcomeUnknown`` for a call that may
        have changed something, ``ServiceUnavailable`` for one that cannot have.
        """
        if changes_state is None:
            changes_state = operation in STATE_CHANGING_OPERATIONS
        if not endpoint_allowed(self.app_client.endpoint_url):
            refused = EndpointNotAllowed(self.app_client.endpoint_url)
            if report:
                self._report(operation, refused)
            raise refused
        if with_client_id:
            params = {"ClientId": self.app_client.client_id, **params}
        context = user_context_data(self.request) if operation in USER_CONTEXT_OPERATIONS else None
        if context:
            params = {**params, "UserContextData": context}
        try:
            with library_logs.withholding_library_logs():
                return send_until_delivered(lambda: self._send(operation, params, report=report))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            # Cognito's text and code reach logs, pages and the admin: bounded, no controls.
            message = loggable(_redact(str(error.get("Message", "")), sensitive), MESSAGE_LIMIT)
            translated = error_from_cognito(loggable(error.get("Code", "")), message)
            if report:
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
            if changes_state and isinstance(exc, MAYBE_SENT):
                translated = OutcomeUnknown(type(exc).__name__, operation=operation)
            else:
                translated = ServiceUnavailable(type(exc).__name__)
            if report:
                self._report(operation, translated)
            raise translated from exc

    def _send(self, operation: str, params: dict[str, Any], *, report: bool) -> dict[str, Any]:
        """One attempt, with timeouts that fit what is left of the request's budget.

        :raises ServiceUnavailable: too little time left: nothing was sent.
        """
        try:
            connect, read = budget.timeouts(app_settings.CONNECT_TIMEOUT, app_settings.READ_TIMEOUT, operation)
        except ServiceUnavailable as exc:
            if report:
                self._report(operation, exc)
            raise
        client = boto3_client(self.app_client.region, self.app_client.endpoint_url, connect, read)
        return getattr(client, operation)(**params)

    def _report(self, operation: str, error: CognitoError) -> None:
        if isinstance(error, ConfigurationError):
            self._log_configuration_error(operation, error)
        elif isinstance(error, OutcomeUnknown):
            logger.warning(
                "Cognito's answer to %s for app client %r (client id %s) never came (%s): the call may "
                "have taken effect, so it was not sent again. If this recurs, look for a slow Lambda trigger "
                "or raise COGNITO_AUTH_READ_TIMEOUT.",
                operation, self.app_client.name, self.app_client.client_id, error.cognito_message,
            )
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
        # Kept on the app client too, so the admin shows a broken client before its users
        # report it. Stand-ins for an app client (scripts, tests) may have nowhere to keep it.
        record_failure = getattr(self.app_client, "record_failure", None)
        if record_failure is not None:
            record_failure(failure_reason(operation, error))

    def _log_previous_secret_accepted(self, operation: str) -> None:
        logger.warning(
            "Cognito rejected the SECRET_HASH made with the current client secret of app client %r "
            "(client id %s) on %s, and accepted the one made with the previous secret. Finish the "
            "rotation: if Cognito does not hold the current secret yet, add it "
            "(AddUserPoolClientSecret with that value); if the previous secret is the new one, "
            "enter it as the client secret in the admin. Then remove the previous secret in the "
            "admin. Until then every call is sent twice.",
            self.app_client.name, self.app_client.client_id, operation,
        )


def get_cognito_client(
    app_client: AppClientLike, request: HttpRequest | None = None, *, client_class: type[CognitoClient] | None = None,
) -> CognitoClient:
    """The ``CognitoClient`` for ``app_client``, acting for the person who made ``request``.

    The only place one is built. ``client_class`` defaults to ``configured_client_class()``;
    a backend passes its own. ``request`` gives Cognito the person's IP address (see
    ``user_context``); None for scripts and checks.
    """
    return (client_class or configured_client_class())(app_client, request=request)


def configured_client_class() -> type[CognitoClient]:
    """The ``client_class`` of the first backend in ``AUTHENTICATION_BACKENDS`` that has one
    (``CognitoBackend`` and its subclasses), else ``CognitoClient``."""
    for path in settings.AUTHENTICATION_BACKENDS:
        candidate = getattr(import_string(path), "client_class", None)
        if isinstance(candidate, type) and issubclass(candidate, CognitoClient):
            return candidate
    return CognitoClient


def failure_reason(operation: str, error: ConfigurationError) -> str:
    """What the admin shows as an app client's last failure: Cognito's code and (redacted)
    text, the problem, and the hint. Never a secret: nothing here holds one."""
    problem = f" ({error.problem})" if isinstance(error, SecretHashError) else ""
    return f"{type(error).__name__}{problem} on {operation}: {error}. {error.operator_hint}"


def accepted_the_hash(error: CognitoError) -> bool:
    """Whether Cognito's refusal came after it accepted the SECRET_HASH.

    Wrong passwords, unknown users, bad codes: Cognito gets that far only with a good
    hash. A configuration error, an outage, throttling, an invalid parameter or an error
    this app does not know says nothing about the hash.
    """
    undecided = (ConfigurationError, ServiceUnavailable, RateLimited, InvalidRequest, AwsCredentialsError)
    return not isinstance(error, undecided) and type(error) is not CognitoError


class CognitoAdmin:
    """The few read-only administrator calls the doctor and the admin's import make.

    Unlike every user-facing call, these are signed with AWS credentials from boto3's
    default chain (environment, shared files, an instance or task role); without any,
    each raises ``NoCredentials``. Nothing here is logged: DescribeUserPoolClient's
    answer holds the client secret.
    """

    def __init__(self, region: str, user_pool_id: str, endpoint_url: str = "") -> None:
        self.region = region
        self.user_pool_id = user_pool_id
        self.endpoint_url = endpoint_url
        self._client: BaseClient | None = None  # built on first use, for this object's calls only

    def describe_user_pool_client(self, client_id: str) -> dict[str, Any]:
        """DescribeUserPoolClient's UserPoolClient, ``ClientSecret`` included when it has one.

        :raises CognitoError: ``NoCredentials``, ``AccessDenied``, ``UnknownClient``.
        """
        return _answer_part(self._call("describe_user_pool_client", ClientId=client_id), "UserPoolClient")

    def describe_user_pool(self) -> dict[str, Any]:
        """DescribeUserPool's UserPool.

        :raises CognitoError: ``NoCredentials``, ``AccessDenied``.
        """
        return _answer_part(self._call("describe_user_pool"), "UserPool")

    def internal_username(self, username: str) -> str:
        """The user's internal username (AdminGetUser accepts a username or an alias)."""
        return _answer_part(self._call("admin_get_user", Username=username), "Username")

    @hide_locals
    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        if not endpoint_allowed(self.endpoint_url):
            # Never sign a request for a host we do not trust: it would get AWS credentials.
            raise EndpointNotAllowed(self.endpoint_url)
        try:
            with library_logs.withholding_library_logs():
                if self._client is None:
                    self._client = admin_boto3_client(self.region, self.endpoint_url)
                client = self._client
                # Read-only calls: nothing changes if one is sent twice, but a timed-out
                # one is not sent again either, to stay within the time bound.
                return send_until_delivered(lambda: getattr(client, operation)(UserPoolId=self.user_pool_id, **params))
        except NoCredentialsError as exc:
            raise NoCredentials("boto3 found no AWS credentials") from exc
        except ClientError as exc:
            # An error answer holds no secret (only a successful Describe does), so the
            # cause can stay.
            error = exc.response.get("Error", {})
            raise error_from_cognito(
                loggable(error.get("Code", "")), loggable(error.get("Message", ""), MESSAGE_LIMIT),
            ) from exc
        except ParamValidationError:
            raise InvalidRequest("ParamValidationError") from None
        except BotoCoreError as exc:
            raise ServiceUnavailable(type(exc).__name__) from exc


def _answer_part(answer: dict[str, Any], key: str) -> Any:
    """One part of an administrator call's answer; an answer without it (a proxy, a broken
    emulator) is a service fault, not a KeyError."""
    if key not in answer:
        raise ServiceUnavailable(f"Cognito's answer has no {key}")
    return answer[key]


def _redact(message: str, sensitive: tuple[str, ...]) -> str:
    """Remove anything we sent that must stay secret from Cognito's (or an emulator's) text."""
    for value in sensitive:
        if value:
            message = message.replace(value, "[redacted]")
    return message
