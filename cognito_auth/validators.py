"""Input checks that keep hostile input away from Cognito and out of 500s."""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .conf import app_settings
from .messages import ENDPOINT_MALFORMED, ENDPOINT_NOT_ALLOWED, INVALID_CODE, INVALID_USERNAME

# Cognito's limits (API reference: Username is 1-128 characters, Password up to 256).
USERNAME_MAX_LENGTH = 128
PASSWORD_MAX_LENGTH = 256


def validate_cognito_username(value: str) -> None:
    """Cognito usernames match [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+: no spaces or controls.

    A request body that was not UTF-8 arrives here with U+FFFD in it, which is refused.

    :raises ValidationError: ``invalid_username``.
    """
    for char in value:
        category = unicodedata.category(char)
        if category[0] not in "LMSNP" or char == "\ufffd":
            raise ValidationError(INVALID_USERNAME, code="invalid_username")


# Cognito's ConfirmationCode: [\S]+, at most 2048 characters.
CODE_MAX_LENGTH = 2048


def validate_code(value: str) -> None:
    """Cognito's ConfirmationCode pattern, ``[\\S]+``: no spaces or controls.

    :raises ValidationError: ``invalid_code``.
    """
    if any(char.isspace() or unicodedata.category(char)[0] == "C" or char == "\ufffd" for char in value):
        raise ValidationError(INVALID_CODE, code="invalid_code")


# --- Endpoint URLs -------------------------------------------------------------------
#
# botocore connects through urllib3 (``urllib3.util.parse_url``) while Python code, and
# botocore itself when it builds a request, reads URLs with ``urllib.parse.urlsplit``.
# The two disagree on some URLs (``http://127.0.0.1:9501\@localhost:9400`` is
# 127.0.0.1:9501 to urllib3 and localhost:9400 to urlsplit), so judging one parser's view
# lets another's connect elsewhere. An endpoint is therefore accepted only as a tiny,
# unambiguous grammar, ``scheme://host[:port]`` in printable ASCII, whose host both
# parsers read the same, and is stored and used only in that canonical form.

ENDPOINT_SCHEMES = ("http", "https")
ENDPOINT_MAX_LENGTH = 300
_ENDPOINT_SHAPE = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"/?",  # a lone trailing slash is the same base URL; any other path is refused
)
_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# Cognito's own endpoints (AWS General Reference, "Amazon Cognito endpoints and quotas":
# cognito-idp[-fips].<region>.amazonaws.com[.cn]) and the DNS names of an interface VPC
# endpoint for it (AWS PrivateLink: vpce-<id>.cognito-idp.<region>.vpce.amazonaws.com).
# Not "anything under amazonaws.com": an API Gateway stage
# (<id>.execute-api.<region>.amazonaws.com) belongs to whoever created it, and would
# collect every password, and a signed DescribeUserPoolClient to replay.
AWS_COGNITO_HOST = re.compile(
    r"(?:vpce-[a-z0-9-]+\.)?cognito-idp(?:-fips)?\.[a-z]{2}(?:-[a-z]+)+-[0-9]+\."
    r"(?:vpce\.)?amazonaws\.com(?:\.cn)?",
)


