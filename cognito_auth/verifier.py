"""Verifying Cognito's JSON Web Tokens: the signature against the pool's keys, then the claims.

One verifier for every token the app accepts: the ID token at sign-in, and (later) access
and ID tokens sent to APIs as bearer tokens. What AWS documents in "Verifying a JSON Web
Token" (Amazon Cognito Developer Guide) is what is checked here:

- the header names ``RS256`` and a ``kid`` found in the pool's JSON Web Key Set (JWKS,
  RFC 7517), and the RS256 signature (RFC 7515, RFC 7518 3.3) matches that key;
- ``iss`` is exactly ``https://cognito-idp.<region>.amazonaws.com/<user pool id>``;
- ``token_use`` is ``id`` or ``access`` as asked;
- ``aud`` (ID token) or ``client_id`` (access token) is the app client's id;
- ``exp`` (seconds since the epoch) has not passed, give or take ``CLOCK_SKEW`` seconds;
- ``sub`` is present.

The keys come from ``https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json``,
or from the same path under the app client's ``endpoint_url`` (an emulator, a VPC
endpoint). They are kept in Django's cache, so every process shares one copy; a token
signed with a key the cache does not know makes one fetch again, at most once a minute per
pool, which is how a key rotation by Cognito is picked up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from typing import TYPE_CHECKING, Any, Literal

from botocore.awsrequest import AWSRequest
from botocore.exceptions import BotoCoreError
from botocore.httpsession import URLLib3Session
from botocore.utils import get_environ_proxies
from django.core.exceptions import SuspiciousOperation
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import RSAKey
from urllib3.exceptions import HTTPError as URLLib3Error
from urllib3.util import parse_url

from . import budget, shared_cache
from .conf import app_settings
from .exceptions import ConfigurationError, EndpointNotAllowed, ServiceUnavailable
from .validators import endpoint_allowed

if TYPE_CHECKING:
    from .client import AppClientLike

TokenUse = Literal["id", "access"]

# Tolerated clock difference between this server and Cognito, in seconds.
CLOCK_SKEW = 60
# The only algorithm Cognito signs user pool tokens with. Naming it alone closes the doors
# "none" and HMAC (an HS256 token "signed" with the public key) would open.
ALGORITHM = "RS256"
# A token above this many characters is refused before any parsing: Cognito's ID tokens
# are a few kilobytes even with many groups and attributes.
MAX_TOKEN_LENGTH = 64 * 1024
# A JWKS larger than this is not Cognito's (a pool publishes two keys, about 1 KiB).
MAX_JWKS_BYTES = 64 * 1024
# A token whose key the cache lacks fetches the JWKS again at most this often per pool.
REFETCH_INTERVAL = 60
# After a failed fetch, the pool's JWKS is not asked again for this many seconds: the
# requests meanwhile are answered "unavailable" at once, rather than each waiting out the
# timeouts against a JWKS that is down (and piling up on it when it comes back).
FAILED_FETCH_BACKOFF = 30

# Cognito's pattern for a user pool id (API reference, UserPoolId): safe in a URL path.
POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)
# Per token_use: the claim naming the app client, and the reason code when it names another.
AUDIENCE_CLAIMS: dict[str, tuple[str, str]] = {"id": ("aud", "audience"), "access": ("client_id", "client_id")}

# Why a token was refused: the reason code and what the operator reads in the log.
REASONS: dict[str, str] = {
    "malformed": "it is not a well-formed signed JWT",
    "algorithm": f"its header names another algorithm than {ALGORITHM}",
    "unknown_key": "it names a key that is not in the user pool's JWKS",
    "signature": "its signature does not match the user pool's key",
    "issuer": "it was issued by another user pool or issuer",
    "token_use": "it is another kind of token (token_use)",
    "audience": "it was issued to another app client (aud)",
    "client_id": "it was issued to another app client (client_id)",
    "expired": "it has expired (exp)",
    "no_sub": "it names no subject (sub)",
}


class TokenInvalid(SuspiciousOperation):
    """A token this app must not accept. ``reason`` is a key of ``REASONS``.

    The message names the token's kind and the reason, never the token or its claims.
    """

    def __init__(self, reason: str, token_use: str) -> None:
        self.reason = reason
        self.token_use = token_use
        super().__init__(f"Cognito {token_use} token refused ({reason}): {REASONS[reason]}")


def issuer(app_client: AppClientLike) -> str:
    """The ``iss`` of the pool's tokens. Cognito, and the emulator behind an endpoint URL,
    always issue under the public regional name, whatever endpoint answered."""
    return f"https://cognito-idp.{app_client.region}.amazonaws.com/{app_client.user_pool_id}"


def jwks_url(app_client: AppClientLike) -> str:
    """Where the pool publishes its signing keys: AWS's address, or the endpoint URL's.

    :raises ConfigurationError: the pool id is not one (it becomes part of the URL's path).
    """
    if not POOL_ID.fullmatch(app_client.user_pool_id or ""):
        raise ConfigurationError("The app client's user pool id is not a Cognito user pool id.")
    if app_client.endpoint_url:
        return f"{app_client.endpoint_url.rstrip('/')}/{app_client.user_pool_id}/.well-known/jwks.json"
    return f"{issuer(app_client)}/.well-known/jwks.json"


def verify_token(token: str, app_client: AppClientLike, token_use: TokenUse) -> dict[str, Any]:
    """The claims of a Cognito token, once its signature and claims are verified.

    :param token: a compact JWS (``header.payload.signature``) as Cognito hands it out.
    :param app_client: the app client the token must have been issued to.
    :param token_use: ``"id"`` for an ID token, ``"access"`` for an access token.
    :returns: the payload as a dict (``sub``, ``exp`` in seconds since the epoch, ...).
    :raises TokenInvalid: the token must not be accepted; ``reason`` says why.
    :raises ServiceUnavailable: the pool's keys could not be fetched (timeout, refused,
        an answer that is not a JWKS), so the token could not be judged.
    :raises EndpointNotAllowed: the app client's endpoint URL fails the allow-list.
    :raises ConfigurationError: the app client's pool id is not a Cognito pool id.
    """
    if token_use not in AUDIENCE_CLAIMS:
        raise ValueError(f"token_use must be 'id' or 'access', not {token_use!r}")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenInvalid("malformed", token_use)
    header = _header(token, token_use)
    if header.get("alg") != ALGORITHM:
        raise TokenInvalid("algorithm", token_use)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenInvalid("unknown_key", token_use)
    key = signing_key(app_client, kid)
    if key is None:
        raise TokenInvalid("unknown_key", token_use)
    try:
        verified = jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
        claims = json.loads(verified.payload)
    except BadSignatureError:
        raise TokenInvalid("signature", token_use) from None
    except (JoseError, ValueError, UnicodeDecodeError):
        raise TokenInvalid("malformed", token_use) from None
    if not isinstance(claims, dict):
        raise TokenInvalid("malformed", token_use)
    _check_claims(claims, app_client, token_use)
    return claims


def _header(token: str, token_use: str) -> dict[str, Any]:
    encoded = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TokenInvalid("malformed", token_use) from None
    if not isinstance(header, dict):
        raise TokenInvalid("malformed", token_use)
    return header


def _check_claims(claims: dict[str, Any], app_client: AppClientLike, token_use: str) -> None:
    if claims.get("iss") != issuer(app_client):
        raise TokenInvalid("issuer", token_use)
    if claims.get("token_use") != token_use:
        raise TokenInvalid("token_use", token_use)
    # An ID token names its app client in aud, an access token in client_id (AWS docs).
    audience_claim, refusal = AUDIENCE_CLAIMS[token_use]
    if claims.get(audience_claim) != app_client.client_id:
        raise TokenInvalid(refusal, token_use)
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, (int, float)) or expires + CLOCK_SKEW < time.time():
        raise TokenInvalid("expired", token_use)
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenInvalid("no_sub", token_use)


# The keys ---------------------------------------------------------------------------------


def signing_key(app_client: AppClientLike, kid: str) -> RSAKey | None:
    """The pool's RS256 key named ``kid``, from the cache or fetched; None if it has none.

    A ``kid`` the cached set lacks fetches the set again, at most once per
    ``REFETCH_INTERVAL`` seconds per pool (across processes: the throttle is in Django's
    cache), so a flood of forged tokens costs Cognito one request a minute. A fetch that
    failed is not tried again for ``FAILED_FETCH_BACKOFF`` seconds per pool (also in the
    cache): meanwhile a token that needs the keys gets ``ServiceUnavailable`` at once.

    :raises ServiceUnavailable: the set could not be fetched, now or in the last
        ``FAILED_FETCH_BACKOFF`` seconds.
    :raises EndpointNotAllowed: the app client's endpoint URL fails the allow-list.
    """
    url = jwks_url(app_client)
    keys_key, throttle_key, failed_key = _cache_keys(app_client, url)
    keys: dict[str, dict[str, str]] | None = shared_cache.get(keys_key) or _local_keys(keys_key)
    if keys is None or (kid not in keys and shared_cache.add(throttle_key, True, REFETCH_INTERVAL)):
        if shared_cache.get(failed_key):
            raise ServiceUnavailable(
                f"The user pool's JWKS could not be fetched in the last {FAILED_FETCH_BACKOFF} s; not asked again yet.",
            )
        try:
            keys = rsa_keys(fetch_jwks(url))
        except ServiceUnavailable:
            shared_cache.set(failed_key, True, FAILED_FETCH_BACKOFF)
            raise
        shared_cache.set(keys_key, keys, app_settings.JWKS_CACHE_TIMEOUT)
        shared_cache.set(throttle_key, True, REFETCH_INTERVAL)  # keys this fresh need no refetch
        _LOCAL_KEYS[keys_key] = (time.monotonic() + app_settings.JWKS_CACHE_TIMEOUT, keys)
    jwk = keys.get(kid)
    return _imported(jwk) if jwk is not None else None


# The last keys this process fetched, per cache key: (monotonic expiry, keys). Read only
# when the shared cache has none (evicted, or unreachable: then no request refetches them).
# Public keys, so nothing here needs the shared cache's care; one small entry per pool.
_LOCAL_KEYS: dict[str, tuple[float, dict[str, dict[str, str]]]] = {}


def _local_keys(keys_key: str) -> dict[str, dict[str, str]] | None:
    expires, keys = _LOCAL_KEYS.get(keys_key, (0.0, {}))
    return keys if time.monotonic() < expires else None


def _cache_keys(app_client: AppClientLike, url: str) -> tuple[str, str, str]:
    # Keyed by pool, and by issuer and JWKS URL so an emulator's keys never serve AWS's pool
    # of the same id (a digest keeps the key within memcached's alphabet and length).
    digest = hashlib.sha256(f"{issuer(app_client)} {url}".encode()).hexdigest()[:24]
    return (f"cognito_auth:jwks:{app_client.user_pool_id}:{digest}",
            f"cognito_auth:jwks_refetch:{app_client.user_pool_id}:{digest}",
            f"cognito_auth:jwks_failed:{app_client.user_pool_id}:{digest}")


def rsa_keys(jwks: Any) -> dict[str, dict[str, str]]:
    """The RS256 signing keys of a JWKS (RFC 7517 5), by ``kid``: only ``kty``, ``n``, ``e``.

    Keys of other types, other algorithms, or another use than ``sig`` are left out, so
    no key in the set can ever serve another algorithm.

    :raises ServiceUnavailable: the document is not a JWKS.
    """
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ServiceUnavailable("The user pool's JWKS answer is not a key set.")
    keys: dict[str, dict[str, str]] = {}
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("alg", ALGORITHM) != ALGORITHM:
            continue
        if jwk.get("use", "sig") != "sig":
            continue
        kid, modulus, exponent = jwk.get("kid"), jwk.get("n"), jwk.get("e")
        if not (isinstance(kid, str) and isinstance(modulus, str) and isinstance(exponent, str)):
            continue
        if kid and modulus and exponent:
            keys[kid] = {"kty": "RSA", "n": modulus, "e": exponent}
    return keys


# Importing an RSA key costs more than the signature check itself; the keys are public and
# named by their own numbers, so a copy per process can never be stale or wrong.
_imported_keys: dict[tuple[str, str], RSAKey] = {}


def _imported(jwk: dict[str, str]) -> RSAKey | None:
    numbers = (jwk["n"], jwk["e"])
    key = _imported_keys.get(numbers)
    if key is None:
        try:
            key = RSAKey.import_key({"kty": "RSA", "n": jwk["n"], "e": jwk["e"]})
        except (JoseError, ValueError, TypeError):
            return None
        if len(_imported_keys) > 64:  # pools rotate keys; old ones need not stay
            _imported_keys.clear()
        _imported_keys[numbers] = key
    return key


def fetch_jwks(url: str) -> Any:
    """GET the JWKS document at ``url``, bounded in time and size.

    Through botocore's own HTTP stack, as the Cognito calls go: the same certificate
    checks and the same proxies (``HTTPS_PROXY``, ``NO_PROXY``), nothing else. Redirects
    are not followed; the connect and read timeouts are ``COGNITO_AUTH_CONNECT_TIMEOUT``
    and ``COGNITO_AUTH_READ_TIMEOUT``, cut to what is left of the request's budget
    (``budget.timeouts``); the whole fetch gives up once it has taken their sum, and a
    body above ``MAX_JWKS_BYTES`` is refused.

    :returns: the parsed JSON document.
    :raises EndpointNotAllowed: the URL fails the endpoint allow-list.
    :raises ServiceUnavailable: no JSON document within those bounds.
    """
    # The allow-list judges endpoints (scheme, host, port), as urllib3, which connects,
    # reads them; the path is the pool's own.
    try:
        parts = parse_url(url)
    except ValueError:
        raise EndpointNotAllowed("The JWKS URL is not an allowed endpoint.") from None
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url
    if parts.auth or parts.query or parts.fragment or not endpoint_allowed(origin):
        raise EndpointNotAllowed("The JWKS URL is not an allowed endpoint.")
    connect, read = budget.timeouts(app_settings.CONNECT_TIMEOUT, app_settings.READ_TIMEOUT, "JWKS fetch")
    deadline = time.monotonic() + connect + read
    # botocore takes a (connect, read) pair here (URLLib3Session builds urllib3's Timeout
    # from it); botocore-stubs declare only int | None.
    session = URLLib3Session(
        proxies=get_environ_proxies(url),
        timeout=(connect, read),  # type: ignore[arg-type]
        max_pool_connections=1,
    )
    request = AWSRequest(method="GET", url=url, headers={"Accept": "application/json"}).prepare()
    request.stream_output = True
    try:
        response = session.send(request)
        try:
            if response.status_code != 200:
                raise ServiceUnavailable(f"The user pool's JWKS answered HTTP {response.status_code}.")
            body = _bounded_body(response.raw, deadline)
        finally:
            response.raw.release_conn()
    except (BotoCoreError, URLLib3Error, OSError) as exc:
        raise ServiceUnavailable(f"The user pool's JWKS could not be fetched ({type(exc).__name__}).") from None
    finally:
        session.close()
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ServiceUnavailable("The user pool's JWKS answer is not JSON.") from None


def _bounded_body(raw: Any, deadline: float) -> bytes:
    """The body, read one socket read at a time (``read1``) so a server that trickles
    bytes is cut off at the deadline rather than after a read timeout per byte."""
    read = getattr(raw, "read1", None) or raw.read  # read1: urllib3 2.x; else small reads
    body = bytearray()
    while chunk := read(4096, decode_content=False):
        body += chunk
        if len(body) > MAX_JWKS_BYTES:
            raise ServiceUnavailable("The user pool's JWKS answer is too large.")
        if time.monotonic() > deadline:
            raise ServiceUnavailable("The user pool's JWKS answer took too long.")
    return bytes(body)
