"""The TOTP set-up's QR code: the ``otpauth://`` URI an authenticator app reads, drawn as
inline SVG by segno (no JavaScript, no image request that could leak the secret).

Sources: Google Authenticator's Key Uri Format (otpauth://totp/ISSUER:ACCOUNT?secret=
...&issuer=...), RFC 6238 (TOTP: 30-second steps, 6 digits, SHA-1, as Cognito uses),
RFC 3986 (percent-encoding).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import segno
from django.utils.safestring import SafeString, mark_safe


def otpauth_uri(secret: str, issuer: str, account: str) -> str:
    """The key URI for ``secret`` (base32, as AssociateSoftwareToken gives it), naming the
    site (``issuer``) and the person (``account``), as authenticator apps list them.

    :returns: ``otpauth://totp/<issuer>:<account>?secret=<secret>&issuer=<issuer>``,
        each part percent-encoded (a ":" in a name would otherwise split the label).
    """
    label = f"{quote(issuer, safe='')}:{quote(account, safe='@')}"
    query = urlencode({"secret": secret, "issuer": issuer}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str, title: str) -> SafeString:
    """``uri`` as a QR code: an ``<svg>`` element to put in the page as it is.

    Error correction M and segno's 4-module quiet zone on white, 4 pixels a module: big
    enough for a phone's camera from a laptop screen. segno escapes ``title``.
    """
    code = segno.make(uri, error="m", boost_error=False)
    return mark_safe(code.svg_inline(scale=4, light="#fff", title=title, svgclass="totp-qr"))  # noqa: S308 - segno's own markup
