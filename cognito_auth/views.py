"""The pages. Sign-in and sign-out are Django's own views with a Cognito form; the
password-reset, password-change and sign-up pages are FormViews around one Cognito call
each. All carry ``sensitive_post_parameters``, ``csrf_protect`` and ``never_cache``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.dispatch import Signal
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View

from . import sessions, signals
from .backends import CHALLENGE_ATTRIBUTE
from .budget import within_request_budget
from .client import get_cognito_client
from .compat import login_not_required
from .conf import app_settings
from .exceptions import CognitoError
from .form_errors import AriaInvalidPasswordChangeForm
from .forms import (
    FORGOT_PASSWORD,
    RESEND_CONFIRMATION_CODE,
    CognitoAuthenticationForm,
    CognitoPasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    ResendCodeForm,
    SignUpConfirmForm,
    SignUpForm,
)
from .identity import end_sessions, end_sessions_after_reset
from .log_values import loggable
from .messages import (
    ALREADY_CONFIRMED_HINT,
    CODE_SENT,
    CODE_SENT_SOMEWHERE,
    INVITED_HINT,
    LOGIN_FAILED_HINT,
    NEW_CODE_SENT,
    PASSKEY_BUTTON,
    PASSKEY_NOT_AVAILABLE,
    PASSWORD_RESET_DONE,
    SIGN_IN_METHOD_BUTTONS,
    SIGN_OUT_EVERYWHERE_INCOMPLETE,
    SIGN_UP_CONFIRMED,
)
from .models import AppClient, AuthFlow
from .results import CodeDelivery
from .steps import machine as steps

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Session keys: who is in the middle of a reset or a sign-up, and where the code went.
RESET_SESSION_KEY = "_cognito_auth_password_reset"
SIGN_UP_SESSION_KEY = "_cognito_auth_sign_up"

logger = logging.getLogger("cognito_auth")
# Every page that calls Cognito shares one time budget across its calls (budget.py), with
# or without CognitoSessionMiddleware.
protected = [within_request_budget, sensitive_post_parameters(), csrf_protect, never_cache]
with_budget = method_decorator(within_request_budget, name="dispatch")
# Pages for people without a session: open under Django's LoginRequiredMiddleware, as
# Django's own login and password-reset views are.
anonymous = method_decorator(login_not_required, name="dispatch")


@anonymous
@with_budget
class LoginView(auth_views.LoginView):
    form_class = CognitoAuthenticationForm
    template_name = "cognito_auth/login.html"

    # Cognito knows the person, who gave the right password, but wants a step first:
    # reason -> (flow's session key, page). Not "user_not_confirmed": Cognito says that
    # whatever the password, so following it would tell anyone which names exist.
    next_steps = {
        "password_reset_required": (RESET_SESSION_KEY, "cognito_auth:password_reset_confirm"),
    }

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        challenge = getattr(self.request, CHALLENGE_ATTRIBUTE, None)
        if challenge is not None and form.has_error(NON_FIELD_ERRORS, "challenge"):
            result, app_client = challenge
            if steps.is_supported(result.challenge_name):
                if getattr(form, "method", "") == steps.WEB_AUTHN and result.challenge_name == steps.SELECT_CHALLENGE:
                    # No passkey for that name (known or not: the same answer), other ways offered.
                    messages.info(self.request, PASSKEY_NOT_AVAILABLE)
                return steps.begin(
                    self.request, result, app_client, form.cleaned_data.get("username", ""), self.get_redirect_url(),
                )
            # The form says the site cannot answer it; the operator learns which it was.
            logger.info(
                "App client %r: sign-in needs the %s challenge, which this app does not answer",
                app_client.name, loggable(result.challenge_name),
            )
        for reason, (session_key, url_name) in self.next_steps.items():
            if form.has_error(NON_FIELD_ERRORS, reason):
                # Take them to that step with their name filled in, and say why.
                remember(self.request, session_key, form.cleaned_data.get("username", ""), CodeDelivery())
                messages.info(self.request, form.errors[NON_FIELD_ERRORS][0])  # type: ignore[arg-type]  # stubs: ErrorList items read as messages
                return HttpResponseRedirect(reverse(url_name))
        return super().form_invalid(form)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if "data" in kwargs:
            kwargs["data"] = form_data(self.request)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {
            **context,
            "sign_up_enabled": app_settings.SIGN_UP_ENABLED,
            "login_failed_hint": LOGIN_FAILED_HINT,
            **sign_in_method_context(context["form"]),
        }


def sign_in_method_context(form: CognitoAuthenticationForm) -> dict[str, Any]:
    """What the login page offers, as its app client says: the password (``password_offered``),
    the one-time code buttons (``code_buttons``: (method, label) pairs) and the passkey
    button's label (``passkey_button``, "" when passkeys are not offered)."""
    methods = getattr(form, "sign_in_methods", ["PASSWORD"])
    return {
        "password_offered": bool({"PASSWORD", "PASSWORD_SRP"} & set(methods)),
        "code_buttons": [(method, SIGN_IN_METHOD_BUTTONS[method]) for method in methods
                         if method in SIGN_IN_METHOD_BUTTONS],
        "passkey_button": PASSKEY_BUTTON if "WEB_AUTHN" in methods else "",
    }


