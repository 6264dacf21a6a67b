"""Django forms that turn Cognito's answers into messages a person understands.

Like Django's ``AuthenticationForm``, each form makes its Cognito call in ``clean()``, once
its fields are valid: the call is both the last check and the action, and its refusal
becomes a form error on the right field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from . import shared_cache
from .backends import FAILURE_ATTRIBUTE, username_taken
from .client import CognitoClient, get_cognito_client
from .exceptions import (
    AlreadyConfirmed,
    CodeMismatch,
    CognitoError,
    ExpiredCode,
    InvalidCredentials,
    InvalidPassword,
    InvalidRequest,
    NoVerifiedContact,
    OutcomeUnknown,
    PasswordResetRequired,
    RateLimited,
    ResetNotAllowed,
    TokenRejected,
    UserDisabled,
    UsernameExists,
    UserNotConfirmed,
    UserNotFound,
)
from .form_errors import AriaInvalidMixin, add_refusal, reason_for
from .log_values import MESSAGE_LIMIT, loggable
from .messages import ACCOUNT_FAILURES, LOGIN_FAILURES, OUTCOME_UNKNOWN, PASSWORD_MISMATCH
from .models import AppClient
from .results import CodeDelivery, SignUpResult
from .steps.machine import cognito_backend
from .validators import (
    CODE_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    validate_code,
    validate_cognito_username,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger("cognito_auth")
T = TypeVar("T")

# Refusals that depend on the account a name belongs to: none, unconfirmed, disabled,
# invited and never signed in, without a verified contact, already confirmed. The code
# pages, open to anyone, answer them all as they answer an unknown name, so nobody can
# probe which accounts exist; the operator's log says what it was, once per cause.
# Throttling, outages and configuration errors do not depend on the account: shown as
# they are.
ACCOUNT_REFUSALS: tuple[type[CognitoError], ...] = (
    InvalidCredentials,  # unknown (LEGACY pools), disabled, invited (ResetNotAllowed)
    UserNotConfirmed,
    PasswordResetRequired,
    NoVerifiedContact,
    AlreadyConfirmed,
    InvalidRequest,  # "no registered/verified email", "auto verification not turned on"
    CodeMismatch,
    ExpiredCode,
)


class CognitoAuthenticationForm(AriaInvalidMixin, AuthenticationForm):
    """Django's login form, with Cognito's reasons for a refusal as messages.

    Wrong password, unknown user and disabled user all get Django's one ``invalid_login``
    message, so the form reveals nothing about which accounts exist.
    """

    failure_messages = LOGIN_FAILURES

    # A plain CharField, not Django's UsernameField: that one applies NFKC, and Cognito
    # must get (and the SECRET_HASH cover) the name exactly as typed, as on every other page.
    username = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))

    password = forms.CharField(
        label=AuthenticationForm.base_fields["password"].label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    # Choice-based sign-in (USER_AUTH): the buttons that ask for a one-time code instead of
    # a password ("Email me a sign-in code") post it as ``method``; a button, not a field.
    code_methods = ("EMAIL_OTP", "SMS_OTP")
    # Every method posted as ``method``: the codes, and "Sign in with a passkey" (WEB_AUTHN),
    # whose challenge page runs the browser's passkey prompt.
    challenge_methods = (*code_methods, "WEB_AUTHN")

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        app_client = AppClient.objects.for_request(request)
        #: What the login page offers: ``SignInMethod`` values of the app client serving it.
        self.sign_in_methods = app_client.offered_sign_in_methods if app_client is not None else ["PASSWORD"]
        self.method = str(self.data.get("method") or "") if self.is_bound else ""
        if self.method or not {"PASSWORD", "PASSWORD_SRP"} & set(self.sign_in_methods):
            # A code is asked for, or the site has no password: none goes with it.
            self.fields["password"].required = False
        if not {"PASSWORD", "PASSWORD_SRP"} & set(self.sign_in_methods):
            self.fields["password"].widget = forms.HiddenInput()
        # Django sizes the field after the user model's USERNAME_FIELD, with no validator;
        # Cognito's limit is the one that counts, checked before any call.
        username = cast(forms.CharField, self.fields["username"])  # declared above
        username.max_length = USERNAME_MAX_LENGTH
        username.widget.attrs["maxlength"] = USERNAME_MAX_LENGTH
        username.validators += [MaxLengthValidator(USERNAME_MAX_LENGTH), validate_cognito_username]

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if self.method and (self.method not in self.challenge_methods or self.method not in self.sign_in_methods):
            raise ValidationError(self.failure_messages["method_not_offered"], code="method_not_offered")
        if username is not None and self.method and not self.errors:
            self.request_sign_in_code(username, self.method)
        elif username is not None and not password and self.fields["password"].required is False:
            raise ValidationError(self.failure_messages["password_not_offered"], code="password_not_offered")
        elif username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_login_failure_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def request_sign_in_code(self, username: str, method: str) -> None:
        """Ask Cognito for a one-time code (``CognitoBackend.request_sign_in_code``). No one is
        signed in yet: the error this raises carries Cognito's next step ("challenge", which
        the login view follows to the code page) or the reason it refused.

        :raises ValidationError: always.
        """
        _path, backend = cognito_backend()
        backend.request_sign_in_code(self.request, username, method)
        raise self.get_login_failure_error()

    def get_login_failure_error(self) -> ValidationError:
        """Cognito's reason when the backend left one with a message of its own, else
        Django's invalid_login (unknown names, wrong passwords, unconfirmed, disabled,
        conflicting accounts: all alike)."""
        reason = getattr(self.request, FAILURE_ATTRIBUTE, None)
        if reason in self.failure_messages:
            return ValidationError(self.failure_messages[reason], code=reason)
        return self.get_invalid_login_error()


def username_field() -> forms.CharField:
    return forms.CharField(
        label=_("Username"),
        max_length=USERNAME_MAX_LENGTH,
        validators=[validate_cognito_username],
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


def password_field(label: StrOrPromise, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_LENGTH,
        validators=[validate_code],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CognitoForm(AriaInvalidMixin, forms.Form):
    """A form whose ``clean()`` ends in one Cognito call for ``app_client``.

    ``error_messages`` maps a reason to its text; ``error_fields`` says which field a
    reason belongs to (None: the whole form).
    """

    error_messages = ACCOUNT_FAILURES
    error_fields: dict[str, str | None] = {}
    # The client call the form makes (CognitoClient's method name), for the operator's log.
    operation = ""
    # Refusals answered with ``hidden_reason``'s message whatever they were (see
    # ACCOUNT_REFUSALS), after a line in the operator's log.
    hidden_refusals: tuple[type[CognitoError], ...] = ()
    hidden_reason = "code_refused"
    # Checked in order: the first class that matches gives the reason.
    error_reasons: tuple[tuple[type[CognitoError], str], ...] = (
        # The call may have done its work: never a refusal's text (see OUTCOME_UNKNOWN).
        (OutcomeUnknown, "outcome_unknown"),
        (CodeMismatch, "code_mismatch"),
        (ExpiredCode, "expired_code"),
        (InvalidPassword, "invalid_password"),
        (RateLimited, "rate_limited"),
        (NoVerifiedContact, "no_verified_contact"),
        (UserDisabled, "user_disabled"),
        (UsernameExists, "username_exists"),
        (AlreadyConfirmed, "already_confirmed"),
        (InvalidRequest, "invalid_details"),
    )

    def __init__(self, *args: Any, request=None, app_client: AppClient | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.app_client = app_client

    @property
    def cognito(self) -> CognitoClient:
        """:raises ValueError: no app client serves this form (``call_cognito`` checks first)."""
        if self.app_client is None:
            raise ValueError("No app client serves this form.")
        return get_cognito_client(self.app_client, self.request)

    def call_cognito(
        self, send: Callable[[CognitoClient], T], reraise: tuple[type[CognitoError], ...] = ()
    ) -> T | None:
        """``send(client)`` with the form's Cognito client, and its answer. A refusal becomes
        a form error on the right field and None is returned, except ``reraise`` ones, left
        to the caller.

        :raises CognitoError: only the ``reraise`` classes.
        """
        if self.app_client is None:
            add_refusal(self, "unavailable")
            return None
        try:
            return send(self.cognito)
        except reraise:
            raise
        except self.hidden_refusals as exc:
            note_hidden_refusal(self.app_client, self.operation, exc)
            add_refusal(self, self.hidden_reason)
            return None
        except CognitoError as exc:
            add_refusal(self, self.reason_for(exc), exc)
            return None

    def reason_for(self, exc: CognitoError) -> str:
        return reason_for(exc, self.error_reasons)

    def passwords_match(self, first: str, second: str) -> None:
        one, two = self.cleaned_data.get(first), self.cleaned_data.get(second)
        if one and two and one != two:
            self.add_error(second, ValidationError(PASSWORD_MISMATCH, code="password_mismatch"))


class KnownUsernameMixin:
    """The username is a field only when the view does not know it from an earlier step
    (say, a person who arrives with a code from another device)."""

    # The form class it is mixed into provides them.
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_username = username
        if username:
            del self.fields["username"]

    @property
    def account_username(self) -> str | None:
        return self.known_username or self.cleaned_data.get("username")


def with_outcome_unknown(operation: str) -> dict[str, Any]:
    """``ACCOUNT_FAILURES`` with the unknown-outcome text of ``operation``'s page."""
    return {**ACCOUNT_FAILURES, "outcome_unknown": OUTCOME_UNKNOWN[operation]}


