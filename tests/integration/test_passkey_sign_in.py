"""Passkey sign-in (USER_AUTH, WEB_AUTHN) from the login page, over HTTP against the
emulator process; a software authenticator plays the browser's part. A passkey signs the
person in with two Cognito calls; a tampered, replayed or foreign assertion, another
origin, a user without a passkey and an unknown name never sign in and never answer 500.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from cognito_auth.models import AppClient
from cognito_auth.testing.authenticator import SoftwareAuthenticator, b64url, from_b64url
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS

from .conftest import PASSWORD, Site
from .test_passkeys import delete, register
from .test_sign_in_steps import PAGES, signed_in_as

pytestmark = pytest.mark.django_db(transaction=True)
PASSKEY_PAGE = "/accounts/login/passkey/"
OPTIONS_BLOCK = re.compile(r'<script id="passkey-request-options" type="application/json">(.*?)</script>', re.S)
REFUSED = "That passkey was not accepted"
NOT_AVAILABLE = "No passkey can sign in to this account here"


@pytest.fixture
def pool(cognito_pool_factory, db):
    cognito = cognito_pool_factory(Policies=PASSWORDLESS_POLICIES, alias_attributes=["email"])
    cognito.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    cognito.enable_passkeys("localhost")
    for name in ("alice", "bob"):
        cognito.create_user(name, PASSWORD, {"email": f"{name}@example.com", "email_verified": "true"})
    AppClient.objects.create(
        name="emulated", region=cognito.region, user_pool_id=cognito.pool_id, client_id=cognito.client_id,
        client_secret=cognito.client_secret, endpoint_url=cognito.endpoint_url, is_default=True,
        auth_flow="USER_AUTH", sign_in_methods="PASSWORD EMAIL_OTP WEB_AUTHN",
    )
    return cognito


def with_passkey(site: Site, name: str) -> SoftwareAuthenticator:
    """Sign ``name`` in with the password, register a passkey, sign out: the authenticator."""
    assert site.login(name, PASSWORD).status_code == 302
    authenticator = SoftwareAuthenticator(site.base_url)
    response, _credential = register(site, authenticator)
    assert response.status_code == 302, response.text
    sign_out(site)
    return authenticator


def sign_out(site: Site) -> None:
    token = site.http.cookies["csrftoken"]
    site.http.post(
        site.base_url + "/accounts/logout/", data={"csrfmiddlewaretoken": token},
        headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30,
    )
    assert site.get("/").status_code == 302


def ask_for_passkey(site: Site, name: str):
    return site.post_form("/accounts/login/", {"username": name, "method": "WEB_AUTHN"})


def passkey_page(site: Site) -> tuple[dict, str, str]:
    """The step page's CREDENTIAL_REQUEST_OPTIONS, CSRF token and step id."""
    page = site.get(PASSKEY_PAGE)
    assert page.status_code == 200, page.headers.get("Location")
    options = json.loads(html.unescape(OPTIONS_BLOCK.search(page.text).group(1)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    step = re.search(r'name="step" value="([^"]+)"', page.text).group(1)
    return options, token, step


def post_assertion(site: Site, token: str, step: str, credential: dict | str):
    text = credential if isinstance(credential, str) else json.dumps(credential)
    return site.http.post(
        site.base_url + PASSKEY_PAGE, data={"csrfmiddlewaretoken": token, "step": step, "credential": text},
        headers={"Referer": site.base_url + PASSKEY_PAGE}, allow_redirects=False, timeout=30,
    )


def followed_text(site: Site, response) -> str:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith("/accounts/login/")
    return html.unescape(site.get(response.headers["Location"]).text)


def test_login_page_offers_passkeys_only_through_its_script(site, pool) -> None:
    page = site.get("/accounts/login/").text
    button = re.search(r'<button[^>]*value="WEB_AUTHN"[^>]*>', page).group(0)
    assert "hidden" in button  # shown by the script, where the browser has WebAuthn
    assert '<script src="/static/cognito_auth/passkey_sign_in.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script


def test_passkey_signs_in_with_two_cognito_calls(site, pool) -> None:
    authenticator = with_passkey(site, "alice")
    start = len(pool.calls())
    asked = ask_for_passkey(site, "alice@example.com")  # an alias: answers go by the internal name
    assert (asked.status_code, asked.headers["Location"]) == (302, PASSKEY_PAGE)
    options, token, step = passkey_page(site)
    assert options["rpId"] == "localhost" and options["allowCredentials"]
    done = post_assertion(site, token, step, authenticator.sign_in(options))
    assert (done.status_code, done.headers["Location"]) == (302, "/")
    assert signed_in_as(site)
    calls = pool.calls()[start:]
    assert [(call["action"], call["outcome"]) for call in calls] == [
        ("InitiateAuth", "ok"), ("RespondToAuthChallenge", "ok"),
    ]


def test_replayed_assertion_is_refused(site, pool) -> None:
    authenticator = with_passkey(site, "alice")
    ask_for_passkey(site, "alice")
    options, token, step = passkey_page(site)
    assertion = authenticator.sign_in(options)
    assert post_assertion(site, token, step, assertion).headers["Location"] == "/"
    sign_out(site)
    # The same assertion for a new sign-in: it signed another challenge.
    ask_for_passkey(site, "alice")
    _options, token, step = passkey_page(site)
    refused = post_assertion(site, token, step, assertion)
    assert refused.status_code == 200
    assert "That answer belongs to another sign-in" in html.unescape(refused.text)
    assert site.get("/").status_code == 302


def test_tampered_assertion_is_refused_and_ends_the_step(site, pool) -> None:
    authenticator = with_passkey(site, "alice")
    ask_for_passkey(site, "alice")
    options, token, step = passkey_page(site)
    assertion = authenticator.sign_in(options)
    signature = bytearray(from_b64url(assertion["response"]["signature"]))
    signature[-1] ^= 0x01
    assertion["response"]["signature"] = b64url(bytes(signature))
    refused = post_assertion(site, token, step, assertion)
    assert REFUSED in followed_text(site, refused)
    assert site.get("/").status_code == 302
    # Cognito used the challenge up: a right answer to it now signs nobody in.
    assert site.get(PASSKEY_PAGE).status_code == 302


def test_sign_counter_that_does_not_grow_is_refused(site, pool) -> None:
    authenticator = with_passkey(site, "alice")
    ask_for_passkey(site, "alice")
    options, token, step = passkey_page(site)
    assert post_assertion(site, token, step, authenticator.sign_in(options)).headers["Location"] == "/"
    sign_out(site)
    authenticator.credentials[-1].sign_count -= 1  # a cloned authenticator: the counter went back
    ask_for_passkey(site, "alice")
    options, token, step = passkey_page(site)
    refused = post_assertion(site, token, step, authenticator.sign_in(options))
    assert REFUSED in followed_text(site, refused)
    assert site.get("/").status_code == 302


def test_passkey_of_another_user_is_refused(site, pool) -> None:
    alice_key = with_passkey(site, "alice")
    with_passkey(site, "bob")
    ask_for_passkey(site, "bob")
    options, token, step = passkey_page(site)
    alice_options = {**options, "allowCredentials": []}
    refused = post_assertion(site, token, step, alice_key.sign_in(alice_options))
    assert REFUSED in followed_text(site, refused)
    assert site.get("/").status_code == 302


def test_wrong_origin_is_refused(site, pool) -> None:
    authenticator = with_passkey(site, "alice")
    ask_for_passkey(site, "alice")
    options, token, step = passkey_page(site)
    refused = post_assertion(site, token, step, authenticator.sign_in(options, origin="https://evil.example"))
    assert refused.status_code == 200
    assert REFUSED in html.unescape(refused.text)
    assert site.get("/").status_code == 302


@pytest.mark.parametrize("garbage", ["", "{", "[]", json.dumps({"type": "public-key"}), "\x00" * 10, "😀" * 50])
def test_malformed_answers_are_form_errors(site, pool, garbage) -> None:
    with_passkey(site, "alice")
    ask_for_passkey(site, "alice")
    _options, token, step = passkey_page(site)
    refused = post_assertion(site, token, step, garbage)
    assert refused.status_code == 200
    assert "errorlist" in refused.text


def test_user_without_passkey_and_unknown_name_get_the_same_pages(site, pool) -> None:
    pages = []
    for name in ("bob", "nobody-here"):
        site.http.cookies.clear()
        asked = ask_for_passkey(site, name)
        assert (asked.status_code, asked.headers["Location"]) == (302, PAGES["choose"])
        text = html.unescape(site.get(PAGES["choose"]).text)
        assert NOT_AVAILABLE in text and 'value="WEB_AUTHN"' not in text
        pages.append(re.findall(r'name="choice" value="([A-Z_]+)"', text))
        assert site.get("/").status_code == 302
    assert pages[0] == pages[1] and pages[0]


def test_passkey_sign_in_after_the_passkey_is_removed(site, pool) -> None:
    authenticator = with_passkey(site, "alice")
    assert site.login("alice", PASSWORD).status_code == 302
    credential_id = b64url(authenticator.credentials[-1].credential_id)
    assert delete(site, credential_id).status_code == 302
    sign_out(site)
    asked = ask_for_passkey(site, "alice")
    assert asked.headers["Location"] == PAGES["choose"]
    assert NOT_AVAILABLE in html.unescape(site.get(PAGES["choose"]).text)
