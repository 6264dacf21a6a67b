"""The pages of the sign-in steps, one per kind of challenge (URL names ``login_new_password``,
``login_code``, ``login_choose``, ``login_totp_setup``, ``login_passkey``).

Each carries the login page's protections (``sensitive_post_parameters``, CSRF,
``never_cache``, ``login_not_required``) and opens only on the step it serves: no step,
an expired one, or a POST of another one sends the person back to sign in, never a 500.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.decorators import method_decorator
from django.views.generic import FormView

from ..client import get_cognito_client
from ..exceptions import CognitoError, InvalidCredentials
from ..messages import (
    NEW_PASSWORD_INSTRUCTIONS,
    PASSKEY_SIGN_IN_FAILURES,
    PASSKEY_SIGN_IN_INSTRUCTIONS,
    PASSKEY_SIGN_IN_SCRIPT_MESSAGES,
    STEP_CODE_INSTRUCTIONS,
    STEP_CODE_SENT_SOMEWHERE,
    STEP_FAILURES,
    TOO_MANY_WRONG_CODES,
    TOTP_QR_TITLE,
    TOTP_SETUP_INSTRUCTIONS,
    TOTP_VERIFIED,
)
from ..models import AppClient
from ..views import anonymous, form_data, protected

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from . import machine
from .forms import (
    ChooseFirstFactorForm,
    ChooseForm,
    CodeForm,
    NewPasswordForm,
    PasskeyForm,
    StepForm,
    TotpSetupForm,
)
from .totp import otpauth_uri, qr_svg


@anonymous
@method_decorator(protected, name="dispatch")
class StepView(FormView):
    """A page for the challenges in ``challenges``; its form answers Cognito, and the
    machine moves on to the next step or signs the person in."""

    challenges: frozenset[str] = frozenset()
    form_class: type[StepForm]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        step = machine.SignInStep.load(request.session)
        if step is None or step.expired:
            return machine.end(request, step)
        if step.challenge_name not in self.challenges:
            if request.method == "POST":  # a POST of an earlier step, or another tab's
                return machine.end(request, step)
            return HttpResponseRedirect(step.page_url)
        app_client = AppClient.objects.filter(pk=step.app_client_pk).first()
        if app_client is None:  # deleted in the admin meanwhile
            return machine.end(request, step)
        self.sign_in_step, self.app_client = step, app_client
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if "data" in kwargs:
            kwargs["data"] = form_data(self.request)
        return {**kwargs, "sign_in_step": self.sign_in_step, "request": self.request, "app_client": self.app_client}

    def form_valid(self, form: StepForm) -> HttpResponse:
        if form.result is None:  # valid without an answer: nothing to go on with
            return machine.end(self.request, self.sign_in_step)
        return machine.advance(self.request, self.sign_in_step, form.result, self.app_client)

    def form_invalid(self, form: StepForm) -> HttpResponse:
        if form.step_over and getattr(form, "refused", False):
            return machine.end(self.request, self.sign_in_step, PASSKEY_SIGN_IN_FAILURES["refused"])
        if form.step_over:
            return machine.end(self.request, self.sign_in_step)
        if form.has_error("code", "code_mismatch") and machine.wrong_code(self.sign_in_step):
            return machine.end(self.request, self.sign_in_step, TOO_MANY_WRONG_CODES)
        self.sign_in_step.save(self.request.session)  # the count, and how far a TOTP set-up got
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "sign_in_step": self.sign_in_step,
            "account_name": self.sign_in_step.typed_username,
        }


class NewPasswordView(StepView):
    challenges = frozenset({machine.NEW_PASSWORD_REQUIRED})
    form_class = NewPasswordForm
    template_name = "cognito_auth/login_new_password.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "instructions": NEW_PASSWORD_INSTRUCTIONS}


class CodeView(StepView):
    challenges = frozenset({machine.SMS_MFA, machine.SOFTWARE_TOKEN_MFA, machine.EMAIL_OTP, machine.SMS_OTP})
    form_class = CodeForm
    template_name = "cognito_auth/login_code.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        step = self.sign_in_step
        instructions: StrOrPromise
        if step.challenge_name == machine.SOFTWARE_TOKEN_MFA or step.destination:
            instructions = STEP_CODE_INSTRUCTIONS[step.challenge_name] % {"destination": step.destination}
        else:
            instructions = STEP_CODE_SENT_SOMEWHERE
        return {**super().get_context_data(**kwargs), "instructions": instructions}


class ChooseView(StepView):
    """SELECT_MFA_TYPE (a second factor) and SELECT_CHALLENGE (a first factor, USER_AUTH)."""

    challenges = frozenset({machine.SELECT_MFA_TYPE, machine.SELECT_CHALLENGE})
    template_name = "cognito_auth/login_choose.html"

    def get_form_class(self) -> type[StepForm]:
        if self.sign_in_step.challenge_name == machine.SELECT_CHALLENGE:
            return ChooseFirstFactorForm
        return ChooseForm


class PasskeyView(StepView):
    """WEB_AUTHN: the page's script (static ``cognito_auth/passkey_sign_in.js``, no inline
    script) hands Cognito's CREDENTIAL_REQUEST_OPTIONS to ``navigator.credentials.get`` and
    posts the assertion back; the one step that needs JavaScript."""

    challenges = frozenset({machine.WEB_AUTHN})
    form_class = PasskeyForm
    template_name = "cognito_auth/login_passkey.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        try:
            options = json.loads(self.sign_in_step.credential_request_options)
        except ValueError:
            options = None
        return {
            **super().get_context_data(**kwargs),
            "instructions": PASSKEY_SIGN_IN_INSTRUCTIONS,
            "options": options if isinstance(options, dict) else None,
            "script_messages": PASSKEY_SIGN_IN_SCRIPT_MESSAGES,
        }


class TotpSetupView(StepView):
    """MFA_SETUP: AssociateSoftwareToken when the page is first shown, the QR code and
    the key as text, then the first code."""

    challenges = frozenset({machine.MFA_SETUP})
    form_class = TotpSetupForm
    template_name = "cognito_auth/login_totp_setup.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = self.sign_in_step
        self.unavailable = False
        if not step.totp_stage:
            try:
                step.totp_secret, step.session = get_cognito_client(self.app_client, request).associate_software_token(
                    step.session
                )
            except InvalidCredentials:  # the session expired or was used
                return machine.end(request, step)
            except CognitoError:  # logged by the client; reloading the page tries again
                self.unavailable = True
            else:
                step.totp_stage = "associated"
                step.save(request.session)
        return super().get(request, *args, **kwargs)

    def totp_issuer(self) -> str:
        """The site's name in the person's authenticator app: the current ``Site``'s name
        (the host name without ``django.contrib.sites``). Override to name it otherwise."""
        return get_current_site(self.request).name

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        step = self.sign_in_step
        if getattr(self, "unavailable", False):
            context["unavailable_message"] = STEP_FAILURES["unavailable"]
        if step.totp_secret:
            uri = otpauth_uri(step.totp_secret, self.totp_issuer(), step.typed_username)
            context["qr_code"] = qr_svg(uri, title=str(TOTP_QR_TITLE))
            context["totp_secret"] = step.totp_secret
        return {**context, "instructions": TOTP_SETUP_INSTRUCTIONS, "totp_verified": TOTP_VERIFIED}
