"""Who is asking: the person's IP address, for Cognito's threat protection.

Cognito judges the risk of a sign-in, a reset or a sign-up by the address in the call's
``UserContextData.IpAddress`` (API reference: UserContextDataType, accepted by
InitiateAuth, RespondToAuthChallenge, ForgotPassword, ConfirmForgotPassword, SignUp,
ConfirmSignUp and ResendConfirmationCode). Without it Cognito sees only this server, so
one person's failures would count against everyone. Cognito uses the address only for
app clients with a secret and "propagate additional user context data" turned on;
others ignore it.

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


def user_context_data(request: HttpRequest | None) -> dict[str, str] | None:
    """``{"IpAddress": "203.0.113.7"}`` for the person behind ``request``, or None when
    there is no request (scripts, the doctor) or no usable address."""
    address = client_ip_address(request) if request is not None else None
    return {"IpAddress": address} if address else None


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
