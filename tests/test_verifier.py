"""The token verifier: signature against the pool's JWKS (fetched over loopback HTTP from
tests/jwks_server.py), claims, the keys' cache and its refetch throttle, bounded fetches."""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from jwks_server import (
    CLIENT_ID,
    ISSUER,
    POOL_ID,
    REGION,
    JwksServer,
    claims_for,
    hs256_with_public_key,
    mint,
    rsa_key,
    tampered,
    unsigned,
)

from cognito_auth import verifier
from cognito_auth.exceptions import ConfigurationError, EndpointNotAllowed, ServiceUnavailable
from cognito_auth.models import AppClient
from cognito_auth.tokens import id_token_claims
from cognito_auth.verifier import TokenInvalid, verify_token


@pytest.fixture
def app_client(jwks_server) -> AppClient:
    return AppClient(name="tokens", region=REGION, user_pool_id=POOL_ID, client_id=CLIENT_ID,
                     endpoint_url=jwks_server.url)


def refused(token: str, app_client: AppClient, token_use: str = "id") -> str:
    with pytest.raises(TokenInvalid) as refusal:
        verify_token(token, app_client, token_use)
    assert len(token) < 8 or token not in str(refusal.value)
    return refusal.value.reason


def test_a_valid_id_token_gives_its_claims_and_the_keys_are_fetched_once(jwks_server, app_client):
    for _ in range(3):
        claims = verify_token(mint(claims_for("id")), app_client, "id")
    assert claims["cognito:username"] == "alice" and claims["iss"] == ISSUER
    assert jwks_server.requests == [f"/{POOL_ID}/.well-known/jwks.json"]


def test_a_valid_access_token_gives_its_claims(app_client):
    assert verify_token(mint(claims_for("access")), app_client, "access")["username"] == "alice"


