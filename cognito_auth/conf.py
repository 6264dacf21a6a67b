"""Settings for cognito_auth, read at call time so ``override_settings`` works.

Every setting is ``COGNITO_AUTH_<NAME>`` in the project's settings; the defaults live
here and nowhere else. A value read once is kept until Django's ``setting_changed``
signal (sent by ``override_settings`` and pytest-django's ``settings``) names one of
ours: a setting the project leaves unset otherwise costs a caught AttributeError inside
Django's settings object, a few microseconds, on every request the middleware sees.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS: dict[str, Any] = {
    # Time bounds of one Cognito call, in seconds, and the attempts it may take. botocore's
    # own retries are off: a call is sent again only after a connection failure, when
    # nothing of it reached Cognito, never after a timeout or an answer (a call that
    # changes something would happen twice, and throttling is the person's answer).
    # READ_TIMEOUT covers one slow Lambda trigger (Cognito allows them 5 s) plus Cognito's
    # own work. The worst case to an answer is MAX_ATTEMPTS connects that time out, the
    # waits between them (at most client.CONNECT_RETRY_DELAY = 0.5 s each), and one read:
    # 2 * 1 + 0.5 + 6 = 8.5 s with these defaults, so a page answers within 10 s.
    "CONNECT_TIMEOUT": 1.0,
    "READ_TIMEOUT": 6.0,
    "MAX_ATTEMPTS": 2,
    # Seconds one request may spend on all its Cognito calls and JWKS fetches together
    # (see budget.py); None: no bound beyond each call's own. A page making several calls
    # (SRP's two steps, a reset then the look-up of whose password it was, a renewal then
    # the page's own call) would otherwise add their worst cases up. Each call gets at
    # most what is left as its timeouts; one that cannot get 1 s is not sent
    # ("temporarily unavailable"), and optional follow-ups are skipped under 2 s left.
    # 9 s covers one call's worst case (8.5 s above) and leaves 1 s of the 10 s promise
    # for Django's own work.
    "REQUEST_BUDGET": 9.0,
    # Proxies (addresses or CIDR networks) whose X-Forwarded-For is believed when telling
    # Cognito's threat protection the person's IP address (UserContextData). Empty: the
    # address is REMOTE_ADDR, and X-Forwarded-For, which anyone can send, is ignored.
    "TRUSTED_PROXIES": [],
    # Which Django cache holds the list of app clients, and for how long. The entry is
    # deleted whenever an app client is saved or deleted, so with a shared cache every
    # process sees an admin change at once.
    "CACHE_ALIAS": "default",
    "CACHE_TIMEOUT": 300,
    # How long a user pool's signing keys (its JWKS) stay in that cache, in seconds. A
    # token signed with a key not in the cached set fetches the set again (at most once a
    # minute per pool), so Cognito's key rotation needs no wait; this bounds how long a key
    # Cognito withdrew is still trusted.
    "JWKS_CACHE_TIMEOUT": 3600,
    # The sign-up pages answer 404 unless this is True: most sites create users elsewhere.
    "SIGN_UP_ENABLED": False,
    # Sign-out revokes the session's refresh token in Cognito (one RevokeToken call), so a
    # copied token is worthless afterwards. Needs token revocation on the app client.
    "REVOKE_ON_LOGOUT": True,
    # CognitoSessionMiddleware renews a session's access token this many seconds before it
    # expires, or at a quarter of its lifetime before, whichever is less.
    "RENEW_BEFORE": 60,
    # Seconds a session may go without Cognito confirming it (one refresh call) even while
    # its access token is fresh; None: only when the token is due. For sites that need a
    # disabled or signed-out person gone within that time.
    "REVALIDATE_AFTER": None,
    # Hosts an app client's endpoint URL may name besides Cognito's own https endpoints
    # (validators.AWS_COGNITO_HOST): a VPC endpoint's DNS name, an emulator's 127.0.0.1.
    # Pin the port ("127.0.0.1:9229", "[::1]:9229", "vpce-....amazonaws.com:443"): an entry
    # without one allows every port of the host, and on a shared or loopback host anyone who
    # can listen on some port could then collect passwords and serve a JWKS of their own.
    # An entry starting with "." allows its subdomains. Anything else is refused:
    # passwords, and with Import from Cognito signed AWS credentials, go there.
    "ALLOWED_ENDPOINT_HOSTS": [],
    # Cognito groups (the tokens' cognito:groups) mirrored into Django groups of the same
    # name for users linked to Cognito, at sign-in, renewal and on API requests: None
    # (off), a list of group names, or "__all__" (the user's Django groups are then
    # exactly their Cognito groups).
    "MIRROR_GROUPS": None,
    # Cognito groups whose members are is_staff / is_superuser. None: the flag is left
    # alone; a list: the flag is set when the user is in one of them, and cleared when not.
    "STAFF_GROUPS": None,
    "SUPERUSER_GROUPS": None,
    # Seconds a sign-in step (new password, MFA code, TOTP set-up) stays open here. Cognito
    # ends its own session of a step after the app client's AuthSessionValidity (3 minutes
    # unless set, up to 15): keep the two equal.
    "SIGN_IN_STEP_TIMEOUT": 180,
    # Passkeys. The relying party ID Cognito's passkey options must name (the pool's
    # WebAuthnConfiguration): None accepts the page's host or a parent domain of it, as a
    # browser does. The origin a passkey response must come from (scheme://host[:port]):
    # None derives it from the request (its scheme and host, as ALLOWED_HOSTS checked it).
    # Set both behind a proxy that rewrites the host or scheme.
    "WEBAUTHN_RP_ID": None,
    "WEBAUTHN_ORIGIN": None,
    # Threat protection's device data: True loads Cognito's advanced-security script for
    # the app client's region (amazon-cognito-assets.<region>.amazoncognito.com) where a
    # template uses {% cognito_user_context_data %}, and forwards the EncodedData it fills
    # in UserContextData. A URL serves the script from there instead (a copy you host, for
    # a strict CSP). False: nothing is loaded and no EncodedData is forwarded.
    "USER_CONTEXT_DATA_SCRIPT": False,
}


class CognitoAuthSettings:
    """Attribute access to ``COGNITO_AUTH_*`` settings with the defaults above."""

    prefix = "COGNITO_AUTH_"

    def __init__(self) -> None:
        self._read: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        try:
            return self._read[name]
        except KeyError:
            pass
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown cognito_auth setting: {name}")
        value = self._read[name] = getattr(settings, self.prefix + name, DEFAULTS[name])
        return value

    def forget(self, *, setting: str, **kwargs: Any) -> None:
        """``setting_changed`` receiver: read ours afresh after any change to them."""
        if setting.startswith(self.prefix):
            self._read.clear()


app_settings = CognitoAuthSettings()
setting_changed.connect(app_settings.forget, dispatch_uid="cognito_auth.conf")
