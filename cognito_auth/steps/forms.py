"""One form per sign-in step. Like the other forms, each makes its Cognito call in
``clean()`` once its fields are valid, and Cognito's refusal becomes a form error on the
right field; ``result`` holds Cognito's answer (tokens or the next challenge)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from ..client import AuthResult, get_cognito_client
from ..exceptions import (
    CodeMismatch,
    CognitoError,
    ExpiredCode,
    InvalidCredentials,
    InvalidPassword,
    InvalidRequest,
    OutcomeUnknown,
    PasskeyChallengeEnded,
    PasskeyRefused,
    RateLimited,
)
from ..form_errors import AriaInvalidMixin, add_refusal, reason_for
from ..forms import code_field, password_field
from ..messages import (
    ATTRIBUTE_HELP,
    ATTRIBUTE_LABELS,
    CHOOSE_PASSWORD_REQUIRED,
    FIRST_FACTOR_LABELS,
    MFA_CHOICE_LABELS,
    PASSKEY_SIGN_IN_FAILURES,
    PASSWORD_MISMATCH,
    STEP_FAILURES,
)
from ..passkeys.webauthn import MAX_CREDENTIAL_CHARS, ResponseProblem, assertion_response, expected_origin
from ..validators import PASSWORD_MAX_LENGTH
from . import machine

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

    from ..models import AppClient

# The key each code challenge's answer goes under (ChallengeResponseType).
CODE_KEYS = {
    machine.SMS_MFA: "SMS_MFA_CODE",
    machine.SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
    machine.EMAIL_OTP: "EMAIL_OTP_CODE",
    machine.SMS_OTP: "SMS_OTP_CODE",
}
# SELECT_MFA_TYPE's ANSWER as ChallengeResponseType documents it: email MFA is EMAIL_MFA there.
CHOICE_ANSWERS = {machine.EMAIL_OTP: "EMAIL_MFA"}
# Cognito's limit on an attribute's value (AttributeType: Value, 2048 characters).
ATTRIBUTE_MAX_LENGTH = 2048


class StepForm(AriaInvalidMixin, forms.Form):
    """A step's form: the step's one-time id (a POST without the current one is stale),
    and the answer to Cognito.

    After ``is_valid()``: ``result`` is Cognito's answer, or None; ``step_over`` is True
    when the step cannot go on (stale POST, Cognito's session expired or used up).
    """

    error_messages = STEP_FAILURES
    error_fields: dict[str, str | None] = {}
    error_reasons: tuple[tuple[type[CognitoError], str], ...] = (
        (OutcomeUnknown, "outcome_unknown"),
        (CodeMismatch, "code_mismatch"),
        (ExpiredCode, "expired_code"),
        (InvalidPassword, "invalid_password"),
        (RateLimited, "rate_limited"),
        (InvalidRequest, "invalid_details"),
    )

    step = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self, *args: Any, sign_in_step: machine.SignInStep, request: HttpRequest, app_client: AppClient,
        **kwargs: Any,
    ) -> None:
        kwargs["initial"] = {**(kwargs.get("initial") or {}), "step": sign_in_step.step_id}
        super().__init__(*args, **kwargs)
        self.sign_in_step = sign_in_step
        self.request = request
        self.app_client = app_client
        self.result: AuthResult | None = None
        self.step_over = False

    @property
    def cognito(self) -> Any:
        return get_cognito_client(self.app_client, self.request)

    def clean(self) -> dict[str, Any]:
        if not constant_time_compare(self.cleaned_data.get("step") or "", self.sign_in_step.step_id):
            self.step_over = True
            raise ValidationError("stale step", code="stale")
        if not self.errors:
            self.answer()
        return self.cleaned_data

    def answer(self) -> None:
        """Answer the challenge with the form's data (``respond``)."""
        raise NotImplementedError

    def respond(self, responses: dict[str, str], secret_answers: tuple[str, ...] = ()) -> None:
        """RespondToAuthChallenge for this step, hashed over the internal username."""
        step = self.sign_in_step
        self.call(
            lambda: self.cognito.respond_to_auth_challenge(
                step.challenge_name, step.session, step.internal_username, responses, secret_answers=secret_answers,
            )
        )

    def call(self, send: Callable[[], Any]) -> Any:
        """``send()``; its answer, or None after turning Cognito's refusal into a form
        error (or, for a session Cognito no longer accepts, ``step_over``)."""
        try:
            answer = send()
        except InvalidCredentials:
            # NotAuthorizedException: the session expired or was used, the user was disabled.
            self.step_over = True
            self.add_error(None, ValidationError("step refused", code="step_over"))
            return None
        except CognitoError as exc:
            add_refusal(self, self.reason_for(exc), exc)
            return None
        if isinstance(answer, AuthResult):
            self.result = answer
        return answer

    def reason_for(self, exc: CognitoError) -> str:
        return reason_for(exc, self.error_reasons)


class NewPasswordForm(StepForm):
    """NEW_PASSWORD_REQUIRED: a new password, and each attribute the pool requires that
    the user lacks, in a field named as the attribute (``given_name``...)."""

    error_fields = {"invalid_password": "new_password1"}

    new_password1 = password_field(_("New password"))
    new_password2 = password_field(_("New password again"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.sign_in_step.required_attributes:
            if name in self.fields:  # an attribute named like a field of ours: never replace it
                continue
            self.fields[name] = attribute_field(name)

    def clean(self) -> dict[str, Any]:
        one, two = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", ValidationError(PASSWORD_MISMATCH, code="password_mismatch"))
        return super().clean()

    def answer(self) -> None:
        password = self.cleaned_data["new_password1"]
        responses = {"NEW_PASSWORD": password}
        for name in self.sign_in_step.required_attributes:
            if name in self.cleaned_data and name not in ("new_password1", "new_password2", "step"):
                responses[machine.USER_ATTRIBUTE_PREFIX + name] = self.cleaned_data[name]
        self.respond(responses, secret_answers=(password,))


def attribute_field(name: str) -> forms.Field:
    """The field for a required attribute: a label a person reads, the browser's
    autocomplete hint, and Cognito's length limit; Cognito judges the value itself."""
    label = ATTRIBUTE_LABELS.get(name, name.removeprefix("custom:").replace("_", " ").capitalize())
    autocomplete = {
        "given_name": "given-name", "family_name": "family-name", "name": "name", "email": "email",
        "phone_number": "tel", "birthdate": "bday", "nickname": "nickname", "address": "street-address",
    }.get(name, "off")
    widget_class = forms.EmailInput if name == "email" else forms.TextInput
    return forms.CharField(
        label=label, max_length=ATTRIBUTE_MAX_LENGTH, help_text=ATTRIBUTE_HELP.get(name, ""),
        widget=widget_class(attrs={"autocomplete": autocomplete}),
    )


class CodeForm(StepForm):
    """SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_OTP: the code."""

    error_fields = {"code_mismatch": "code", "expired_code": "code"}

    code = code_field()

    def answer(self) -> None:
        code = self.cleaned_data["code"]
        self.respond({CODE_KEYS[self.sign_in_step.challenge_name]: code}, secret_answers=(code,))


class ChooseForm(StepForm):
    """SELECT_MFA_TYPE: one of the factors Cognito offered; any other value is a form error."""

    choice = forms.ChoiceField(label=_("How do you want to get your sign-in code?"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["choice"]).choices = [
            (name, MFA_CHOICE_LABELS[name]) for name in self.sign_in_step.choices if name in MFA_CHOICE_LABELS
        ]

    def answer(self) -> None:
        choice = self.cleaned_data["choice"]
        self.respond({"ANSWER": CHOICE_ANSWERS.get(choice, choice)})


class ChooseFirstFactorForm(StepForm):
    """SELECT_CHALLENGE (choice-based sign-in): one of the first factors Cognito offered
    and the app client offers; any other value is a form error. Choosing the password
    asks for it (the ``password`` field, required then): PASSWORD sends it, PASSWORD_SRP
    proves it (``CognitoClient.select_challenge``)."""

    error_fields = {"invalid_password": "password"}

    choice = forms.ChoiceField(label=_("How do you want to sign in?"), widget=forms.RadioSelect)
    password = forms.CharField(
        label=_("Password"), required=False, strip=False, max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["choice"]).choices = [
            (name, FIRST_FACTOR_LABELS[name]) for name in self.sign_in_step.choices if name in FIRST_FACTOR_LABELS
        ]
        if not {machine.PASSWORD, machine.PASSWORD_SRP} & set(self.sign_in_step.choices):
            del self.fields["password"]

    def clean(self) -> dict[str, Any]:
        choice = self.cleaned_data.get("choice")
        if choice in (machine.PASSWORD, machine.PASSWORD_SRP) and not self.cleaned_data.get("password"):
            self.add_error("password", ValidationError(CHOOSE_PASSWORD_REQUIRED, code="required"))
        return super().clean()

    def answer(self) -> None:
        step = self.sign_in_step
        choice = self.cleaned_data["choice"]
        by_password = choice in (machine.PASSWORD, machine.PASSWORD_SRP)
        password = (self.cleaned_data.get("password") or "") if by_password else ""
        self.call(lambda: self.cognito.select_challenge(step.session, step.internal_username, choice, password))


# webauthn.ResponseProblem's reasons -> PASSKEY_SIGN_IN_FAILURES' keys, where they differ.
SITE_REFUSALS = {"challenge_ended": "wrong_challenge", "refused": "wrong_origin"}


class PasskeyForm(StepForm):
    """WEB_AUTHN: the AuthenticationResponseJSON the page's script puts in ``credential``,
    checked here for its shape, this step's challenge and this site's origin
    (``webauthn.assertion_response``), then sent as CREDENTIAL; Cognito checks the
    signature, the RP ID and the sign counter.

    A problem found here leaves the step open (the person may try again); Cognito's
    refusal ends it, since it answers a challenge once: ``step_over`` with ``refused``.
    """

    credential = forms.CharField(widget=forms.HiddenInput, max_length=MAX_CREDENTIAL_CHARS, strip=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused = False

    def clean_credential(self) -> str:
        text = self.cleaned_data["credential"]
        try:
            options = json.loads(self.sign_in_step.credential_request_options)
            challenge = str(options["challenge"])
        except (ValueError, TypeError, KeyError):  # Cognito sent no usable options
            raise ValidationError(PASSKEY_SIGN_IN_FAILURES["malformed"], code="malformed") from None
        try:
            assertion_response(text, challenge=challenge, origin=expected_origin(self.request))
        except ResponseProblem as problem:
            reason = SITE_REFUSALS.get(problem.reason, problem.reason)
            raise ValidationError(PASSKEY_SIGN_IN_FAILURES[reason], code=reason) from None
        return text

    def answer(self) -> None:
        step = self.sign_in_step
        text = self.cleaned_data["credential"]

        def send() -> AuthResult | None:
            try:
                return self.cognito.respond_to_auth_challenge(
                    machine.WEB_AUTHN, step.session, step.internal_username, {"CREDENTIAL": text},
                )
            except (InvalidCredentials, PasskeyRefused, PasskeyChallengeEnded):
                # NotAuthorizedException (another user's passkey, a replay, a bad
                # signature), another origin or RP ID: Cognito used the challenge up.
                self.refused = True
                return None

        self.call(send)
        if self.refused:
            self.step_over = True
            self.add_error(None, ValidationError(PASSKEY_SIGN_IN_FAILURES["refused"], code="refused"))


class TotpSetupForm(StepForm):
    """MFA_SETUP: the first code of the authenticator just associated. VerifySoftwareToken,
    then RespondToAuthChallenge MFA_SETUP; the step remembers a verified set-up, so a retry
    after Cognito failed in between only answers the challenge."""

    error_fields = {"code_mismatch": "code", "expired_code": "code"}

    code = code_field()

    def answer(self) -> None:
        step = self.sign_in_step
        if step.totp_stage == "":  # AssociateSoftwareToken failed when the page was shown
            add_refusal(self, "unavailable")
            return
        if step.totp_stage == "associated":
            code = self.cleaned_data["code"]
            session = self.call(lambda: self.cognito.verify_software_token(step.session, code))
            if session is None:
                return
            # The authenticator holds the secret now; the site no longer needs it.
            step.session, step.totp_stage, step.totp_secret = session, "verified", ""
        self.respond({})

