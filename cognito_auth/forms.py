"""Django forms that turn Cognito's answers into messages a person understands."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .backends import FAILURE_ATTRIBUTE
from .messages import LOGIN_FAILURES
from .validators import PASSWORD_MAX_LENGTH, validate_cognito_username


class CognitoAuthenticationForm(AuthenticationForm):
    """Django's login form, with Cognito's reasons for a refusal as messages.

    Wrong password, unknown user and disabled user all get Django's one ``invalid_login``
    message, so the form reveals nothing about which accounts exist.
    """

    failure_messages = LOGIN_FAILURES

    password = forms.CharField(
        label=AuthenticationForm.base_fields["password"].label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].validators.append(validate_cognito_username)

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_login_failure_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def get_login_failure_error(self) -> ValidationError:
        """Cognito's reason when the backend left one, else Django's invalid_login."""
        reason = getattr(self.request, FAILURE_ATTRIBUTE, None)
        if reason in self.failure_messages:
            return ValidationError(self.failure_messages[reason], code=reason)
        return self.get_invalid_login_error()