@pytest.mark.parametrize(
    ("token_use", "changes", "reason"),
    [
        ("id", {"aud": "anotherclient"}, "audience"),
        ("id", {"aud": None}, "audience"),
        ("access", {"client_id": "anotherclient"}, "client_id"),
        ("id", {"iss": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Other"}, "issuer"),
        ("id", {"iss": f"{ISSUER}/"}, "issuer"),
        ("id", {"iss": "http://127.0.0.1/" + POOL_ID}, "issuer"),
        ("id", {"exp": 1}, "expired"),
        ("id", {"exp": "4102444800"}, "expired"),
        ("id", {"sub": ""}, "no_sub"),
        ("id", {"sub": None}, "no_sub"),
    ],
)
def test_claims_that_do_not_fit_are_refused(app_client, token_use, changes, reason):
    assert refused(mint(claims_for(token_use, **changes)), app_client, token_use) == reason


def test_a_token_expired_within_the_clock_skew_is_still_accepted(app_client):
    token = mint(claims_for("id", exp=int(time.time()) - verifier.CLOCK_SKEW // 2))
    assert verify_token(token, app_client, "id")["sub"]


@pytest.mark.parametrize(("minted_as", "checked_as"), [("id", "access"), ("access", "id")])
def test_swapped_token_use_is_refused(app_client, minted_as, checked_as):
    # Even with both audience claims present, the kind of token decides.
    token = mint(claims_for(minted_as, aud=CLIENT_ID, client_id=CLIENT_ID))
    assert refused(token, app_client, checked_as) == "token_use"


def test_alg_none_is_refused_without_fetching_keys(jwks_server, app_client):
    assert refused(unsigned(claims_for("id")), app_client) == "algorithm"
    assert jwks_server.requests == []


def test_hs256_signed_with_the_public_key_is_refused(jwks_server, app_client):
    assert refused(hs256_with_public_key(claims_for("id"), rsa_key("key-1")), app_client) == "algorithm"
    assert jwks_server.requests == []


@pytest.mark.parametrize("alg", ["RS512", "PS256", "HS512", "ES256", "none", "rs256", ""])
def test_any_other_algorithm_in_the_header_is_refused(app_client, alg):
    token = mint(claims_for("id"))
    header = json.dumps({"alg": alg, "kid": "key-1"})
    forged = base64.urlsafe_b64encode(header.encode()).rstrip(b"=").decode() + token[token.index("."):]
    assert refused(forged, app_client) == "algorithm"


def test_a_tampered_payload_is_refused(app_client):
    token = mint(claims_for("id"))
    assert refused(tampered(token, sub="the-superusers-sub"), app_client) == "signature"


def test_a_token_signed_by_another_key_under_a_published_kid_is_refused(app_client):
    assert refused(mint(claims_for("id"), key=rsa_key("attacker")), app_client) == "signature"


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "a.!!!.c", "bnVsbA.e30.c", "W10.e30.c", "x" * 70000])
def test_garbage_is_malformed(app_client, token):
    assert refused(token, app_client) == "malformed"


def test_an_unknown_kid_refetches_once_then_is_throttled(jwks_server, app_client):
    verify_token(mint(claims_for("id")), app_client, "id")  # keys cached
    assert len(jwks_server.requests) == 1
    # Cognito rotated its keys a moment ago: the first token under the new kid refetches
    # (the throttle is held by the first fetch, so lift it as a minute passing would).
    jwks_server.keys["key-2"] = rsa_key("key-2")
    assert refused(mint(claims_for("id"), key=rsa_key("attacker"), kid="nope"), app_client) == "unknown_key"
    assert len(jwks_server.requests) == 1  # the keys are under a minute old: no refetch
    cache.delete_many([key for key in verifier._cache_keys(app_client, verifier.jwks_url(app_client))[1:]])
    assert verify_token(mint(claims_for("id"), key=rsa_key("key-2"), kid="key-2"), app_client, "id")
    assert len(jwks_server.requests) == 2
    # A flood of unknown kids now costs nothing more for a minute.
    for n in range(5):
        assert refused(mint(claims_for("id"), key=rsa_key("attacker"), kid=f"forged-{n}"), app_client) == "unknown_key"
    assert len(jwks_server.requests) == 2


def test_the_refetch_throttle_lives_in_djangos_cache(app_client):
    verify_token(mint(claims_for("id")), app_client, "id")
    keys_key, throttle_key, _ = verifier._cache_keys(app_client, verifier.jwks_url(app_client))
    assert cache.get(throttle_key) is True and set(cache.get(keys_key)) == {"key-1"}


def test_keys_are_cached_per_pool(jwks_server, app_client):
    other = AppClient(name="other", region=REGION, user_pool_id=f"{REGION}_Other", client_id=CLIENT_ID,
                      endpoint_url=jwks_server.url)
    verify_token(mint(claims_for("id")), app_client, "id")
    # The other pool's keys are fetched from its own address (404 here: unavailable).
    with pytest.raises(ServiceUnavailable):
        verify_token(mint(claims_for("id", iss=verifier.issuer(other))), other, "id")
    assert jwks_server.requests[-1] == f"/{REGION}_Other/.well-known/jwks.json"


def test_keys_survive_in_the_shared_cache_not_only_in_this_process(jwks_server, app_client):
    verify_token(mint(claims_for("id")), app_client, "id")
    verifier._imported_keys.clear()  # another process: nothing imported yet
    verify_token(mint(claims_for("id")), app_client, "id")
    assert len(jwks_server.requests) == 1


@pytest.mark.parametrize("behaviour", ["hang", "trickle", "huge", "not_jwks"])
def test_a_jwks_endpoint_that_misbehaves_gives_service_unavailable(settings, jwks_server, app_client, behaviour):
    # "hang" and "trickle" never end on their own: the test finishing is the bound.
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 0.5
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.5
    jwks_server.behaviour = behaviour
    with pytest.raises(ServiceUnavailable):
        verify_token(mint(claims_for("id")), app_client, "id")
    assert cache.get(verifier._cache_keys(app_client, verifier.jwks_url(app_client))[0]) is None


def test_a_redirect_is_not_followed(settings, app_client, jwks_server):
    target = JwksServer()
    try:
        jwks_server.behaviour = "redirect"
        jwks_server.redirect_to = f"{target.url}/{POOL_ID}/.well-known/jwks.json"
        with pytest.raises(ServiceUnavailable, match="302"):
            verify_token(mint(claims_for("id")), app_client, "id")
        assert target.requests == []
    finally:
        target.close()


def test_the_jwks_url_must_pass_the_endpoint_allow_list(settings, jwks_server, app_client):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = []
    with pytest.raises(EndpointNotAllowed):
        verify_token(mint(claims_for("id")), app_client, "id")
    assert jwks_server.requests == []


def test_addresses_of_aws_and_of_an_endpoint():
    aws = AppClient(region=REGION, user_pool_id=POOL_ID, client_id=CLIENT_ID)
    assert verifier.jwks_url(aws) == f"{ISSUER}/.well-known/jwks.json"
    emulated = AppClient(region=REGION, user_pool_id=POOL_ID, client_id=CLIENT_ID, endpoint_url="http://127.0.0.1:9/")
    assert verifier.jwks_url(emulated) == f"http://127.0.0.1:9/{POOL_ID}/.well-known/jwks.json"
    assert verifier.issuer(emulated) == ISSUER


# tokens.id_token_claims, what the backend calls: these forgeries were accepted before.

@pytest.mark.parametrize(
    "forge",
    [
        lambda: unsigned(claims_for("id")),
        lambda: hs256_with_public_key(claims_for("id"), rsa_key("key-1")),
        lambda: tampered(mint(claims_for("id")), sub="the-superusers-sub"),
        lambda: mint(claims_for("id"), key=rsa_key("attacker")),
        lambda: mint(claims_for("id"), key=rsa_key("attacker"), kid="attackers-own"),
    ],
    ids=["alg-none", "hs256-public-key", "tampered", "other-key-same-kid", "unknown-kid"],
)
def test_id_token_claims_refuses_forged_tokens(app_client, forge):
    with pytest.raises(SuspiciousOperation, match="refused"):
        id_token_claims(forge(), app_client)


def test_id_token_claims_says_when_keys_cannot_be_fetched(settings, jwks_server, app_client):
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.5
    jwks_server.behaviour = "hang"
    with pytest.raises(SuspiciousOperation, match="could not be verified"):
        id_token_claims(mint(claims_for("id")), app_client)


@pytest.mark.parametrize("pool_id", ["../eu-west-1_TestPool", "eu-west-1_Test/../x", "eu-west-1_Te st", ""])
def test_a_pool_id_that_is_not_one_never_becomes_a_url(jwks_server, pool_id):
    client = AppClient(region=REGION, user_pool_id=pool_id, client_id=CLIENT_ID, endpoint_url=jwks_server.url)
    with pytest.raises(ConfigurationError):
        verify_token(mint(claims_for("id")), client, "id")
    assert jwks_server.requests == []


@pytest.mark.parametrize("endpoint", ["http://user:pw@127.0.0.1:9", "http://127.0.0.2:9", "ftp://127.0.0.1:9"])
def test_a_jwks_url_off_the_allow_list_is_never_fetched(settings, endpoint):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1"]
    with pytest.raises(EndpointNotAllowed):
        verifier.fetch_jwks(f"{endpoint}/{POOL_ID}/.well-known/jwks.json")


def test_a_failed_fetch_is_not_repeated_for_a_while_in_djangos_cache(settings, jwks_server, app_client):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 0.5
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.5
    jwks_server.behaviour = "hang"
    with pytest.raises(ServiceUnavailable):
        verify_token(mint(claims_for("id")), app_client, "id")
    jwks_server.behaviour = "serve"
    with pytest.raises(ServiceUnavailable, match="not asked again yet"):
        verify_token(mint(claims_for("id")), app_client, "id")
    assert len(jwks_server.requests) == 1
    failed_key = verifier._cache_keys(app_client, verifier.jwks_url(app_client))[2]
    assert cache.get(failed_key) is True
    cache.delete(failed_key)  # FAILED_FETCH_BACKOFF seconds passing
    assert verify_token(mint(claims_for("id")), app_client, "id")
    assert len(jwks_server.requests) == 2
