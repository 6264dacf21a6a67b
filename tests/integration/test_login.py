"""Sign-in through the example site over HTTP against the strict emulator process."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection

from cognito_auth.client import CognitoClient
from cognito_auth.exceptions import InvalidCredentials
from cognito_auth.models import AppClient, CognitoIdentity
from cognito_auth.sessions import SESSION_KEY, SessionTokens

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
INVALID_LOGIN = "Please enter a correct username and password"
UNAVAILABLE = "Sign-in is temporarily unavailable"


def cognito_calls(emulator, action: str = "InitiateAuth") -> list[dict]:
    return [call for call in emulator.calls() if call["action"] == action]


def test_good_login_redirects_creates_the_user_and_makes_one_cognito_call(site, alice, cognito_emulator):
    cognito_emulator.reset_log()
    response = site.login("alice", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    calls = cognito_emulator.calls()
    assert [(c["action"], c["auth_flow"], c["secret_hash"], c["outcome"]) for c in calls] == [
        ("InitiateAuth", "USER_PASSWORD_AUTH", "present", "ok")
    ]
    home = site.get("/")
    assert home.status_code == 200
    assert "Signed in as alice" in home.text
    user = get_user_model().objects.get(username="alice")
    assert (user.email, user.first_name, user.last_name) == ("alice@example.com", "Alice", "Liddell")
    assert not user.has_usable_password()
    identity = CognitoIdentity.objects.get(user=user)
    assert identity.cognito_username == "alice"
    # Page views while the tokens are fresh make no Cognito call.
    for _ in range(3):
        assert site.get("/").status_code == 200
    assert len(cognito_emulator.calls()) == 1


def test_next_is_followed_only_when_safe(site, alice):
    assert site.login("alice", PASSWORD, next="/admin/").headers["Location"] == "/admin/"
    other = type(site)(site.base_url)
    assert other.login("alice", PASSWORD, next="https://evil.example/").headers["Location"] == "/"


def test_second_login_links_the_same_user_and_updates_claims(site, alice, cognito_pool, cognito_emulator):
    site.login("alice", PASSWORD)
    cognito_emulator.boto3_admin_client().admin_update_user_attributes(
        UserPoolId=cognito_pool.pool_id, Username="alice",
        UserAttributes=[{"Name": "given_name", "Value": "Alicia"}],
    )
    again = type(site)(site.base_url)
    assert again.login("alice", PASSWORD).status_code == 302
    assert get_user_model().objects.filter(username="alice").count() == 1
    assert get_user_model().objects.get(username="alice").first_name == "Alicia"


def test_tokens_stay_server_side_and_encrypted(site, alice):
    site.login("alice", PASSWORD)
    assert set(site.http.cookies.keys()) <= {"sessionid", "csrftoken"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        stored = repr(cursor.fetchall())
    data = [s.get_decoded() for s in Session.objects.all()]
    tokens = [d[SESSION_KEY] for d in data if SESSION_KEY in d]
    assert tokens and all(t.startswith("gAAAAA") for t in tokens)  # Fernet, not a JWT
    assert "eyJ" not in stored and not any("eyJ" in str(d) for d in data)  # no JWT anywhere


def test_wrong_password_and_unknown_user_get_the_same_page(site, alice):
    wrong = site.login("alice", "Not-the-password-1")
    unknown = type(site)(site.base_url).login("nobody-here", "Not-the-password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert INVALID_LOGIN in wrong.text

    def without_varying_parts(html: str) -> str:
        return re.sub(r'value="[^"]*"', 'value=""', html)  # CSRF token and the typed username

    assert without_varying_parts(wrong.text) == without_varying_parts(unknown.text)


def test_disabled_user_gets_the_same_message(site, cognito_pool, app_client_for_pool):
    cognito_pool.create_user("carol", PASSWORD, enabled=False)
    response = site.login("carol", PASSWORD)
    assert response.status_code == 200 and INVALID_LOGIN in response.text


def test_client_without_secret_sends_no_hash(site, cognito_emulator, cognito_pool, db):
    client_id, secret = cognito_emulator.create_app_client(cognito_pool.pool_id, "public", secret=False)
    assert secret == ""
    AppClient.objects.create(
        name="public", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id, client_id=client_id,
        endpoint_url=cognito_pool.endpoint_url, is_default=True,
    )
    cognito_pool.create_user("dave", PASSWORD)
    cognito_emulator.reset_log()
    assert site.login("dave", PASSWORD).status_code == 302
    assert [c["secret_hash"] for c in cognito_calls(cognito_emulator)] == ["absent"]


def test_wrong_stored_secret_is_diagnosed_then_fixed_in_place(site, alice, app_client_for_pool, cognito_pool,
                                                             caplog):
    app_client_for_pool.client_secret = "not-the-real-secret"
    app_client_for_pool.save()
    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        response = site.login("alice", PASSWORD)
    assert response.status_code == 200 and UNAVAILABLE in response.text
    errors = [r for r in caplog.records if r.name == "cognito_auth" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "'emulated'" in message and app_client_for_pool.client_id in message
    assert "SECRET_HASH did not match" in message
    assert "not-the-real-secret" not in caplog.text and PASSWORD not in caplog.text
    # The operator puts the right secret back: the next sign-in works, no restart.
    app_client_for_pool.client_secret = cognito_pool.client_secret
    app_client_for_pool.save()
    assert site.login("alice", PASSWORD).status_code == 302


def test_missing_secret_is_diagnosed(site, alice, app_client_for_pool, caplog):
    app_client_for_pool.client_secret = ""
    app_client_for_pool.save()
    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        assert UNAVAILABLE in site.login("alice", PASSWORD).text
    assert "SECRET_HASH was missing" in caplog.text


def test_flow_not_enabled_is_diagnosed(site, cognito_emulator, cognito_pool, db, caplog):
    client_id, secret = cognito_emulator.create_app_client(
        cognito_pool.pool_id, "srp-only", secret=True, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    AppClient.objects.create(
        name="srp-only", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id, client_id=client_id,
        client_secret=secret, endpoint_url=cognito_pool.endpoint_url, is_default=True,
    )
    cognito_pool.create_user("erin", PASSWORD)
    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        assert UNAVAILABLE in site.login("erin", PASSWORD).text
    assert "flow not enabled" in caplog.text and "ALLOW_USER_PASSWORD_AUTH" in caplog.text
    assert "'srp-only'" in caplog.text


def test_django_only_staff_still_sign_in_when_cognito_is_down(site, app_client_for_pool, closed_endpoint, settings):
    get_user_model().objects.create_superuser("root", "root@example.com", "Local-only-pass-1")
    app_client_for_pool.endpoint_url = closed_endpoint
    app_client_for_pool.save()
    response = site.login("root", "Local-only-pass-1")
    assert response.status_code == 302


@pytest.mark.parametrize("endpoint_fixture", ["closed_endpoint", "hanging_endpoint"])
def test_unreachable_cognito_gives_a_message_not_a_500(site, alice, app_client_for_pool, request, settings,
                                                       endpoint_fixture):
    # Short timeouts keep the suite fast; the defaults' bound is checked in test_client.py.
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 0.5
    settings.COGNITO_AUTH_READ_TIMEOUT = 0.5
    app_client_for_pool.endpoint_url = request.getfixturevalue(endpoint_fixture)
    app_client_for_pool.save()
    response = site.login("alice", PASSWORD)
    assert response.status_code == 200
    assert UNAVAILABLE in response.text
    assert not get_user_model().objects.filter(username="alice").exists()  # nothing half-written


def test_second_app_client_is_picked_by_host(site, cognito_emulator, cognito_pool, alice, db):
    other_pool = cognito_emulator.create_user_pool("shop-pool")
    shop_client, shop_secret = cognito_emulator.create_app_client(other_pool, "shop", secret=True)
    cognito_emulator.create_user(other_pool, "alice", "Shop-pass-word-9")
    AppClient.objects.create(
        name="shop", region=other_pool.split("_")[0], user_pool_id=other_pool, client_id=shop_client,
        client_secret=shop_secret, endpoint_url=cognito_pool.endpoint_url, hosts="shop.example.test",
    )
    cognito_emulator.reset_log()
    shop = type(site)(site.base_url, host="shop.example.test")
    assert shop.login("alice", PASSWORD).status_code == 200  # the default pool's password
    assert shop.login("alice", "Shop-pass-word-9").status_code == 302
    assert {c["client_id"] for c in cognito_calls(cognito_emulator)} == {shop_client}
    assert CognitoIdentity.objects.get().user_pool_id == other_pool
    default = type(site)(site.base_url)
    assert default.login("alice", PASSWORD).status_code == 200  # username taken by shop's alice
    refused = default.login("alice", PASSWORD).text  # tells nobody a Django "alice" exists
    assert INVALID_LOGIN in refused and "cannot be signed in here yet" not in refused


HOSTILE = [
    "", " ", "a" * 5000, "\x00", "ali\x00ce", "\x1b[31mred", "line\nbreak", "tab\tname", "emoji🙂user",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "' OR 1=1 --", "<script>x</script>",
    "ü" * 200,
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_on_the_login_form_never_gives_a_500(site, alice, value):
    for data in ({"username": value, "password": value}, {"username": "alice", "password": value},
                 {"username": value, "password": PASSWORD}):
        response = site.post_form("/accounts/login/", data)
        assert response.status_code == 200, (data, response.status_code)


def test_non_utf8_body_is_a_form_error(site, alice):
    page = site.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    body = b"csrfmiddlewaretoken=" + token.encode() + b"&username=%ff%fe%c3&password=%80abc"
    response = site.http.post(
        site.base_url + "/accounts/login/", data=body, allow_redirects=False, timeout=30,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": site.base_url + "/accounts/login/"},
    )
    assert response.status_code == 200
    assert "Enter a valid username" in response.text


def test_logout_is_a_post_and_ends_the_session(site, alice):
    site.login("alice", PASSWORD)
    assert site.get("/").status_code == 200
    assert site.get("/accounts/logout/").status_code == 405  # a GET must not sign anyone out
    assert site.get("/").status_code == 200
    response = site.http.post(
        site.base_url + "/accounts/logout/",
        data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
        headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30,
    )
    assert response.status_code == 302
    assert site.get("/").status_code == 302


def test_logout_revokes_the_refresh_token(site, alice, cognito_emulator, app_client_for_pool):
    site.login("alice", PASSWORD)
    session = Session.objects.get(session_key=site.http.cookies["sessionid"])
    tokens = SessionTokens.load(session.get_decoded())
    cognito_emulator.reset_log()
    response = site.http.post(site.base_url + "/accounts/logout/",
                              data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                              headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert [(c["action"], c["outcome"]) for c in cognito_emulator.calls()] == [("RevokeToken", "ok")]
    with pytest.raises(InvalidCredentials, match="revoked"):
        CognitoClient(app_client_for_pool).refresh(tokens.refresh_token, tokens.cognito_username)


def test_logout_works_when_cognito_is_down(site, alice, app_client_for_pool, closed_endpoint):
    site.login("alice", PASSWORD)
    app_client_for_pool.endpoint_url = closed_endpoint
    app_client_for_pool.save()
    response = site.http.post(site.base_url + "/accounts/logout/",
                              data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                              headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert site.get("/").status_code == 302


def test_logout_revokes_with_the_previous_secret_during_a_rotation(site, alice, cognito_emulator,
                                                                  app_client_for_pool, cognito_pool):
    # App first: the new secret is stored while Cognito still knows only the old one.
    app_client_for_pool.previous_client_secret = cognito_pool.client_secret
    app_client_for_pool.client_secret = "a-new-secret-cognito-does-not-know-yet"
    app_client_for_pool.save()
    site.login("alice", PASSWORD)
    tokens = SessionTokens.load(Session.objects.get(session_key=site.http.cookies["sessionid"]).get_decoded())
    cognito_emulator.reset_log()
    site.http.post(site.base_url + "/accounts/logout/", data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                   headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30)
    assert [(c["action"], c["outcome"]) for c in cognito_emulator.calls()] == [
        ("RevokeToken", "UnauthorizedException"), ("RevokeToken", "ok"),
    ]
    with pytest.raises(InvalidCredentials, match="revoked"):
        CognitoClient(app_client_for_pool).refresh(tokens.refresh_token, tokens.cognito_username)


def test_the_username_reaches_cognito_exactly_as_typed(site, cognito_pool, app_client_for_pool, cognito_emulator):
    wide = "\uff57\uff49\uff44\uff45"  # full-width "wide": Django's UsernameField would fold it (NFKC)
    cognito_pool.create_user(wide, PASSWORD)
    cognito_emulator.reset_log()
    assert site.login(wide, PASSWORD).status_code == 302
    assert [c["username"] for c in cognito_emulator.calls()] == [wide]
