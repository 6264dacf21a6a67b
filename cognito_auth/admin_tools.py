"""The admin's tools for app clients: the *Check connection* action and the *Import from
Cognito* page, wired into ``AppClientAdmin`` in ``admin.py``.

Import reads the app client with DescribeUserPoolClient (AWS credentials from boto3's
default chain) and stores its secret encrypted, so nobody copies a secret by hand. The
page has no secret field, and nothing it renders holds one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field as ModelField
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .client import CognitoAdmin
from .doctor import OK, PROBLEM, diagnose
from .exceptions import AccessDenied, CognitoError, NoCredentials, UnknownClient
from .models import ENDPOINT_PERMISSION, AppClient
from .validators import ENDPOINT_MAX_LENGTH, canonical_endpoint

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

MESSAGE_LEVELS = {OK: messages.SUCCESS, PROBLEM: messages.ERROR}


@admin.action(description=_("Check connection"), permissions=["change"])
def check_connection(modeladmin: ModelAdmin, request: HttpRequest, queryset: QuerySet[AppClient]) -> None:
    """Run ``cognito_check``'s checks on each selected client; one message per check."""
    for app_client in queryset.order_by("name"):
        for result in diagnose(app_client).results:
            text = f"{app_client.name} · {result.check}: {result.message}"
            if result.status == PROBLEM and result.fix:
                text = gettext("%(text)s Fix: %(fix)s") % {"text": text, "fix": result.fix}
            modeladmin.message_user(request, text, MESSAGE_LEVELS.get(result.status, messages.WARNING))


class EndpointURLField(forms.CharField):
    """An endpoint URL, cleaned to its canonical ``scheme://host[:port]`` (``""`` for AWS).

    Not a ``forms.URLField``: that one rewrites the text with ``urlsplit`` (dropping tabs
    and newlines, adding a scheme) before anything judges it. Here the text typed is the
    text judged, whitespace included, and what is stored is what every call will use.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Endpoint URL"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", ENDPOINT_MAX_LENGTH)
        kwargs.setdefault("help_text", _(
            "Blank for AWS. Set for a VPC endpoint or a local emulator, as scheme://host or scheme://host:port."
        ))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return canonical_endpoint(super().clean(value))


def _model_field(name: str, **options: Any) -> forms.Field:
    model_field = AppClient._meta.get_field(name)
    form_field = model_field.formfield(**options) if isinstance(model_field, ModelField) else None
    if form_field is None:
        raise TypeError(f"AppClient.{name} has no form field")
    return form_field


class ImportFromCognitoForm(forms.Form):
    region = _model_field("region")
    user_pool_id = _model_field("user_pool_id")
    client_id = _model_field("client_id")
    endpoint_url = EndpointURLField()
    name = _model_field(
        "name", required=False,
        help_text=_("Blank: the app client's name in Cognito, or the stored name of a client already here."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        described = self._describe(cleaned)
        self.app_client = self._app_client(cleaned, described)
        try:
            self.app_client.full_clean()
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return cleaned

    def _describe(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        admin_api = CognitoAdmin(cleaned["region"], cleaned["user_pool_id"], cleaned["endpoint_url"])
        try:
            return admin_api.describe_user_pool_client(cleaned["client_id"])
        except NoCredentials as exc:
            raise forms.ValidationError(_(
                "This server has no AWS credentials (boto3 looks in the environment, the shared credentials "
                "file and the instance or task role), so it cannot read the app client from Cognito. Give it "
                "credentials allowed cognito-idp:DescribeUserPoolClient, or enter the client secret by hand "
                "on the app client's page."
            )) from exc
        except AccessDenied as exc:
            raise forms.ValidationError(
                _("AWS refused to describe the app client: %(error)s. The credentials need "
                  "cognito-idp:DescribeUserPoolClient on this pool.") % {"error": exc}
            ) from exc
        except UnknownClient as exc:
            raise forms.ValidationError(
                _("User pool %(pool)s in %(region)s has no app client %(client_id)s.")
                % {"pool": cleaned["user_pool_id"], "region": cleaned["region"], "client_id": cleaned["client_id"]}
            ) from exc
        except CognitoError as exc:
            raise forms.ValidationError(_("Cognito did not describe the app client: %(error)s.")
                                        % {"error": exc}) from exc

    def _app_client(self, cleaned: dict[str, Any], described: dict[str, Any]) -> AppClient:
        """The stored client for this pool and client id, or a new one, with Cognito's secret."""
        app_client = AppClient.objects.filter(
            user_pool_id=cleaned["user_pool_id"], client_id=cleaned["client_id"],
        ).first() or AppClient(user_pool_id=cleaned["user_pool_id"], client_id=cleaned["client_id"])
        self.created = app_client.pk is None
        app_client.region = cleaned["region"]
        app_client.endpoint_url = cleaned["endpoint_url"]
        if cleaned["name"] or self.created:
            app_client.name = cleaned["name"] or described.get("ClientName") or cleaned["client_id"]
        self.kept_previous = app_client.set_secret(described.get("ClientSecret") or "")
        return app_client


def import_view(modeladmin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """*Import from Cognito*: make or update an app client from DescribeUserPoolClient.

    :raises PermissionDenied: without the add, change and endpoint permissions.
    """
    # Import sets the region, pool, client id, endpoint and secret: every field that decides
    # whom the site trusts, so it needs change_appclient_endpoint as well (has_add_permission
    # asks for it).
    if not (
        modeladmin.has_add_permission(request) and modeladmin.has_change_permission(request)
        and request.user.has_perm(ENDPOINT_PERMISSION)
    ):
        raise PermissionDenied
    form = ImportFromCognitoForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        app_client = form.app_client
        app_client.save()
        text = gettext("Imported app client %(name)s from Cognito; its secret is stored encrypted.") % {
            "name": app_client.name,
        }
        if form.kept_previous:
            text += " " + gettext("The secret it replaced is kept as the previous secret until you remove it.")
        if not app_client.has_secret:
            text += " " + gettext("The app client has no secret in Cognito.")
        modeladmin.message_user(request, text, messages.SUCCESS)
        opts = AppClient._meta
        return HttpResponseRedirect(
            reverse(f"{modeladmin.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[app_client.pk])
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": AppClient._meta,
        "form": form,
        "title": gettext("Import an app client from Cognito"),
    }
    return TemplateResponse(request, "admin/cognito_auth/appclient/import_form.html", context)
