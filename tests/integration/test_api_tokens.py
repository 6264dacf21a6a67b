"""Bearer tokens on the example project's API (issue 10 §3), over HTTP through Django's
real stack: /api/me/ (cognito_auth.api.bearer_token_required) and /api/drf/me/
(cognito_auth.drf.CognitoTokenAuthentication), with tokens minted from a test key whose
JWKS a loopback server publishes (tests/jwks_server.py), and tokens from the emulator."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from jwks_server import (
    CLIENT_ID,
    ISSUER,
    POOL_ID,
    REGION,
    claims_for,
    hs256_with_public_key,
    mint,
    rsa_key,
    tampered,
    unsigned,
)

from cognito_auth.client import get_cognito_client
from cognito_auth.models import AppClient, CognitoIdentity

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
PATHS = ["/api/me/", "/api/drf/me/"]
SUB = claims_for()["sub"]


def bearer(site, path: str, token: str | None = None, header: str | None = None):
    value = header if header is not None else (f"Bearer {token}" if token is not None else None)
    return site.get(path, headers={"Authorization": value} if value is not None else {})


def assert_refused(answer, token: str | None = None, error: str | None = "invalid_token") -> None:
    assert answer.status_code == 401, answer.text
    challenge = answer.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    if error:
        assert f'error="{error}"' in challenge
    else:
        assert "error=" not in challenge
    assert answer.json()["detail"]
    if token:
        assert token not in answer.text and token not in challenge


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("token_use", ["access", "id"])
def test_a_valid_token_answers_its_linked_user_created_on_first_use(site, minted_client, jwks_server, path,
                                                                    token_use):
    for _ in range(3):
        answer = bearer(site, path, mint(claims_for(token_use)))
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"username": "alice", "sub": SUB}
    identity = CognitoIdentity.objects.get(user_pool_id=POOL_ID, sub=SUB)
    assert identity.user.get_username() == "alice" and identity.cognito_username == "alice"
    assert get_user_model().objects.count() == 1
    assert not identity.user.has_usable_password()
    assert jwks_server.requests == [f"/{POOL_ID}/.well-known/jwks.json"]  # once, not per request


@pytest.mark.parametrize("path", PATHS)
def test_an_access_token_finds_the_user_an_id_token_created(site, minted_client, path):
    assert bearer(site, path, mint(claims_for("id"))).status_code == 200
    answer = bearer(site, path, mint(claims_for("access")))
    assert answer.json() == {"username": "alice", "sub": SUB}
    assert get_user_model().objects.count() == 1


OTHER_POOL_ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Other"
FORGED = {
    "wrong audience": lambda: mint(claims_for("id", aud="anotherclient")),
    "wrong client_id": lambda: mint(claims_for("access", client_id="anotherclient")),
    "access token naming its client in aud": lambda: mint(claims_for("access", client_id=None, aud=CLIENT_ID)),
    "id token naming its client in client_id": lambda: mint(claims_for("id", aud=None, client_id=CLIENT_ID)),
    "another token_use": lambda: mint({**claims_for("id"), "token_use": "refresh"}),
    "expired": lambda: mint(claims_for("access", exp=1)),
    "wrong issuer": lambda: mint(claims_for("access", iss=OTHER_POOL_ISSUER)),
    "issuer with a trailing slash": lambda: mint(claims_for("access", iss=ISSUER + "/")),
    "unknown kid": lambda: mint(claims_for("access"), key=rsa_key("attacker"), kid="unknown"),
    "alg none": lambda: unsigned(claims_for("access")),
    "HMAC signed with the public key": lambda: hs256_with_public_key(claims_for("access"), rsa_key("key-1")),
    "tampered payload": lambda: tampered(mint(claims_for("access", sub="someone-else")), sub=SUB),
    "another key under the published kid": lambda: mint(claims_for("access"), key=rsa_key("attacker")),
    "no sub": lambda: mint(claims_for("access", sub=None)),
    "garbage": lambda: "not-a-token",
    "two parts": lambda: "abc.def",
    "payload not JSON": lambda: "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", sorted(FORGED))
def test_forged_expired_and_foreign_tokens_are_refused_with_401(site, minted_client, path, case):
    token = FORGED[case]()
    assert_refused(bearer(site, path, token), token)
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_an_expired_token_says_so(site, minted_client, path):
    answer = bearer(site, path, mint(claims_for("access", exp=1)))
    assert_refused(answer)
    assert "expired" in answer.headers["WWW-Authenticate"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer a b", "Bearer ab$cd", "Bearer  \t"])
def test_a_malformed_bearer_header_is_refused_with_401(site, minted_client, path, header):
    assert_refused(bearer(site, path, header=header))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("header", [None, "", "Basic YWxpY2U6c2VjcmV0", "Token abc"])
def test_no_bearer_credentials_get_a_bare_bearer_challenge(site, minted_client, path, header):
    answer = bearer(site, path, header=header) if header is not None else bearer(site, path)
    assert_refused(answer, error=None)
    assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", PATHS)
def test_a_token_of_a_client_not_stored_is_foreign_and_fetches_no_keys(site, minted_client, jwks_server, path):
    # Right pool, another client; right client id, another pool: neither is stored.
    for claims in (claims_for("access", client_id="notstored"), claims_for("id", iss=OTHER_POOL_ISSUER)):
        assert_refused(bearer(site, path, mint(claims)))
    assert jwks_server.requests == []


@pytest.mark.parametrize("path", PATHS)
def test_a_flood_of_unknown_kids_costs_no_fetch_per_request(site, minted_client, jwks_server, path):
    assert bearer(site, path, mint(claims_for("access"))).status_code == 200
    for n in range(5):
        assert_refused(bearer(site, path, mint(claims_for("access"), key=rsa_key("attacker"), kid=f"forged-{n}")))
    assert len(jwks_server.requests) == 1


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("behaviour", ["hang", "trickle", "not_jwks"])
def test_a_slow_or_broken_jwks_endpoint_answers_503_not_a_hang(site, settings, minted_client, jwks_server, path,
                                                                behaviour):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 0.5
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.5
    jwks_server.behaviour = behaviour
    answer = bearer(site, path, mint(claims_for("access")))  # the site answering at all is the bound
    assert answer.status_code == 503, answer.text
    assert answer.json()["detail"]
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_an_inactive_user_is_refused(site, minted_client, path):
    assert bearer(site, path, mint(claims_for("access"))).status_code == 200
    get_user_model().objects.filter(username="alice").update(is_active=False)
    assert_refused(bearer(site, path, mint(claims_for("access"))))


@pytest.mark.parametrize("path", PATHS)
def test_a_django_user_holding_the_name_is_never_taken_over(site, minted_client, path):
    get_user_model().objects.create_user("alice", password="django-only")
    assert_refused(bearer(site, path, mint(claims_for("access"))))
    assert not CognitoIdentity.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_session_cookie_alone_is_no_bearer_token(site, minted_client, path):
    get_user_model().objects.create_user("bob", password="django-only-7")
    assert site.login("bob", "django-only-7").status_code == 302
    assert_refused(bearer(site, path), error=None)


# Tokens from the emulator ------------------------------------------------------------------


@pytest.fixture
def emulator_tokens(alice, app_client_for_pool):
    result = get_cognito_client(app_client_for_pool, None).initiate_password_auth("alice", PASSWORD)
    return {"access": result.access_token, "id": result.id_token}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("token_use", ["access", "id"])
def test_emulator_tokens_answer_the_linked_user(site, cognito_pool, emulator_tokens, path, token_use):
    answer = bearer(site, path, emulator_tokens[token_use])
    assert answer.status_code == 200, answer.text
    identity = CognitoIdentity.objects.get(user_pool_id=cognito_pool.pool_id)
    assert answer.json() == {"username": "alice", "sub": identity.sub}


@pytest.mark.parametrize("path", PATHS)
def test_a_token_of_another_app_client_of_the_same_pool_is_foreign(site, cognito_emulator, cognito_pool,
                                                                     alice, app_client_for_pool, path):
    client_id, client_secret = cognito_emulator.create_app_client(
        cognito_pool.pool_id, "not-this-site", secret=True, flows=("ALLOW_USER_PASSWORD_AUTH",))
    other = AppClient(name="unsaved", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id,
                      client_id=client_id, client_secret=client_secret, endpoint_url=cognito_pool.endpoint_url)
    result = get_cognito_client(other, None).initiate_password_auth("alice", PASSWORD)
    for token in (result.access_token, result.id_token):
        assert_refused(bearer(site, path, token), token)
    assert not get_user_model().objects.exists()


# Groups over HTTP, with the emulator's tokens ----------------------------------------------


def test_cognito_groups_govern_the_admin_at_each_sign_in_and_api_request(site, settings, cognito_pool, alice,
                                                                        app_client_for_pool):
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff"]
    settings.COGNITO_AUTH_MIRROR_GROUPS = ["editors"]
    cognito_pool.set_groups("alice", "staff", "editors")
    assert site.login("alice", PASSWORD).status_code == 302
    user = get_user_model().objects.get(username="alice")
    assert user.is_staff and set(user.groups.values_list("name", flat=True)) == {"editors"}
    assert site.get("/admin/").status_code == 200

    cognito_pool.set_groups("alice", "editors")  # removed from staff in Cognito
    again = type(site)(site.base_url)
    assert again.login("alice", PASSWORD).status_code == 302
    assert not get_user_model().objects.get(username="alice").is_staff

    cognito_pool.set_groups("alice", "staff")  # an access token on the API brings it back
    token = get_cognito_client(app_client_for_pool, None).initiate_password_auth("alice", PASSWORD).access_token
    assert bearer(site, "/api/me/", token).status_code == 200
    user = get_user_model().objects.get(username="alice")
    assert user.is_staff and not user.groups.exists()


def test_a_django_only_superuser_keeps_the_admin(site, settings, cognito_pool, app_client_for_pool):
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff"]
    settings.COGNITO_AUTH_SUPERUSER_GROUPS = ["admins"]
    get_user_model().objects.create_superuser("root", "root@example.com", "django-only-7")
    assert site.login("root", "django-only-7").status_code == 302
    root = get_user_model().objects.get(username="root")
    assert (root.is_staff, root.is_superuser) == (True, True)
    assert site.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_after_a_failed_jwks_fetch_requests_answer_503_at_once_without_fetching(site, settings, minted_client,
                                                                                 jwks_server, path):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 0.5
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.5
    jwks_server.behaviour = "hang"
    assert bearer(site, path, mint(claims_for("access"))).status_code == 503
    assert len(jwks_server.requests) == 1
    jwks_server.behaviour = "serve"  # back up, but not asked again within the back-off
    for _ in range(3):
        answer = bearer(site, path, mint(claims_for("access")))
        assert answer.status_code == 503, answer.text
    assert len(jwks_server.requests) == 1
