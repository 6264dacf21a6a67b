"""Forms of the Passkeys page: the browser's registration response, and a passkey to remove."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ..messages import PASSKEY_FAILURES
from .webauthn import MAX_CREDENTIAL_CHARS, ResponseProblem, registration_response

# A credential id is base64url of at most 1023 bytes (WebAuthn Level 3, 5.4.3 / CTAP 2.1).
CREDENTIAL_ID = re.compile(r"[A-Za-z0-9_-]{1,1364}")


class PasskeyRegistrationForm(forms.Form):
    """The RegistrationResponseJSON the page's script puts in ``credential``, checked
    against the registration this session started (see webauthn.registration_response)."""

    credential = forms.CharField(widget=forms.HiddenInput, max_length=MAX_CREDENTIAL_CHARS, strip=False)

    def __init__(self, *args: Any, challenge: str = "", origin: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        self.origin = origin

    def clean_credential(self) -> dict[str, Any]:
        if not self.challenge:  # no registration open in this session (expired, done)
            raise ValidationError(PASSKEY_FAILURES["challenge_ended"], code="challenge_ended")
        try:
            return registration_response(self.cleaned_data["credential"], challenge=self.challenge, origin=self.origin)
        except ResponseProblem as problem:
            raise ValidationError(PASSKEY_FAILURES[problem.reason], code=problem.reason) from None


class PasskeyDeleteForm(forms.Form):
    credential_id = forms.CharField(max_length=1364)

    def clean_credential_id(self) -> str:
        value = self.cleaned_data["credential_id"]
        if not CREDENTIAL_ID.fullmatch(value):
            raise ValidationError(PASSKEY_FAILURES["not_found"], code="not_found")
        return value
