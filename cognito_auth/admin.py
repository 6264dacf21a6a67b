"""App clients in the admin. A stored secret is never rendered, not even as dots."""

from __future__ import annotations

import django
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .encryption import UndecryptableSecret
from .models import AppClient, CognitoIdentity


class AppClientForm(forms.ModelForm):
    new_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        max_length=256,
        # render_value=False: the page never carries the secret back to the browser.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave blank to keep the current secret. Stored encrypted; never shown."),
    )
    endpoint_url = forms.URLField(
        label=_("Endpoint URL"),
        required=False,
        help_text=_("Blank for AWS. Set for a VPC endpoint or a local emulator."),
        # Django 5 asks which scheme a bare host name gets; an endpoint is https.
        **({"assume_scheme": "https"} if django.VERSION >= (5, 0) else {}),
    )
    clear_client_secret = forms.BooleanField(
        label=_("Remove the client secret"),
        required=False,
        help_text=_("For an app client that has no secret in Cognito."),
    )

    class Meta:
        model = AppClient
        fields = ["name", "region", "user_pool_id", "client_id", "endpoint_url", "is_default", "hosts"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("new_client_secret") and cleaned.get("clear_client_secret"):
            raise forms.ValidationError(_("Either enter a new secret or remove it, not both."))
        return cleaned

    def save(self, commit: bool = True) -> AppClient:
        if self.cleaned_data.get("clear_client_secret"):
            self.instance.client_secret = ""
        elif self.cleaned_data.get("new_client_secret"):
            self.instance.client_secret = self.cleaned_data["new_client_secret"]
        return super().save(commit)


@admin.register(AppClient)
class AppClientAdmin(admin.ModelAdmin):
    form = AppClientForm
    list_display = [
        "name", "region", "user_pool_id", "client_id", "secret_status", "is_default", "hosts", "endpoint_url",
    ]
    list_filter = ["region", "is_default"]
    search_fields = ["name", "client_id", "user_pool_id", "hosts"]
    readonly_fields = ["secret_status", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "region", "user_pool_id", "client_id"]}),
        (_("Client secret"), {"fields": ["secret_status", "new_client_secret", "clear_client_secret"]}),
        (_("Serving"), {"fields": ["is_default", "hosts", "endpoint_url", "updated_at"]}),
    ]

    @admin.display(description=_("secret"))
    def secret_status(self, obj: AppClient) -> str:
        if not obj.has_secret:
            return _("No secret")
        try:
            obj.client_secret  # noqa: B018 - decrypting is the check
        except UndecryptableSecret:
            return _("Set, but unreadable with the current SECRET_KEY: enter it again")
        return _("Set")


@admin.register(CognitoIdentity)
class CognitoIdentityAdmin(admin.ModelAdmin):
    list_display = ["cognito_username", "user", "user_pool_id", "sub", "created_at"]
    search_fields = ["cognito_username", "sub", "user__username", "user__email"]
    list_filter = ["user_pool_id"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
