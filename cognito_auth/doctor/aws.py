"""The doctor's checks of Cognito's own settings for an app client and its pool, as
DescribeUserPoolClient and DescribeUserPool answer (AWS credentials needed)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .results import OK, PROBLEM, CheckResult

# These checks, in report order.
AWS_CHECKS = (
    "aws_client", "aws_secret", "aws_auth_flows", "aws_token_validity",
    "aws_user_existence_errors", "aws_read_attributes", "aws_username_attributes",
)
LEGACY_FLOW_NAMES = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
# What Cognito allows a client that lists no ExplicitAuthFlows.
DEFAULT_FLOWS = frozenset({"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})
# Cognito's token validity when the app client sets none: (amount, unit).
DEFAULT_VALIDITY = {"AccessToken": (1, "hours"), "IdToken": (1, "hours"), "RefreshToken": (30, "days")}
SECONDS_PER_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# The attributes the backend copies from the ID token.
EMAIL_ATTRIBUTES = ("email", "email_verified")
NAME_ATTRIBUTES = ("given_name", "family_name")


def auth_flows(described: dict[str, Any], sign_in_flow: str = "USER_PASSWORD_AUTH") -> CheckResult:
    """Whether Cognito allows the flow this app client signs in with (``AppClient.auth_flow``)
    and REFRESH_TOKEN_AUTH."""
    listed = list(described.get("ExplicitAuthFlows") or [])
    enabled = {LEGACY_FLOW_NAMES.get(flow, flow) for flow in listed} or set(DEFAULT_FLOWS)
    if listed and not any(flow.startswith("ALLOW_") for flow in listed):
        enabled.add("ALLOW_REFRESH_TOKEN_AUTH")  # clients from before the ALLOW_ flags could always refresh
    needed = (f"ALLOW_{sign_in_flow}", "ALLOW_REFRESH_TOKEN_AUTH")
    missing = [flow for flow in needed if flow not in enabled]
    shown = ", ".join(sorted(enabled))
    if missing:
        return CheckResult(
            "aws_auth_flows", PROBLEM,
            _("The app client's authentication flows (%(enabled)s) lack %(missing)s.")
            % {"enabled": shown, "missing": ", ".join(missing)},
            _("Turn on %(missing)s in Cognito (App client > Edit > Authentication flows): sign-in here uses "
              "%(flow)s, and renewing tokens REFRESH_TOKEN_AUTH.")
            % {"missing": ", ".join(missing), "flow": sign_in_flow},
        )
    return CheckResult("aws_auth_flows", OK, _("Authentication flows: %(enabled)s.") % {"enabled": shown})


def _validity_seconds(described: dict[str, Any], token: str) -> int:
    default_amount, default_unit = DEFAULT_VALIDITY[token]
    units = described.get("TokenValidityUnits") or {}
    amount = described.get(f"{token}Validity")
    unit = units.get(token) or default_unit
    return int(amount if amount is not None else default_amount) * SECONDS_PER_UNIT[unit]


def _duration(seconds: int) -> str:
    if seconds and seconds % 86400 == 0:
        return ngettext("%(count)d day", "%(count)d days", seconds // 86400) % {"count": seconds // 86400}
    if seconds and seconds % 3600 == 0:
        return ngettext("%(count)d hour", "%(count)d hours", seconds // 3600) % {"count": seconds // 3600}
    if seconds and seconds % 60 == 0:
        return ngettext("%(count)d minute", "%(count)d minutes", seconds // 60) % {"count": seconds // 60}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


def token_validity(described: dict[str, Any]) -> CheckResult:
    access, id_token, refresh = (_validity_seconds(described, token) for token in DEFAULT_VALIDITY)
    message = _("Access tokens last %(access)s, ID tokens %(id)s, refresh tokens %(refresh)s.") % {
        "access": _duration(access), "id": _duration(id_token), "refresh": _duration(refresh),
    }
    session_age = int(settings.SESSION_COOKIE_AGE)
    if session_age > refresh:
        message += " " + _(
            "Sessions here last longer (SESSION_COOKIE_AGE, %(session)s): once the refresh token has expired, "
            "changing a password asks people to sign in again. Consider a SESSION_COOKIE_AGE of at most the "
            "refresh token's validity."
        ) % {"session": _duration(session_age)}
    return CheckResult("aws_token_validity", OK, message,
                       details={"access": str(access), "id": str(id_token), "refresh": str(refresh)})


def user_existence_errors(described: dict[str, Any]) -> CheckResult:
    if described.get("PreventUserExistenceErrors") == "ENABLED":
        return CheckResult("aws_user_existence_errors", OK, _(
            "Prevent user existence errors is enabled: Cognito gives the same answer whether or not a user "
            "exists."))
    fix = _("Set Prevent user existence errors to Enabled (App client > Edit > Advanced security "
            "configurations).")
    if described.get("ClientSecret"):
        return CheckResult("aws_user_existence_errors", OK, _(
            "Prevent user existence errors is off (LEGACY): Cognito tells whoever calls it with this client "
            "whether a username exists. This site hides it, and callers need the client secret; still, "
            "recommended: %(fix)s") % {"fix": fix})
    return CheckResult(
        "aws_user_existence_errors", PROBLEM,
        _("Prevent user existence errors is off (LEGACY), and this app client has no secret: anyone who knows "
          "the client id can ask Cognito which usernames exist."),
        fix,
    )


def read_attributes(described: dict[str, Any]) -> CheckResult:
    readable = list(described.get("ReadAttributes") or [])
    if not readable:
        return CheckResult("aws_read_attributes", OK, _(
            "The app client lists no read attributes, so ID tokens carry every attribute (email, "
            "email_verified, given_name, family_name)."))
    missing_email = [name for name in EMAIL_ATTRIBUTES if name not in readable]
    missing_names = [name for name in NAME_ATTRIBUTES if name not in readable]
    if missing_email:
        return CheckResult(
            "aws_read_attributes", PROBLEM,
            _("ID tokens carry no %(missing)s (not among the app client's read attributes): users created here "
              "get no email address.") % {"missing": ", ".join(missing_email)},
            _("Add email and email_verified to the app client's attribute read permissions (App client > Edit "
              "> Attribute read and write permissions)."),
        )
    message = _("ID tokens carry email and email_verified.")
    if missing_names:
        message += " " + _("Not readable: %(missing)s, so those stay blank here.") % {
            "missing": ", ".join(missing_names)}
    return CheckResult("aws_read_attributes", OK, message)


def username_attributes(pool: dict[str, Any]) -> CheckResult:
    username_attributes = list(pool.get("UsernameAttributes") or [])
    aliases = list(pool.get("AliasAttributes") or [])
    if username_attributes:
        parts = [_(
            "People sign in with their %(attributes)s; Cognito's internal username is the sub, and challenge "
            "answers and token refreshes hash that, not what was typed (this site does)."
        ) % {"attributes": " / ".join(username_attributes)}]
    else:
        parts = [_("People sign in with their username.")]
    if aliases:
        parts.append(_("They may also sign in with an alias (%(aliases)s); sign-in hashes whatever they typed, "
                       "challenge answers and refreshes the internal username.") % {"aliases": ", ".join(aliases)})
    case_sensitive = (pool.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
    if case_sensitive:
        parts.append(_("Usernames are case-sensitive: \"Alice\" and \"alice\" are different users, and so are "
                       "their hashes. New pools should turn case sensitivity off; it cannot be changed later."))
    else:
        parts.append(_("Usernames are case-insensitive."))
    return CheckResult("aws_username_attributes", OK, " ".join(parts),
                       details={"username_attributes": ",".join(username_attributes), "aliases": ",".join(aliases),
                                "case_sensitive": str(bool(case_sensitive)).lower()})
