"""Every page form marks a field with errors ``aria-invalid="true"``, on Django 4.2 too
(Django does it itself from 5.0)."""

from __future__ import annotations

import pytest
from django import forms

from cognito_auth.forms import CognitoAuthenticationForm, CognitoForm, code_field
from cognito_auth.steps.forms import StepForm


@pytest.mark.parametrize("base", [CognitoForm, StepForm, CognitoAuthenticationForm])
def test_a_field_with_errors_is_marked_invalid_and_the_others_are_not(base):
    class Form(base):  # the base's own fields and Cognito calls play no part here
        code = code_field()
        other = forms.CharField(required=False)
        hidden = forms.CharField(widget=forms.HiddenInput, required=False)

        def __init__(self, data):
            forms.Form.__init__(self, data)

        def clean(self):
            self.add_error("hidden", "refused")
            return self.cleaned_data

    form = Form({"code": "", "other": "fine"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["code"])
    assert "aria-invalid" not in str(form["other"])
    assert "aria-invalid" not in str(form["hidden"])  # Django marks no hidden input
