"""Form errors: Cognito's refusals as a form's errors, and a field with errors saying so
to assistive technology on every supported Django.

Django 5.0 renders ``aria-invalid="true"`` on the widget of a field that has errors
(``BoundField.build_widget_attrs``); Django 4.2 does not. The app's forms take
`AriaInvalidMixin` so that their pages are the same on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import django
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

from .exceptions import CognitoError

# Cognito's prefix before the policy rule that failed; the rule alone reads better.
POLICY_PREFIX = "Password did not conform with policy:"


def reason_for(exc: CognitoError, reasons: tuple[tuple[type[CognitoError], str], ...]) -> str:
    """The reason of the first ``(error class, reason)`` pair ``exc`` is an instance of;
    "unavailable" when none is."""
    return next((reason for kind, reason in reasons if isinstance(exc, kind)), "unavailable")


class RefusalForm(Protocol):
    """What ``add_refusal`` needs of a form: reason -> text, reason -> field, add_error."""

    @property
    def error_messages(self) -> Mapping[str, Any]: ...

    @property
    def error_fields(self) -> Mapping[str, str | None]: ...

    def add_error(self, field: str | None, error: ValidationError) -> None: ...


def add_refusal(form: RefusalForm, reason: str, exc: CognitoError | None = None) -> None:
    """Add ``form.error_messages[reason]`` as an error of ``form.error_fields.get(reason)``
    (None: the whole form), code ``reason``. With ``exc``, the text's ``%(policy)s`` and
    ``%(detail)s`` become Cognito's own words (redacted and bounded by the client), the
    policy prefix cut."""
    message = form.error_messages[reason]
    if exc is not None:
        detail = exc.cognito_message.removeprefix(POLICY_PREFIX).strip().rstrip(".") + "."
        message = message % {"policy": detail, "detail": detail}
    form.add_error(form.error_fields.get(reason), ValidationError(message, code=reason))

# From this release on, Django marks invalid fields itself.
DJANGO_MARKS_INVALID = django.VERSION >= (5, 0)


class AriaInvalidBoundField(BoundField):
    """Django 4.2's BoundField plus 5.0's ``aria-invalid`` on a visible field with errors."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if not (widget or self.field.widget).is_hidden and self.errors:
            attrs["aria-invalid"] = "true"
        return attrs


class AriaInvalidMixin:
    """For a form class: its bound fields mark themselves invalid on Django 4.2 as on 5.0+.

    The one place ``aria-invalid`` is set on 4.2, for ``{{ form }}`` and the
    ``cognito_auth_forms`` tags alike; a form of your own drawn on the app's pages on 4.2
    takes it too."""

    fields: dict[str, forms.Field]
    _bound_fields_cache: dict[str, BoundField]

    def __getitem__(self, name: str) -> BoundField:
        bound = super().__getitem__(name)  # type: ignore[misc]
        if DJANGO_MARKS_INVALID or type(bound) is not BoundField:
            return bound  # Django's own, or a field's BoundField of its own: leave it
        upgraded = AriaInvalidBoundField(bound.form, bound.field, bound.name)
        self._bound_fields_cache[name] = upgraded
        return upgraded


class AriaInvalidPasswordChangeForm(AriaInvalidMixin, auth_forms.PasswordChangeForm):
    """Django's password change form (a Django-only account's page), marked as ours are."""
