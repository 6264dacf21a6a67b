"""Who is asking: the person's IP address, for Cognito's threat protection.

Cognito judges the risk of a sign-in, a reset or a sign-up by the address in the call's
``UserContextData.IpAddress`` (API reference: UserContextDataType, accepted by
InitiateAuth, RespondToAuthChallenge, ForgotPassword, ConfirmForgotPassword, SignUp,
ConfirmSignUp and ResendConfirmationCode). Without it Cognito sees only this server, so
one person's failures would count against everyone. Cognito uses the address only for
app clients with a secret and "propagate additional user context data" turned on;
others ignore it.

With ``COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT`` on, the device data Cognito's
advanced-security script collected in the browser (the ``EncodedData`` form field the
``{% cognito_user_context_data %}`` tag adds) goes along as ``UserContextData.EncodedData``
(Developer Guide: "Collecting data for threat protection in applications").

``X-Forwarded-For`` is anyone's to send: it is believed only hop by hop, from the right,
through the proxies named in ``COGNITO_AUTH_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache
from typing import TYPE_CHECKING

from .conf import app_settings

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger("cognito_auth")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# The form field the tag's script fills, and the most of it forwarded (characters): the
# script's encoded data is a few KiB; anything larger is not its.
ENCODED_DATA_FIELD = "EncodedData"
MAX_ENCODED_DATA = 16 * 1024


def user_context_data(request: HttpRequest | None) -> dict[str, str] | None:
    """``{"IpAddress": "203.0.113.7", "EncodedData": "…"}`` for the person behind
    ``request`` (EncodedData only where ``encoded_data`` finds some), or None when there is
    no request (scripts, the doctor) or nothing to send."""
    if request is None:
        return None
    context = {}
    address = client_ip_address(request)
    if address:
        context["IpAddress"] = address
    encoded = encoded_data(request)
    if encoded:
        context["EncodedData"] = encoded
    return context or None


def encoded_data(request: HttpRequest) -> str | None:
    """The device data the advanced-security script put in the POSTed ``EncodedData``
    field, when COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT is on; None when it is off, absent,
    too long, or not printable ASCII (the script's output never is anything else)."""
    if not app_settings.USER_CONTEXT_DATA_SCRIPT or request.method != "POST":
        return None
    value = request.POST.get(ENCODED_DATA_FIELD, "")
    if not value or len(value) > MAX_ENCODED_DATA or not (value.isascii() and value.isprintable()):
        return None
    return value


def client_ip_address(request: HttpRequest) -> str | None:
    """The person's address: ``REMOTE_ADDR``, or, when that is a trusted proxy, the first
    address in ``X-Forwarded-For`` (walked from the right) that is not one.

    An entry that is not an IP address ends the walk at the last address known good: a
    trusted proxy passed it on, but nobody vouches for what is left of it.
    """
    peer = _parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies = trusted_proxies(tuple(app_settings.TRUSTED_PROXIES))
    address = peer
    if _is_trusted(address, proxies):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for entry in reversed(forwarded.split(",")):
            hop = _parse_address(entry)
            if hop is None:
                break
            address = hop
            if not _is_trusted(hop, proxies):
                break
    return str(address)


@lru_cache(maxsize=8)
def trusted_proxies(entries: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    """The networks of ``COGNITO_AUTH_TRUSTED_PROXIES``. An entry that is neither an address
    nor a network is left out, with a WARNING (once per value per process)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            logger.warning("COGNITO_AUTH_TRUSTED_PROXIES: %r is not an IP address or network; ignored.", entry)
    return tuple(networks)


def _is_trusted(address: IpAddress, proxies: tuple[IpNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def _parse_address(text: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; Cognito wants a.b.c.d.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address
