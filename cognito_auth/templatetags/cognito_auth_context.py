"""``{% load cognito_auth_context %}{% cognito_user_context_data %}``: threat protection's
device data, opt-in (COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT).

Put the tag inside a form that signs in, resets a password or signs up. When the setting
is on, it renders a hidden ``EncodedData`` field, Cognito's advanced-security script for
the app client's region and this app's static ``cognito_auth/user_context_data.js`` (no
inline script), which fills the field with
``AmazonCognitoAdvancedSecurityData.getData(username, userPoolId, clientId)``; the forms
forward it as ``UserContextData.EncodedData`` (``user_context.encoded_data``). Off, it
renders nothing and nothing is loaded.

Source: Amazon Cognito Developer Guide, "Collecting data for threat protection in
applications" (context data libraries for client-server applications, JavaScript).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..conf import app_settings
from ..models import AppClient
from ..user_context import ENCODED_DATA_FIELD

register = template.Library()

# Where AWS serves the script, per region (the Developer Guide's URL).
SCRIPT_URL = "https://amazon-cognito-assets.{region}.amazoncognito.com/amazon-cognito-advanced-security-data.min.js"


def script_url(region: str) -> str:
    """COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT when it is a URL, else AWS's for ``region``."""
    configured = app_settings.USER_CONTEXT_DATA_SCRIPT
    return configured if isinstance(configured, str) else SCRIPT_URL.format(region=region)


@register.simple_tag(takes_context=True)
def cognito_user_context_data(context: template.Context, username: str = "") -> SafeString | str:
    """The hidden field and the two scripts, or "" when the setting is off or no app client
    serves the request. ``username``: the name to collect for when the form has no
    ``username`` field (a sign-in step's page)."""
    request: Any = context.get("request")
    if not app_settings.USER_CONTEXT_DATA_SCRIPT or request is None:
        return ""
    app_client = AppClient.objects.for_request(request)
    if app_client is None:
        return ""
    return format_html(
        '<input type="hidden" name="{}" value="" data-cognito-user-context data-user-pool-id="{}" '
        'data-client-id="{}" data-username="{}">'
        '<script src="{}" defer></script><script src="{}" defer></script>',
        ENCODED_DATA_FIELD, app_client.user_pool_id, app_client.client_id, username,
        script_url(app_client.region), static("cognito_auth/user_context_data.js"),
    )
