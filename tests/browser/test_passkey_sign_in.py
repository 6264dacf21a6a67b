"""Passkey sign-in in Debian's chromium with a virtual WebAuthn authenticator (DevTools
protocol's WebAuthn domain): register a passkey, sign out, sign in with it through the
login page's "Sign in with a passkey" and the passkey step page (static
passkey_sign_in.js runs navigator.credentials.get for real; the emulator verifies the
assertion), remove it, and see passkey sign-in refused."""

from __future__ import annotations

import re

import pytest

from cognito_auth.models import AppClient
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS
from tests.browser.test_passkeys import PASSWORD, VIRTUAL_AUTHENTICATOR, js_context, shoot  # noqa: F401

HOME = re.compile(r"^http://localhost:\d+/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def passkey_pool(cognito_pool_factory, db):
    pool = cognito_pool_factory(Policies=PASSWORDLESS_POLICIES)
    pool.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    pool.enable_passkeys("localhost")
    pool.create_user("alice", PASSWORD, {"email": "alice@example.com", "email_verified": "true"})
    AppClient.objects.create(
        name="emulated", region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
        client_secret=pool.client_secret, endpoint_url=pool.endpoint_url, is_default=True,
        auth_flow="USER_AUTH", sign_in_methods="PASSWORD EMAIL_OTP WEB_AUTHN",
    )
    return pool


def sign_out(page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto("/")
    page.wait_for_url("**/accounts/login/**")


def ask_for_passkey(page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.locator("#passkey-sign-in").click()


def test_register_sign_out_sign_in_with_passkey_remove_refused(js_context, passkey_pool, request):  # noqa: F811
    page = js_context.new_page()
    devtools = js_context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    page.goto("/accounts/login/")
    assert page.locator("#passkey-sign-in").is_visible()  # the script showed it
    shoot(page, request, "01-login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(HOME)
    page.goto("/accounts/passkeys/register/")
    page.click("#passkey-create")
    page.wait_for_url("**/accounts/passkeys/")
    assert page.get_by_text("Your passkey was added.").is_visible()
    sign_out(page)

    ask_for_passkey(page)
    page.wait_for_url("**/accounts/login/passkey/")
    shoot(page, request, "02-passkey-step")
    page.click("#passkey-use")
    page.wait_for_url(HOME)
    assert page.get_by_text("Signed in as").is_visible()
    shoot(page, request, "03-signed-in")

    page.goto("/accounts/passkeys/")
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url("**/accounts/passkeys/")
    assert page.get_by_text("Your passkey was removed.").is_visible()
    sign_out(page)
    ask_for_passkey(page)
    page.wait_for_url("**/accounts/login/choose/")
    assert page.get_by_text("No passkey can sign in to this account here.").is_visible()
    assert page.locator("input[value=WEB_AUTHN]").count() == 0
    shoot(page, request, "04-refused")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("navigator.credentials.get = () => Promise.reject(new DOMException('cancelled', 'NotAllowedError'));",
         "Passkey sign-in was cancelled or timed out"),
    ],
    ids=["cancelled"],
)
def test_no_authenticator_or_cancelled_is_a_clear_message(js_context, passkey_pool, request, script, expected):  # noqa: F811
    page = js_context.new_page()
    devtools = js_context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    # alice needs a passkey for Cognito to offer WEB_AUTHN: register one first.
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(HOME)
    page.goto("/accounts/passkeys/register/")
    page.click("#passkey-create")
    page.wait_for_url("**/accounts/passkeys/")
    sign_out(page)
    page.add_init_script(script)
    ask_for_passkey(page)
    page.wait_for_url("**/accounts/login/passkey/")
    page.click("#passkey-use")
    status = page.locator("#passkey-status")
    status.wait_for(state="visible")
    assert status.inner_text().startswith(expected)
    assert page.url.endswith("/accounts/login/passkey/")
    shoot(page, request, "cancelled")


def test_without_webauthn_the_login_page_hides_the_passkey_button(js_context, passkey_pool, request):  # noqa: F811
    page = js_context.new_page()
    page.add_init_script("delete window.PublicKeyCredential;")
    page.goto("/accounts/login/")
    assert page.locator("#passkey-sign-in").is_hidden()
    assert page.get_by_role("button", name="Email me a sign-in code").is_visible()
    shoot(page, request, "no-webauthn")
