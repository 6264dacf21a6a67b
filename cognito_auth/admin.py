"""App clients in the admin. A stored secret is never rendered, not even as dots."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_permission_codename, get_user_model
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from .admin_tools import EndpointURLField, check_connection, import_view
from .models import ENDPOINT_PERMISSION, TRUST_FIELDS, AppClient, CognitoIdentity, SecretState, email_field_name

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec
    from django_stubs_ext import StrOrPromise


def write_only_secret_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        max_length=256,
        # render_value=False: the page never carries a secret back to the browser.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class AppClientForm(forms.ModelForm):
    new_client_secret = write_only_secret_field(
        _("Client secret"),
        _(
            "Leave blank to keep the current secret. A new secret moves the one it replaces to the previous "
            "secret, so sign-ins keep working while Cognito catches up. Stored encrypted; never shown."
        ),
    )
    endpoint_url = EndpointURLField()
    clear_client_secret = forms.BooleanField(
        label=_("Remove the client secret"),
        required=False,
        help_text=_("For an app client that has no secret in Cognito. Removes the previous secret too."),
    )
    new_previous_client_secret = write_only_secret_field(
        _("Previous client secret"),
        _(
            "During a secret rotation: tried once when Cognito rejects the current secret. Leave blank to keep "
            "it. Stored encrypted; never shown."
        ),
    )
    clear_previous_client_secret = forms.BooleanField(
        label=_("Remove the previous secret"),
        required=False,
        help_text=_("Once Cognito accepts the current secret (Check connection says so): ends the rotation."),
    )

    class Meta:
        model = AppClient
        fields = [
            "name", "region", "user_pool_id", "client_id", "endpoint_url", "is_default", "hosts",
            "auth_flow", "sign_in_methods", "refresh_token_rotation",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("new_client_secret") and cleaned.get("clear_client_secret"):
            raise forms.ValidationError(_("Either enter a new secret or remove it, not both."))
        if cleaned.get("clear_client_secret") and cleaned.get("new_previous_client_secret"):
            raise forms.ValidationError(_("A client without a secret has no previous secret."))
        if cleaned.get("new_previous_client_secret") and cleaned.get("clear_previous_client_secret"):
            raise forms.ValidationError(_("Either enter a previous secret or remove it, not both."))
        return cleaned

    def save(self, commit: bool = True) -> AppClient:
        data, instance = self.cleaned_data, self.instance
        if data.get("clear_client_secret"):
            instance.set_secret("")
        elif data.get("new_client_secret"):
            instance.set_secret(data["new_client_secret"])
        if data.get("clear_previous_client_secret"):
            instance.previous_client_secret = ""
        elif data.get("new_previous_client_secret"):
            instance.previous_client_secret = data["new_previous_client_secret"]
        return super().save(commit)


# The form's write-only secret fields: with the client id, they say which app client the
# site acts as, so they need the same permission as the trust fields.
SECRET_FORM_FIELDS = (
    "new_client_secret", "clear_client_secret", "new_previous_client_secret", "clear_previous_client_secret",
)


def may_change_endpoint(request: HttpRequest) -> bool:
    """Whether this person may change where app clients connect (``TRUST_FIELDS`` and the
    secrets): the ``change_appclient_endpoint`` permission; superusers have every one."""
    return request.user.has_perm(ENDPOINT_PERMISSION)


@admin.register(AppClient)
class AppClientAdmin(admin.ModelAdmin):
    form = AppClientForm
    list_display = [
        "name", "region", "user_pool_id", "client_id", "secret_status", "is_default", "hosts", "endpoint_url",
        "last_failure_at",
    ]
    list_filter = ["region", "is_default"]
    search_fields = ["name", "client_id", "user_pool_id", "hosts"]
    readonly_fields = [
        "secret_status", "previous_secret_status", "updated_at", "last_failure_at", "last_failure_reason",
    ]
    fieldsets = [
        (None, {"fields": ["name", "region", "user_pool_id", "client_id"]}),
        (_("Client secret"), {"fields": [
            "secret_status", "new_client_secret", "clear_client_secret",
            "previous_secret_status", "new_previous_client_secret", "clear_previous_client_secret",
        ]}),
        (_("Serving"), {"fields": ["is_default", "hosts", "endpoint_url", "updated_at"]}),
        (_("Sign-in"), {"fields": ["auth_flow", "sign_in_methods", "refresh_token_rotation"]}),
        (_("Last failure"), {"fields": ["last_failure_at", "last_failure_reason"]}),
    ]
    actions = [check_connection]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new app client is mostly where to connect: adding one needs that permission too.
        return super().has_add_permission(request) and may_change_endpoint(request)

    def get_readonly_fields(self, request: HttpRequest, obj: AppClient | None = None) -> list[str]:
        # Read-only fields leave the form (Django's get_form drops declared ones too), so a
        # POST that names them changes nothing.
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_change_endpoint(request):
            readonly += [*TRUST_FIELDS, *SECRET_FORM_FIELDS]
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj: AppClient | None = None) -> _FieldsetSpec:
        fieldsets = super().get_fieldsets(request, obj)
        if may_change_endpoint(request):
            return fieldsets
        # The secrets' states stay in view; their write-only inputs are not shown at all.
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in SECRET_FORM_FIELDS]})
            for title, options in fieldsets
        ]

    def get_urls(self) -> list[URLPattern]:
        # Before the default URLs: their "<path:object_id>/" would take "import/".
        opts = self.model._meta
        import_url = path(
            "import/", self.admin_site.admin_view(partial(import_view, self)),
            name=f"{opts.app_label}_{opts.model_name}_import",
        )
        return [import_url, *super().get_urls()]

    @admin.display(description=_("secret"))
    def secret_status(self, obj: AppClient) -> StrOrPromise:
        return {
            SecretState.NONE: _("No secret"),
            SecretState.READABLE: _("Set"),
            SecretState.UNREADABLE: _("Set, but unreadable with the current SECRET_KEY: enter it again"),
        }[obj.secret_state]

    @admin.display(description=_("previous secret"))
    def previous_secret_status(self, obj: AppClient) -> StrOrPromise:
        return {
            SecretState.NONE: _("None: no rotation under way"),
            SecretState.READABLE: _(
                "Set: a rotation is under way; remove it once Cognito accepts the current secret"
            ),
            SecretState.UNREADABLE: _(
                "Set, but unreadable with the current SECRET_KEY: remove it or enter it again"
            ),
        }[obj.previous_secret_state]


# The fields that say which Django account a Cognito user signs in to. Whoever sets them
# can hand any account (a superuser's included) to a Cognito user they control. The
# internal username counts too: where no sub is known (a reset's fallback), it names whose
# other sessions end, so renaming it would keep a person's old sessions alive.
LINK_FIELDS = ("user", "user_pool_id", "sub", "cognito_username")


def may_link_users(request: HttpRequest) -> bool:
    """Whether this person may link a Cognito user to a Django user (``LINK_FIELDS``): the
    user model's own change permission (``auth.change_user`` for Django's ``User``), as
    linking hands over the account as surely as setting its password does."""
    user_model = get_user_model()
    codename = get_permission_codename("change", user_model._meta)
    return request.user.has_perm(f"{user_model._meta.app_label}.{codename}")


@admin.register(CognitoIdentity)
class CognitoIdentityAdmin(admin.ModelAdmin):
    """Links between Cognito users and Django users. Adding one, or changing whom it
    links, needs the user model's change permission besides this model's (see
    ``may_link_users``)."""

    list_display = ["cognito_username", "user", "user_pool_id", "sub", "created_at"]
    list_filter = ["user_pool_id"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and may_link_users(request)

    def get_readonly_fields(self, request: HttpRequest, obj: CognitoIdentity | None = None) -> list[str]:
        # Read-only fields leave the form, so a POST that names them changes nothing.
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_link_users(request):
            readonly += LINK_FIELDS
        return readonly

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # The user model's own name and email fields: a custom one may lack either.
        fields = ["cognito_username", "sub", f"user__{get_user_model().USERNAME_FIELD}"]
        email_field = email_field_name()
        if email_field and email_field != get_user_model().USERNAME_FIELD:
            fields.append(f"user__{email_field}")
        return fields
