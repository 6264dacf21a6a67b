"""Views of the Passkeys page (URL names ``passkeys``, ``passkey_register``, ``passkey_delete``).

Each needs a signed-in person whose session holds Cognito tokens, carries CSRF protection
and ``never_cache``, and renews a stale access token before its Cognito call, as the
password change page does. Every refusal is a message on the page, never a 500; a token
Cognito no longer accepts signs the person out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .. import sessions
from ..client import CognitoClient, Passkey, get_cognito_client
from ..exceptions import (
    CognitoError,
    InvalidRequest,
    OutcomeUnknown,
    PasskeyChallengeEnded,
    PasskeyNotFound,
    PasskeyRefused,
    PasskeysNotConfigured,
    RateLimited,
    ServiceUnavailable,
)
from ..form_errors import reason_for
from ..log_values import loggable
from ..messages import (
    PASSKEY_ADDED,
    PASSKEY_FAILURES,
    PASSKEY_REMOVED,
    PASSKEY_SCRIPT_MESSAGES,
    PASSKEYS_COGNITO_ONLY,
)
from ..sessions import SessionTokens
from ..views import form_data
from .forms import PasskeyDeleteForm, PasskeyRegistrationForm
from .webauthn import expected_origin, serves_relying_party

logger = logging.getLogger("cognito_auth")
T = TypeVar("T")
# The registration this session started: the challenge its options carry.
REGISTRATION_SESSION_KEY = "_cognito_auth_passkey_registration"
# Checked in order: the first class that matches gives the PASSKEY_FAILURES reason.
FAILURE_REASONS: tuple[tuple[type[CognitoError], str], ...] = (
    (OutcomeUnknown, "outcome_unknown"),
    (PasskeysNotConfigured, "not_configured"),
    (PasskeyChallengeEnded, "challenge_ended"),
    (PasskeyRefused, "refused"),
    (PasskeyNotFound, "not_found"),
    (InvalidRequest, "invalid_details"),
    (RateLimited, "rate_limited"),
)


def failure_message(exc: CognitoError) -> str:
    """The person's text for a refusal (PASSKEY_FAILURES); Cognito's own (redacted,
    bounded) words only where they say what to fix."""
    reason = reason_for(exc, FAILURE_REASONS)
    if reason != "invalid_details":
        return str(PASSKEY_FAILURES[reason])
    return str(PASSKEY_FAILURES[reason]) % {"detail": exc.cognito_message.strip().rstrip(".") + "."}


@method_decorator([login_required, csrf_protect, never_cache], name="dispatch")
class PasskeyView(View):
    """Base: the session's tokens (renewed first when stale) and the Cognito client."""

    template_name = "cognito_auth/passkeys.html"

    tokens: SessionTokens

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        tokens = sessions.load(request.session)
        if tokens is None:  # a Django-only account: nothing to call Cognito with
            return TemplateResponse(request, self.template_name, {"cognito_only": PASSKEYS_COGNITO_ONLY})
        try:
            self.tokens = sessions.renewed_if_stale(request, tokens)
            return super().dispatch(request, *args, **kwargs)
        except sessions.SignInAgain:
            return sessions.sign_in_again(request)

    def cognito(self, call: Callable[[CognitoClient, str], T]) -> T:
        """``call(client, access_token)`` with the session's app client and token. Refusals
        that end the session raise ``sessions.SignInAgain``; others go to the caller."""
        app_client = sessions.app_client_of(self.tokens)
        if app_client is None or not self.tokens.access_token:
            raise ServiceUnavailable("no access token or app client for this session")
        try:
            return call(get_cognito_client(app_client, self.request), self.tokens.access_token)
        except sessions.REFUSALS:
            raise sessions.SignInAgain from None

    def list_page(self, **context: Any) -> HttpResponse:
        passkeys: list[Passkey] = []
        try:
            passkeys = self.cognito(CognitoClient.list_web_authn_credentials)
        except CognitoError as exc:
            context.setdefault("failure", failure_message(exc))
        return TemplateResponse(self.request, self.template_name, {"passkeys": passkeys, **context})


class PasskeyListView(PasskeyView):
    """GET: the person's passkeys (ListWebAuthnCredentials), a button to add one and one
    to remove each."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.list_page()


class PasskeyRegisterView(PasskeyView):
    """GET: StartWebAuthnRegistration, and a page whose script runs
    ``navigator.credentials.create`` with the options. POST: the browser's response,
    checked here (challenge, origin), then CompleteWebAuthnRegistration."""

    template_name = "cognito_auth/passkey_register.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.register_page(PasskeyRegistrationForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        pending = request.session.pop(REGISTRATION_SESSION_KEY, None)
        challenge = pending.get("challenge", "") if isinstance(pending, dict) else ""
        form = PasskeyRegistrationForm(
            form_data(request), challenge=str(challenge), origin=expected_origin(request)
        )
        if form.is_valid():
            try:
                credential = form.cleaned_data["credential"]
                self.cognito(lambda client, token: client.complete_web_authn_registration(token, credential))
            except CognitoError as exc:
                form.add_error(None, failure_message(exc))
            else:
                messages.success(request, PASSKEY_ADDED)
                return HttpResponseRedirect(reverse("cognito_auth:passkeys"))
        # A new registration to try again with: Cognito used the old challenge up.
        return self.register_page(PasskeyRegistrationForm(), failure=" ".join(_errors(form)))

    def register_page(self, form: PasskeyRegistrationForm, failure: str = "") -> HttpResponse:
        context: dict[str, Any] = {"form": form, "failure": failure, "script_messages": PASSKEY_SCRIPT_MESSAGES}
        try:
            options = self.cognito(CognitoClient.start_web_authn_registration)
        except CognitoError as exc:
            context["failure"] = failure or failure_message(exc)
            return TemplateResponse(self.request, self.template_name, context)
        relying_party_id = str((options.get("rp") or {}).get("id") or "")
        if not serves_relying_party(self.request, relying_party_id):
            logger.error(
                "Passkeys: the user pool's relying party ID %r does not cover this site's host %r. Set the pool's "
                "WebAuthnConfiguration.RelyingPartyId to this site's domain (or a parent of it), or "
                "COGNITO_AUTH_WEBAUTHN_RP_ID to match the pool.",
                loggable(relying_party_id), loggable(self.request.get_host()),
            )
            context["failure"] = failure or PASSKEY_FAILURES["not_configured"]
            return TemplateResponse(self.request, self.template_name, context)
        self.request.session[REGISTRATION_SESSION_KEY] = {"challenge": str(options.get("challenge", ""))}
        context["options"] = options
        return TemplateResponse(self.request, self.template_name, context)


class PasskeyDeleteView(PasskeyView):
    """POST ``credential_id``: DeleteWebAuthnCredential. Cognito refuses another user's
    passkey (not found); either way the person is back on the list with a message."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasskeyDeleteForm(form_data(request))
        if not form.is_valid():
            messages.error(request, " ".join(_errors(form)))
        else:
            try:
                credential_id = form.cleaned_data["credential_id"]
                self.cognito(lambda client, token: client.delete_web_authn_credential(token, credential_id))
            except CognitoError as exc:
                messages.error(request, failure_message(exc))
            else:
                messages.success(request, PASSKEY_REMOVED)
        return HttpResponseRedirect(reverse("cognito_auth:passkeys"))


def _errors(form: Any) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]