@with_budget
class LogoutView(auth_views.LogoutView):
    template_name = "cognito_auth/logged_out.html"
    # POST only on every Django version (4.2 still signs out on GET, with a warning): a
    # link or an <img> elsewhere must not sign anyone out.
    http_method_names = ["post", "options"]


class LogoutEverywhereView(LogoutView):
    """Sign out of every device: GlobalSignOut with the session's access token, then
    every Django session of the person ends (``sessions.sign_out_everywhere``). POST only."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sessions.sign_out_everywhere(request):
            messages.error(request, SIGN_OUT_EVERYWHERE_INCOMPLETE)
        redirect_to = self.get_success_url()
        if redirect_to != request.get_full_path():
            return HttpResponseRedirect(redirect_to)
        return self.get(request, *args, **kwargs)


def form_data(request: HttpRequest) -> QueryDict:
    """The POST data, read as UTF-8 even when the body is not.

    Django reads a urlencoded body that is not valid UTF-8 as Latin-1, so raw bytes would
    become other, valid letters (b"\\xff" is "ÿ") and reach Cognito as another name, while
    the same bytes percent-encoded become U+FFFD, which the validators refuse. Reading the
    body with U+FFFD for each bad byte gives both the same form error.
    """
    if request.content_type == "application/x-www-form-urlencoded":
        encoding = request.encoding or settings.DEFAULT_CHARSET
        try:
            request.body.decode(encoding)
        except UnicodeDecodeError:
            return QueryDict(request.body.decode(encoding, errors="replace"), encoding=encoding)
    return request.POST


def remember(request: HttpRequest, key: str, username: str, delivery: CodeDelivery) -> None:
    """Keep the username and where the code went for the next step of a flow (as JSON:
    ``{"username": ..., **delivery.stored()}``)."""
    request.session[key] = {"username": username, **delivery.stored()}


def delivery_message(delivery: CodeDelivery) -> str:
    """"We sent a code by SMS to +*******0100", or a sentence that names no destination."""
    if delivery.destination and delivery.medium in CODE_SENT:
        return CODE_SENT[delivery.medium] % {"destination": delivery.destination}
    return str(CODE_SENT_SOMEWHERE)


@method_decorator(protected, name="dispatch")
class CognitoFormView(FormView):
    """A FormView whose form calls Cognito with the app client serving this host."""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if "data" in kwargs:
            kwargs["data"] = form_data(self.request)
        return {**kwargs, "request": self.request, "app_client": AppClient.objects.for_request(self.request)}

    def pending(self, key: str) -> dict[str, str] | None:
        """What ``remember`` kept for this flow; anything else under the key (a value a
        store migration or a bug left behind) reads as nothing kept, never as an error."""
        pending = self.request.session.get(key)
        if not isinstance(pending, dict) or not all(isinstance(value, str) for value in pending.values()):
            return None
        return pending


@anonymous
class PasswordResetView(CognitoFormView):
    """Step one: a username; ForgotPassword; on to the confirm page."""

    form_class = PasswordResetRequestForm
    template_name = "cognito_auth/password_reset_form.html"
    success_url = reverse_lazy("cognito_auth:password_reset_confirm")

    def get_initial(self) -> dict[str, Any]:
        return {"username": self.request.GET.get("username", "")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "invited_hint": INVITED_HINT}

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        username = form.cleaned_data["username"]
        remember(self.request, RESET_SESSION_KEY, username, form.delivery)
        signals.password_reset_requested.send(
            sender=type(self), request=self.request, username=username, app_client=form.app_client
        )
        return super().form_valid(form)


class CodeEntryView(CognitoFormView):
    """A page that takes a code for the flow kept under ``session_key``: it says where the
    code went and offers to send a new one."""

    session_key: str
    resend_url: StrOrPromise
    completed_signal: Signal  # sent once the code was accepted

    def get_form_kwargs(self) -> dict[str, Any]:
        pending = self.pending(self.session_key) or {}
        return {**super().get_form_kwargs(), "username": pending.get("username") or None}

    def form_valid(self, form: Any) -> HttpResponse:
        self.request.session.pop(self.session_key, None)
        self.completed_signal.send(
            sender=type(self), request=self.request, username=form.account_username, app_client=form.app_client
        )
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        pending = self.pending(self.session_key)
        return {
            **super().get_context_data(**kwargs),
            "code_sent_message": delivery_message(CodeDelivery.from_stored(pending)) if pending else "",
            "pending_username": (pending or {}).get("username", ""),
            "resend_url": self.resend_url,
        }


@anonymous
class PasswordResetConfirmView(CodeEntryView):
    """Step two: code and new password; ConfirmForgotPassword; then the complete page."""

    form_class = PasswordResetConfirmForm
    template_name = "cognito_auth/password_reset_confirm.html"
    success_url = reverse_lazy("cognito_auth:password_reset_complete")
    session_key = RESET_SESSION_KEY
    resend_url = reverse_lazy("cognito_auth:password_reset_resend")
    completed_signal = signals.password_reset_completed

    def form_valid(self, form: PasswordResetConfirmForm) -> HttpResponse:
        if form.app_client is not None and form.account_username:  # both, once Cognito accepted the code
            end_sessions_after_reset(
                form.app_client, form.account_username, form.cleaned_data["new_password1"], self.request,
            )
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "invited_hint": INVITED_HINT}


@anonymous
class PasswordResetCompleteView(TemplateView):
    template_name = "cognito_auth/password_reset_complete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "done_message": PASSWORD_RESET_DONE}


@anonymous
class ResendCodeView(CognitoFormView):
    """POST only: ask Cognito for a new code, then back to the confirm page with a note.

    Cognito itself limits how often codes are sent; its LimitExceededException becomes
    the "too many attempts" message.
    """

    http_method_names = ["post"]
    form_class = ResendCodeForm
    session_key = RESET_SESSION_KEY
    code_request = FORGOT_PASSWORD
    success_url = reverse_lazy("cognito_auth:password_reset_confirm")

    def get_form_kwargs(self) -> dict[str, Any]:
        pending = self.pending(self.session_key) or {}
        return {**super().get_form_kwargs(), "username": pending.get("username") or None,
                "code_request": self.code_request}

    requested_signal: Signal | None = signals.password_reset_requested

    def form_valid(self, form: ResendCodeForm) -> HttpResponse:
        remember(self.request, self.session_key, form.account_username or "", form.delivery)
        if self.requested_signal is not None:
            self.requested_signal.send(
                sender=type(self), request=self.request, username=form.account_username, app_client=form.app_client
            )
        messages.success(self.request, NEW_CODE_SENT)
        return super().form_valid(form)

    def form_invalid(self, form: ResendCodeForm) -> HttpResponse:
        for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
            messages.error(self.request, error)  # type: ignore[arg-type]  # stubs: ErrorList items read as messages
        return HttpResponseRedirect(self.get_success_url())


class SignUpResendView(ResendCodeView):
    session_key = SIGN_UP_SESSION_KEY
    code_request = RESEND_CONFIRMATION_CODE
    success_url = reverse_lazy("cognito_auth:signup_confirm")
    requested_signal = None


# CSRF and the rest come before login_required and before any token renewal: a forged
# POST must not make Cognito calls, write the session or sign anyone out.
@method_decorator([*protected, login_required], name="dispatch")
class PasswordChangeView(CognitoFormView):
    """ChangePassword with the session's access token, renewed first when it expired.

    A person signed in through another backend (a Django-only account) gets Django's own
    password change instead.
    """

    form_class = CognitoPasswordChangeForm
    template_name = "cognito_auth/password_change_form.html"
    success_url = reverse_lazy("cognito_auth:password_change_done")

    tokens: sessions.SessionTokens  # the session's, from dispatch on

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        tokens = sessions.load(request.session)
        if tokens is None:
            if request.user.is_authenticated and request.user.has_usable_password():  # login_required: signed in
                return auth_views.PasswordChangeView.as_view(
                    form_class=AriaInvalidPasswordChangeForm, template_name=self.template_name,
                    success_url=self.success_url,
                )(request, *args, **kwargs)
            return self.sign_in_again()
        self.tokens = tokens
        if request.method == "POST":
            try:
                self.tokens = sessions.renewed_if_stale(request, self.tokens)
            except sessions.SignInAgain:
                return self.sign_in_again()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["app_client"] = sessions.app_client_of(self.tokens)
        return {**kwargs, "access_token": self.tokens.access_token}

    def form_valid(self, form: CognitoPasswordChangeForm) -> HttpResponse:
        user = self.request.user
        if user.is_authenticated:  # always, under login_required
            end_sessions(user)
            update_session_auth_hash(self.request, user)  # ...but not this one
        return super().form_valid(form)

    def form_invalid(self, form: CognitoPasswordChangeForm) -> HttpResponse:
        if form.token_rejected:
            return self.sign_in_again()
        return super().form_invalid(form)

    def sign_in_again(self) -> HttpResponse:
        return sessions.sign_in_again(self.request)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "cognito_auth/password_change_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "continue_url": resolve_url(settings.LOGIN_REDIRECT_URL)}


class SignUpEnabledMixin(View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not app_settings.SIGN_UP_ENABLED:
            raise Http404("Sign-up is not enabled (COGNITO_AUTH_SIGN_UP_ENABLED).")
        return super().dispatch(request, *args, **kwargs)


@anonymous
class SignUpView(SignUpEnabledMixin, CognitoFormView):
    form_class = SignUpForm
    template_name = "cognito_auth/signup_form.html"

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        username = form.cleaned_data["username"]
        if not form.name_taken:  # a taken name goes on exactly as a new one, minus the account
            confirmed = form.result is not None and form.result.user_confirmed
            signals.user_signed_up.send(
                sender=type(self), request=self.request, username=username, app_client=form.app_client,
                user_confirmed=confirmed,
            )
            if confirmed:  # a pre-sign-up Lambda may confirm at once
                messages.success(self.request, SIGN_UP_CONFIRMED)
                return HttpResponseRedirect(reverse("cognito_auth:login"))
        remember(self.request, SIGN_UP_SESSION_KEY, username, form.delivery)
        return HttpResponseRedirect(reverse("cognito_auth:signup_confirm"))


@anonymous
class SignUpConfirmView(CodeEntryView):
    """The sign-up code. Open even with sign-up off: users created elsewhere may arrive
    here from the login page, unconfirmed."""

    form_class = SignUpConfirmForm
    template_name = "cognito_auth/signup_confirm.html"
    success_url = reverse_lazy("cognito_auth:login")
    session_key = SIGN_UP_SESSION_KEY
    resend_url = reverse_lazy("cognito_auth:signup_resend")
    completed_signal = signals.sign_up_confirmed

    def form_valid(self, form: SignUpConfirmForm) -> HttpResponse:
        messages.success(self.request, SIGN_UP_CONFIRMED)
        medium = (self.pending(self.session_key) or {}).get("medium", "")
        response = super().form_valid(form)
        app_client = form.app_client
        if form.session and app_client is not None and app_client.auth_flow == str(AuthFlow.USER_AUTH):
            return self.sign_in(form, app_client, medium) or response
        return response

    def sign_in(self, form: SignUpConfirmForm, app_client: AppClient, medium: str) -> HttpResponse | None:
        """Sign the person just confirmed in, with ConfirmSignUp's Session through USER_AUTH
        (no second code, no password): to ``LOGIN_REDIRECT_URL``, or through any step
        Cognito asks for. The confirmation code counts as the first factor, named as
        PREFERRED_CHALLENGE by where it went (EMAIL_OTP, SMS_OTP). None (the login page,
        as before) when Cognito refuses."""
        preferred = {"EMAIL": "EMAIL_OTP", "SMS": "SMS_OTP"}.get(medium)
        try:
            result = get_cognito_client(app_client, self.request).initiate_user_auth(
                form.account_username or "", preferred, session=form.session,
            )
        except CognitoError:  # logged by the client where the operator must act
            return None
        return steps.begin(self.request, result, app_client, form.account_username or "", "")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "already_confirmed_hint": ALREADY_CONFIRMED_HINT}