class PasswordResetRequestForm(CognitoForm):
    """Step one: ask Cognito to send a code (ForgotPassword)."""

    error_messages = with_outcome_unknown("forgot_password")
    operation = "forgot_password"

    username = username_field()

    def clean(self) -> dict[str, Any]:
        self.delivery = CodeDelivery()
        username = self.cleaned_data.get("username")
        if username and not self.errors:
            self.delivery = request_code(self, FORGOT_PASSWORD, username)
        return self.cleaned_data


class PasswordResetConfirmForm(KnownUsernameMixin, CognitoForm):
    """Step two: the code and the new password (ConfirmForgotPassword)."""

    error_fields = {"code_refused": "code", "invalid_password": "new_password1"}
    error_messages = with_outcome_unknown("confirm_forgot_password")
    operation = "confirm_forgot_password"
    hidden_refusals = ACCOUNT_REFUSALS

    username = username_field()
    code = code_field()
    new_password1 = password_field(_("New password"))
    new_password2 = password_field(_("New password again"))

    def clean(self) -> dict:
        self.passwords_match("new_password1", "new_password2")
        username = self.account_username
        if not self.errors and username:
            code, password = self.cleaned_data["code"], self.cleaned_data["new_password1"]
            self.call_cognito(lambda cognito: cognito.confirm_forgot_password(username, code, password))
        return self.cleaned_data


