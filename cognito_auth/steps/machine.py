"""The step machine: Cognito's challenge in, the next page (or a signed-in person) out.

A step's state lives server-side in the Django session, encrypted (it holds Cognito's
``Session``, which answers the challenge): the app client, the internal username every
answer is hashed over, where to go afterwards, the challenge and what its page shows.
It ends when Cognito hands out tokens, when it expires (``SIGN_IN_STEP_TIMEOUT``,
Cognito's own 3 minutes by default), when Cognito refuses its session, or when a POST
does not carry its one-time id. Each answer gets a new id, so no POST is answered twice.

Sources (Amazon Cognito API Reference): InitiateAuth and RespondToAuthChallenge
(ChallengeName, ChallengeParameters, Session), UserPoolClientType (AuthSessionValidity).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import load_backend, login
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .. import encryption
from ..backends import FAILURE_ATTRIBUTE, CognitoBackend
from ..conf import app_settings
from ..log_values import loggable
from ..messages import LOGIN_FAILURES, STEP_ENDED
from ..models import AppClient
from ..results import CodeDelivery

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest, HttpResponse
    from django_stubs_ext import StrOrPromise

    from ..client import AuthResult

logger = logging.getLogger("cognito_auth")

SESSION_KEY = "_cognito_auth_sign_in_step"
SESSION_PURPOSE = "sign_in_step"

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a Cognito name, not a secret
SMS_MFA = "SMS_MFA"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 - a Cognito name, not a secret
EMAIL_OTP = "EMAIL_OTP"
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
MFA_SETUP = "MFA_SETUP"
# Choice-based sign-in (USER_AUTH): the first factors, and the choice among them.
SMS_OTP = "SMS_OTP"
SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD = "PASSWORD"  # noqa: S105 - a Cognito name, not a secret
PASSWORD_SRP = "PASSWORD_SRP"  # noqa: S105 - a Cognito name, not a secret
WEB_AUTHN = "WEB_AUTHN"
# The first factors a SELECT_CHALLENGE may offer that this app answers.
FIRST_FACTOR_CHOICES = (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN)

# Challenge -> the URL name of its page.
PAGES = {
    NEW_PASSWORD_REQUIRED: "cognito_auth:login_new_password",
    SMS_MFA: "cognito_auth:login_code",
    SOFTWARE_TOKEN_MFA: "cognito_auth:login_code",
    EMAIL_OTP: "cognito_auth:login_code",
    SMS_OTP: "cognito_auth:login_code",
    SELECT_MFA_TYPE: "cognito_auth:login_choose",
    SELECT_CHALLENGE: "cognito_auth:login_choose",
    MFA_SETUP: "cognito_auth:login_totp_setup",
    WEB_AUTHN: "cognito_auth:login_passkey",
}
# The factors a SELECT_MFA_TYPE may offer. Cognito's documented answer for email is
# EMAIL_OTP (its older name EMAIL_MFA is read as that).
MFA_CHOICES = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)
CHOICE_SYNONYMS = {"EMAIL_MFA": EMAIL_OTP}
# NEW_PASSWORD_REQUIRED lists the attributes to collect with this prefix.
USER_ATTRIBUTE_PREFIX = "userAttributes."


def is_supported(challenge_name: str) -> bool:
    return challenge_name in PAGES


@dataclass
class SignInStep:
    """One open sign-in step. Strings and lists only: it is stored as JSON."""

    app_client_pk: int
    # The name every answer carries and is hashed over (USER_ID_FOR_SRP), and the one the
    # person typed (shown on the pages, and naming them in their authenticator app).
    internal_username: str
    typed_username: str
    challenge_name: str
    session: str = field(repr=False)
    next_url: str
    started_at: float  # seconds since the epoch, when Cognito opened this step's session
    # A fresh one for each challenge; a POST must carry the current one (single use).
    step_id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    # SMS_MFA / EMAIL_OTP: where the code went (masked by Cognito) and how.
    destination: str = ""
    medium: str = ""
    # NEW_PASSWORD_REQUIRED: the attributes to collect, without their prefix.
    required_attributes: list[str] = field(default_factory=list)
    # SELECT_MFA_TYPE: the factors offered; MFA_SETUP: the factors that can be set up;
    # SELECT_CHALLENGE: the first factors Cognito offers that the app client offers too.
    choices: list[str] = field(default_factory=list)
    # MFA_SETUP: the secret AssociateSoftwareToken gave, and how far the set-up got
    # ("" before AssociateSoftwareToken, "associated", "verified").
    totp_secret: str = field(default="", repr=False)
    totp_stage: str = ""
    # Wrong codes entered on this step: at MAX_WRONG_CODES the step ends (see ``wrong_code``).
    wrong_codes: int = 0
    # WEB_AUTHN: CREDENTIAL_REQUEST_OPTIONS as Cognito sent it (JSON text of
    # PublicKeyCredentialRequestOptionsJSON), for the page's script and the answer's checks.
    credential_request_options: str = ""

    @property
    def expired(self) -> bool:
        return time.time() >= self.started_at + step_timeout()

    @property
    def page_url(self) -> str:
        return reverse(PAGES[self.challenge_name])

    def save(self, session: SessionBase) -> None:
        session[SESSION_KEY] = encryption.encrypt(json.dumps(asdict(self)), SESSION_PURPOSE)

    @classmethod
    def load(cls, session: SessionBase) -> SignInStep | None:
        """The open step, or None. Anything else under the key (another shape, another
        SECRET_KEY's encryption) reads as no step, never as an error."""
        stored = session.get(SESSION_KEY)
        if not isinstance(stored, str) or not stored:
            return None
        try:
            fields = json.loads(encryption.decrypt(stored, SESSION_PURPOSE))
            step = cls(**fields)
        except (encryption.UndecryptableSecret, ValueError, TypeError):
            return None
        return step if is_supported(step.challenge_name) else None


def clear(session: SessionBase) -> None:
    """End the step: nothing of it (Cognito's session, a TOTP secret) stays behind."""
    session.pop(SESSION_KEY, None)


# Wrong codes one step takes before it ends (a fresh sign-in, with its password, is needed).
MAX_WRONG_CODES = 5


def step_timeout() -> float:
    """Seconds a sign-in step stays open: ``COGNITO_AUTH_SIGN_IN_STEP_TIMEOUT``, by default
    the app client's AuthSessionValidity default (3 minutes, UserPoolClientType)."""
    return float(app_settings.SIGN_IN_STEP_TIMEOUT)


def begin(
    request: HttpRequest, result: AuthResult, app_client: AppClient, typed_username: str, next_url: str
) -> HttpResponse:
    """Start the steps of a sign-in Cognito answered with a challenge (the login POST).

    :returns: the redirect to the step's page, or back to the login page with the
        "challenge" message for a challenge this app has no page for.
    """
    first = SignInStep(
        app_client_pk=app_client.pk, internal_username=result.internal_username, typed_username=typed_username,
        challenge_name="", session="", next_url=next_url, started_at=0.0,
    )
    return advance(request, first, result, app_client)


def advance(request: HttpRequest, step: SignInStep, result: AuthResult, app_client: AppClient) -> HttpResponse:
    """Cognito answered ``step``: tokens sign the person in and go to ``next``; another
    challenge becomes the next step and its page.

    :returns: a redirect (302).
    """
    if not result.challenge_name:
        return finish(request, step, result, app_client)
    if not answerable(result, step) or not answerable_with(result, app_client):
        logger.info("Sign-in needs the %s challenge, which this app does not answer", loggable(result.challenge_name))
        clear(request.session)
        messages.error(request, LOGIN_FAILURES["challenge"])
        return HttpResponseRedirect(login_url(step.next_url))
    parameters = result.challenge_parameters or {}
    delivery = CodeDelivery.from_challenge(parameters)
    following = replace(
        step,
        internal_username=result.internal_username or step.internal_username,
        challenge_name=result.challenge_name,
        session=result.session,
        started_at=time.time(),
        step_id=secrets.token_urlsafe(16),
        destination=delivery.destination,
        medium=delivery.medium,
        required_attributes=_json_list(parameters.get("requiredAttributes"), prefix=USER_ATTRIBUTE_PREFIX),
        choices=(
            _first_factors(result, app_client) if result.challenge_name == SELECT_CHALLENGE else _offered(parameters)
        ),
        totp_secret="",
        totp_stage="",
        credential_request_options=parameters.get("CREDENTIAL_REQUEST_OPTIONS", ""),
    )
    following.save(request.session)
    return HttpResponseRedirect(following.page_url)


def answerable(result: AuthResult, step: SignInStep) -> bool:
    """Whether this app has a page for the challenge and knows whom to answer for. An
    MFA_SETUP that cannot set up an authenticator app (SMS or email only) has none."""
    if not is_supported(result.challenge_name) or not (result.internal_username or step.internal_username):
        return False
    can_set_up = _offered(result.challenge_parameters or {})
    return result.challenge_name != MFA_SETUP or not can_set_up or SOFTWARE_TOKEN_MFA in can_set_up


def answerable_with(result: AuthResult, app_client: AppClient) -> bool:
    """``answerable``, and a SELECT_CHALLENGE offers at least one first factor that this
    app answers and the app client offers."""
    return result.challenge_name != SELECT_CHALLENGE or bool(_first_factors(result, app_client))


def finish(request: HttpRequest, step: SignInStep, result: AuthResult, app_client: AppClient) -> HttpResponse:
    """Sign the person in with Cognito's tokens, through the same backend path as a
    password sign-in (``CognitoBackend.user_for_tokens``: verified ID token, hooks,
    linking), then ``login()`` (``user_logged_in``, tokens stored in the session).

    :returns: the redirect to ``next`` or ``LOGIN_REDIRECT_URL``; back to the login page
        with a message when no Django user may sign in.
    """
    clear(request.session)
    path, backend = cognito_backend()
    user = backend.user_for_tokens(request, result, app_client)
    if user is None:
        reason = getattr(request, FAILURE_ATTRIBUTE, "")
        messages.error(request, LOGIN_FAILURES.get(reason, LOGIN_FAILURES["refused"]))
        return HttpResponseRedirect(login_url(step.next_url))
    login(request, user, backend=path)  # type: ignore[arg-type]  # ANY_USER_MODEL (backends)
    return HttpResponseRedirect(redirect_target(request, step.next_url))


def cognito_backend() -> tuple[str, CognitoBackend]:
    """The first ``CognitoBackend`` (or subclass) in ``AUTHENTICATION_BACKENDS``, with its path:
    its hooks, not a default instance's, decide who signs in after a step.

    :raises LookupError: none is configured.
    """
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = load_backend(path)
        if isinstance(backend, CognitoBackend):
            return path, backend
    raise LookupError("No CognitoBackend in AUTHENTICATION_BACKENDS")


def redirect_target(request: HttpRequest, next_url: str) -> str:
    """``next`` when it is safe (checked again, as the login page checks it), else
    ``LOGIN_REDIRECT_URL``."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def login_url(next_url: str = "") -> str:
    url = reverse("cognito_auth:login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return url


def end(request: HttpRequest, step: SignInStep | None = None, message: StrOrPromise = STEP_ENDED) -> HttpResponse:
    """No usable step (none, expired, used, refused by Cognito, too many wrong codes): back
    to the login page, with the message that says so."""
    clear(request.session)
    messages.error(request, message)
    return HttpResponseRedirect(login_url(step.next_url if step else ""))


def wrong_code(step: SignInStep) -> bool:
    """Count a wrong code on ``step``. :returns: True once it reached ``MAX_WRONG_CODES``:
    the step then ends, so one password is worth a handful of guesses, not as many as the
    step's three minutes allow (Cognito's own limits apply besides, per user)."""
    step.wrong_codes += 1
    return step.wrong_codes >= MAX_WRONG_CODES


def _offered(parameters: dict[str, str]) -> list[str]:
    """SELECT_MFA_TYPE's MFAS_CAN_CHOOSE or MFA_SETUP's MFAS_CAN_SETUP, as a list of the
    factor names this app knows."""
    listed = _json_list(parameters.get("MFAS_CAN_CHOOSE") or parameters.get("MFAS_CAN_SETUP"))
    offered = [CHOICE_SYNONYMS.get(name, name) for name in listed]
    return [name for name in MFA_CHOICES if name in offered]


def _first_factors(result: AuthResult, app_client: AppClient) -> list[str]:
    """SELECT_CHALLENGE's AvailableChallenges that this app answers and the app client
    offers; the password once, as the client proves it (``password_method``)."""
    offered = set(app_client.offered_sign_in_methods)
    available = set(result.available_challenges)
    chosen = [name for name in FIRST_FACTOR_CHOICES if name in available and name in offered]
    if PASSWORD in chosen and PASSWORD_SRP in chosen:
        chosen.remove(PASSWORD)
    return chosen


def _json_list(value: Any, prefix: str = "") -> list[str]:
    """A challenge parameter holding a JSON list of strings; anything else is empty."""
    try:
        items = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [item.removeprefix(prefix) for item in items if isinstance(item, str) and item]