@dataclass(frozen=True)
class Endpoint:
    """An endpoint URL as the connection will use it."""

    scheme: str
    host: str  # lower case; an IPv6 address without brackets, compressed
    port: int | None

    @property
    def url(self) -> str:
        """The canonical form, ``scheme://host[:port]``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")


def _malformed() -> ValidationError:
    return ValidationError(ENDPOINT_MALFORMED, code="endpoint_malformed")


def parse_endpoint(url: str) -> Endpoint:
    """The scheme, host and port of an endpoint URL, read the way the connection reads it.

    :raises ValidationError: (code ``endpoint_malformed``) for anything but
        ``http(s)://host[:port]`` with an optional lone ``/``: userinfo, backslashes,
        whitespace, control or non-ASCII characters, percent-encoding, a path, query or
        fragment, port 0 or above 65535, a malformed host, or a URL that ``urlsplit`` and
        urllib3's ``parse_url`` read differently.
    """
    if not isinstance(url, str) or len(url) > ENDPOINT_MAX_LENGTH:
        raise _malformed()
    shape = _ENDPOINT_SHAPE.fullmatch(url)
    if shape is None:
        raise _malformed()
    scheme = shape["scheme"].lower()
    if scheme not in ENDPOINT_SCHEMES:
        raise _malformed()
    host = _canonical_host(shape["host"].lower())
    port = None
    if shape["port"] is not None:
        port = int(shape["port"])
        if not 0 < port <= 65535:
            raise _malformed()
    endpoint = Endpoint(scheme, host, port)
    # Belt and braces: the grammar above leaves nothing for the parsers to disagree on,
    # and this proves it for each URL, the one given and the one that will be used.
    for candidate in (url, endpoint.url):
        if _as_urlsplit_reads(candidate) != endpoint or _as_urllib3_reads(candidate) != endpoint:
            raise _malformed()
    return endpoint


def _canonical_host(host: str) -> str:
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise _malformed() from None
        return address.compressed
    labels = host.split(".")
    if len(host) > 253 or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        raise _malformed()  # empty labels too: "a..b", ".a", and "a." (a trailing dot)
    if labels[-1].isdigit():
        # No top-level domain is numeric, so this is meant as an IPv4 address: only the
        # dotted-quad form, since resolvers also read "127.1" or "2130706433" as 127.0.0.1.
        try:
            ipv4 = ipaddress.IPv4Address(host)
        except ValueError:
            raise _malformed() from None
        if str(ipv4) != host:
            raise _malformed()
    return host


def _as_urlsplit_reads(url: str) -> Endpoint | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.username is not None or parts.query or parts.fragment or parts.path not in ("", "/"):
        return None
    host = parts.hostname or ""
    return Endpoint(parts.scheme.lower(), _bare_host(host), port)


def _as_urllib3_reads(url: str) -> Endpoint | None:
    try:
        parts = parse_url(url)
    except LocationParseError:
        return None
    if parts.auth is not None or parts.query or parts.fragment or parts.path not in (None, "", "/"):
        return None
    return Endpoint((parts.scheme or "").lower(), _bare_host((parts.host or "").strip("[]")), parts.port)


def _bare_host(host: str) -> str:
    """The host as ``parse_endpoint`` writes it (IPv6 compressed), for comparison."""
    try:
        return ipaddress.IPv6Address(host).compressed
    except ValueError:
        return host.lower()


# The port a URL without one connects to.
DEFAULT_PORTS = {"http": 80, "https": 443}
_ALLOWED_PORT = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class AllowedEndpoint:
    """One entry of ``COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS``, read."""

    host: str  # as ``Endpoint.host``; a leading "." allows the subdomains instead
    port: int | None  # None: any port

    def admits(self, endpoint: Endpoint) -> bool:
        host_matches = endpoint.host == self.host or (self.host.startswith(".") and endpoint.host.endswith(self.host))
        if not host_matches:
            return False
        # A URL without a port connects to its scheme's default, so "https://h" is "h:443".
        port = endpoint.port if endpoint.port is not None else DEFAULT_PORTS[endpoint.scheme]
        return self.port is None or self.port == port


def allowed_endpoint_entry(entry: str) -> AllowedEndpoint | None:
    """An allow-list entry read: ``host``, ``host:port``, ``[IPv6]``, ``[IPv6]:port``, a bare
    IPv6 address (which cannot name a port), or ``.domain[:port]`` for its subdomains.

    :returns: None for an entry that names no host or a port outside 1-65535; such an
        entry allows nothing (check ``cognito_auth.W005`` reports it).
    """
    text = entry.strip().lower() if isinstance(entry, str) else ""
    port_text: str | None = None
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:  # a name, an IPv4 address, or IPv6 without brackets
        host = text
    port = None
    if port_text is not None:
        if not _ALLOWED_PORT.fullmatch(port_text) or not 0 < int(port_text) <= 65535:
            return None
        port = int(port_text)
    host = _bare_host(host)
    if not host or host == ".":
        return None
    return AllowedEndpoint(host, port)


def _host_allowed(endpoint: Endpoint) -> bool:
    if endpoint.scheme == "https" and AWS_COGNITO_HOST.fullmatch(endpoint.host):
        return True
    for entry in app_settings.ALLOWED_ENDPOINT_HOSTS:
        allowed = allowed_endpoint_entry(entry)
        if allowed is not None and allowed.admits(endpoint):
            return True
    return False


def canonical_endpoint(url: str) -> str:
    """The base URL calls to this endpoint use, ``scheme://host[:port]``; ``""`` for blank
    (AWS's regional endpoint, ``https://cognito-idp.<region>.amazonaws.com``).

    Build any further URL of the pool (a JWKS URL, say) from this, never from the stored
    text.

    :raises ValidationError: code ``endpoint_malformed`` (see ``parse_endpoint``), or
        ``endpoint_not_allowed`` for a host that is neither Cognito's own https endpoint
        nor admitted by an entry of ``COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS`` (its host,
        and its port where the entry pins one; see ``allowed_endpoint_entry``).
    """
    if url == "":
        return ""
    endpoint = parse_endpoint(url)
    if not _host_allowed(endpoint):
        raise ValidationError(ENDPOINT_NOT_ALLOWED, code="endpoint_not_allowed")
    return endpoint.url


def endpoint_allowed(endpoint_url: str) -> bool:
    """Whether a call may go to this endpoint URL exactly as given: blank (AWS), or a
    canonical ``scheme://host[:port]`` naming Cognito's own https endpoint or an allowed
    host. A stored URL not in canonical form is refused: it was never validated as such.
    """
    allowed_hosts = app_settings.ALLOWED_ENDPOINT_HOSTS  # read on every call: override_settings holds
    try:
        return _endpoint_allowed(endpoint_url, tuple(allowed_hosts))
    except TypeError:  # an entry that cannot be a cache key (check W005 names it): judged afresh
        return _judge_endpoint(endpoint_url)


@lru_cache(maxsize=64)
def _endpoint_allowed(endpoint_url: str, allowed_hosts: tuple[Any, ...]) -> bool:
    # The same URL against the same allow-list gets the same answer; judging it parses it
    # three ways, which every Cognito call and JWKS fetch would otherwise repeat.
    return _judge_endpoint(endpoint_url)


def _judge_endpoint(endpoint_url: str) -> bool:
    try:
        return canonical_endpoint(endpoint_url) == endpoint_url
    except ValidationError:
        return False


def validate_endpoint_url(value: str) -> None:
    """Field validator: see ``canonical_endpoint``.

    :raises ValidationError: as ``canonical_endpoint``.
    """
    canonical_endpoint(value)