class CognitoPasswordChangeForm(CognitoForm):
    """Old and new password for a signed-in person (ChangePassword with the access token)."""

    error_fields = {"wrong_old_password": "old_password", "invalid_password": "new_password1"}
    error_messages = with_outcome_unknown("change_password")
    operation = "change_password"

    old_password = password_field(_("Old password"), autocomplete="current-password")
    new_password1 = password_field(_("New password"))
    new_password2 = password_field(_("New password again"))

    def __init__(self, *args: Any, access_token: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_token = access_token
        self.token_rejected = False

    def clean(self) -> dict:
        self.passwords_match("new_password1", "new_password2")
        if not self.errors and not self.access_token:  # the view could not renew it
            add_refusal(self, "unavailable")
        if not self.errors:
            old, new = self.cleaned_data["old_password"], self.cleaned_data["new_password1"]
            self.call_cognito(lambda cognito: cognito.change_password(self.access_token, old, new))
        return self.cleaned_data

    def reason_for(self, exc: CognitoError) -> str:
        if isinstance(exc, TokenRejected):
            self.token_rejected = True  # the view signs the person out
            return "unavailable"
        if isinstance(exc, InvalidCredentials):
            return "wrong_old_password"
        return super().reason_for(exc)


class SignUpForm(CognitoForm):
    """A new Cognito account (SignUp); Cognito then sends a confirmation code."""

    error_fields = {"username_exists": "username", "invalid_password": "password1"}
    error_messages = with_outcome_unknown("sign_up")
    operation = "sign_up"

    username = username_field()
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = password_field(_("Password"))
    password2 = password_field(_("Password again"))

    def clean(self) -> dict:
        self.passwords_match("password1", "password2")
        self.result: SignUpResult | None = None
        self.name_taken = False
        if not self.errors and username_taken(self.cleaned_data["username"]):
            # A Django account (or a look-alike) holds the name: answered as a name Cognito
            # holds, and no Cognito account is made that would shadow the Django one. A
            # SignUp Cognito refuses unseen costs the round trip the other names cost, so
            # the page's timing does not tell that a Django user holds the name.
            logger.info("Sign-up refused for a name a Django user already holds; the page answered as for a new name.")
            self.name_taken = True
            if self.app_client is not None:
                self.cognito.decoy_sign_up(self.cleaned_data["username"], {"email": self.cleaned_data["email"]})
        elif not self.errors:
            username, password = self.cleaned_data["username"], self.cleaned_data["password1"]
            attributes = {"email": self.cleaned_data["email"]}
            try:
                self.result = self.call_cognito(
                    lambda cognito: cognito.sign_up(username, password, attributes), reraise=(UsernameExists,),
                )
            except UsernameExists as exc:
                # A taken name (or email alias) would tell who has an account: the page
                # goes on as for a new one, and no code ever comes. Logged for the operator.
                note_hidden_refusal(self.app_client, self.operation, exc)
                self.name_taken = True
        return self.cleaned_data

    @property
    def delivery(self) -> CodeDelivery:
        """Where the confirmation code went: Cognito's answer, or for a taken name the
        typed email masked as Cognito masks it."""
        if self.name_taken:
            return CodeDelivery.masked_email(self.cleaned_data["email"])
        return self.result.delivery if self.result is not None else CodeDelivery()


class SignUpConfirmForm(KnownUsernameMixin, CognitoForm):
    """The code Cognito sent after sign-up (ConfirmSignUp)."""

    error_fields = {"code_refused": "code"}
    error_messages = with_outcome_unknown("confirm_sign_up")
    operation = "confirm_sign_up"
    # "Already confirmed" too: Cognito says it whatever the code, so it would tell who
    # has an account. The page's hint says a confirmed account can sign in.
    hidden_refusals = ACCOUNT_REFUSALS

    username = username_field()
    code = code_field()

    def clean(self) -> dict:
        #: ConfirmSignUp's Session, which signs the person in at once under USER_AUTH ("" if none).
        self.session = ""
        username = self.account_username
        if not self.errors and username:
            code = self.cleaned_data["code"]
            self.session = self.call_cognito(lambda cognito: cognito.confirm_sign_up(username, code)) or ""
        return self.cleaned_data


@dataclass(frozen=True)
class CodeRequest:
    """A call that asks Cognito to send ``username`` a code: ``send(client, username)``,
    and ``operation``, its name in the page's texts (OUTCOME_UNKNOWN) and the operator's log."""

    operation: str
    send: Callable[[CognitoClient, str], CodeDelivery]


# ForgotPassword and ResendConfirmationCode: the two codes a person can ask for again.
FORGOT_PASSWORD = CodeRequest("forgot_password", lambda cognito, username: cognito.forgot_password(username))
RESEND_CONFIRMATION_CODE = CodeRequest(
    "resend_confirmation_code", lambda cognito, username: cognito.resend_confirmation_code(username)
)


class ResendCodeForm(KnownUsernameMixin, CognitoForm):
    """Ask for a new code (``code_request``: FORGOT_PASSWORD or RESEND_CONFIRMATION_CODE)."""

    username = username_field()

    def __init__(self, *args: Any, code_request: CodeRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_request = code_request
        self.operation = code_request.operation
        self.error_messages = with_outcome_unknown(code_request.operation)

    def clean(self) -> dict[str, Any]:
        self.delivery = CodeDelivery()
        if self.account_username and not self.errors:
            self.delivery = request_code(self, self.code_request, self.account_username)
        return self.cleaned_data


def request_code(form: CognitoForm, code_request: CodeRequest, username: str) -> CodeDelivery:
    """Ask Cognito to send ``username`` a code (FORGOT_PASSWORD or RESEND_CONFIRMATION_CODE).

    When Cognito refuses for a reason that depends on the account (unknown in a pool
    without PreventUserExistenceErrors, disabled, invited and never signed in, no
    verified contact, already confirmed), the answer is a pretend delivery, so the page
    reads the same for every name; the reason goes to the operator's log.

    :returns: where the code went; empty when the form got an error instead.
    """
    try:
        delivery = form.call_cognito(lambda cognito: code_request.send(cognito, username), reraise=ACCOUNT_REFUSALS)
    except ACCOUNT_REFUSALS as exc:
        if isinstance(exc, UserNotFound):
            warn_user_existence_revealed(form.app_client)
        else:
            note_hidden_refusal(form.app_client, code_request.operation, exc)
        return CodeDelivery.pretend(username)
    return delivery if isinstance(delivery, CodeDelivery) else CodeDelivery()


def note_hidden_refusal(app_client: AppClient | None, operation: str, error: CognitoError) -> None:
    """Tell the operator, once per app client, call and cause (per cache lifetime, across
    processes), what a page answered as for an unknown name. Cognito's text names the
    cause (disabled, invited, no verified contact...); it holds no secret, as the client
    redacts what it sent."""
    if app_client is None:
        return
    cause = f"{type(error).__name__}:{error.code}:{error.cognito_message}"
    digest = salted_hmac("cognito_auth.forms.hidden_refusal", cause).hexdigest()[:32]
    if shared_cache.first_time(f"cognito_auth:hidden_refusal:{app_client.pk}:{operation}:{digest}"):
        logger.info(
            "App client %r (client id %s): Cognito refused %s (%s: %s). The page answered as "
            "for an unknown name, so it tells nobody which accounts exist.%s",
            app_client.name, app_client.client_id, operation, loggable(error.code),
            loggable(error.cognito_message, MESSAGE_LIMIT),
            REFUSAL_HINTS.get(type(error), ""),
        )


REFUSAL_HINTS: dict[type[CognitoError], str] = {
    ResetNotAllowed: (
        " An invited user who never signed in (FORCE_CHANGE_PASSWORD) signs in with the temporary "
        "password and then sets one; a pool whose account recovery is admin_only lets only "
        "administrators reset passwords."
    ),
    NoVerifiedContact: (
        " The user has no verified email address or phone number, so no code can be sent: "
        "verify one (AdminUpdateUserAttributes), or reset the password as an administrator."
    ),
}


def warn_user_existence_revealed(app_client: AppClient | None) -> None:
    """Log once per app client (per cache lifetime, across processes) that its pool tells
    unknown users apart; the page hides it either way."""
    if app_client is None:
        return
    if shared_cache.first_time(f"cognito_auth:warned_user_existence:{app_client.pk}"):
        logger.warning(
            "App client %r (client id %s) reveals whether a user exists: turn on "
            "PreventUserExistenceErrors for it in Cognito (App client > Edit > Advanced "
            "security > Prevent user existence errors). This site hides it either way.",
            app_client.name, app_client.client_id,
        )
