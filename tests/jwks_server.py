"""Tokens minted from test RSA keys, and a loopback HTTP server publishing their JWKS.

The verifier fetches keys over real HTTP from here, as it would from Cognito, so its
timeouts, size limit, redirect refusal and cache are exercised, not bypassed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey
from loopback import LoopbackServer, QuietHandler

REGION = "eu-west-1"
POOL_ID = "eu-west-1_TestPool"
CLIENT_ID = "testclient"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"

_keys: dict[str, RSAKey] = {}


def rsa_key(name: str) -> RSAKey:
    """A 2048-bit RSA key per name, made once per test session (generation is slow)."""
    if name not in _keys:
        _keys[name] = RSAKey.generate_key(2048, auto_kid=False)
    return _keys[name]


def public_jwk(key: RSAKey, kid: str) -> dict[str, str]:
    return {**key.as_dict(private=False), "kid": kid, "alg": "RS256", "use": "sig"}


def claims_for(token_use: str = "id", **changes: Any) -> dict[str, Any]:
    """The claims Cognito puts in an ID or access token of POOL_ID / CLIENT_ID."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "11111111-2222-3333-4444-555555555555", "iss": ISSUER, "token_use": token_use,
        "iat": now, "auth_time": now, "exp": now + 3600, "jti": "a-jti",
    }
    if token_use == "id":
        claims.update({"aud": CLIENT_ID, "cognito:username": "alice", "email": "alice@example.com"})
    else:
        claims.update({"client_id": CLIENT_ID, "username": "alice", "scope": "aws.cognito.signin.user.admin"})
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def mint(claims: dict[str, Any], key: RSAKey | None = None, kid: str = "key-1", alg: str = "RS256") -> str:
    """A token signed RS256 with ``key`` (by default the published "key-1")."""
    return jwt.encode({"alg": alg, "kid": kid, "typ": "JWT"}, claims, key or rsa_key("key-1"), algorithms=[alg])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any], kid: str = "key-1") -> str:
    """``alg: none``: no signature at all."""
    return f"{_b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}.{_b64(json.dumps(claims).encode())}."


def hs256_with_public_key(claims: dict[str, Any], key: RSAKey, kid: str = "key-1") -> str:
    """The algorithm-confusion forgery: HS256 keyed with the pool's public key (PEM)."""
    secret = key.as_pem(private=False)
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def tampered(token: str, **changes: Any) -> str:
    """The same signature over a payload with some claims changed."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


class JwksServer(LoopbackServer):
    """Serves ``/<pool>/.well-known/jwks.json`` on loopback, as Cognito and the emulator do.

    ``keys`` is the published set (kid -> key); ``behaviour`` switches to "hang" (accept,
    read the request, never answer), "trickle" (headers, then one byte at a time without
    end), "redirect" (302 to ``redirect_to``), "huge" (a valid but 1 MiB document) or
    "not_jwks" (JSON that is not a key set). ``requests`` counts the requests received.
    """

    def __init__(self) -> None:
        self.keys: dict[str, RSAKey] = {"key-1": rsa_key("key-1")}
        self.behaviour = "serve"
        self.redirect_to = ""
        self.requests: list[str] = []
        self._stop = threading.Event()
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                server.answer(self)

        super().__init__(Handler)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key, kid) for kid, key in self.keys.items()]}

    def answer(self, handler: QuietHandler) -> None:
        if self.behaviour == "hang":
            self._stop.wait()
            return
        if self.behaviour == "redirect":
            handler.send_response(302)
            handler.send_header("Location", self.redirect_to)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if self.behaviour == "trickle":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            while not self._stop.wait(0.05):  # the pace of a hostile server, not a synchronisation
                try:
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                except OSError:
                    return
            return
        document: Any = {"serve": self.jwks, "not_jwks": lambda: ["not", "a", "key", "set"],
                         "huge": lambda: {**self.jwks(), "padding": "x" * 2**20}}[self.behaviour]()
        if handler.path != f"/{POOL_ID}/.well-known/jwks.json" and self.behaviour == "serve":
            handler.send_error(404)
            return
        handler.send_json(document)

    def close(self) -> None:
        self._stop.set()  # first: a hanging or trickling answer holds its thread until then
        super().close()

