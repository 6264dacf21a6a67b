"""Passkeys in Debian's chromium with a virtual WebAuthn authenticator (DevTools
protocol's WebAuthn domain): register one on the Passkeys page, see it listed, remove it.
The page's script (static/cognito_auth/passkeys.js) runs for real; the emulator verifies
what the authenticator made."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .accessibility import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"

PASSWORD = "Correct-Horse-7-battery"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A platform authenticator holding discoverable credentials, verifying the person and
# answering at once (no prompt to click through).
VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture
def js_context(browser, live_server, settings) -> Iterator[object]:
    settings.ALLOWED_HOSTS = ["localhost"]
    # localhost, not 127.0.0.1: browsers refuse an IP address as a relying party ID.
    assert live_server.url.startswith("http://localhost:")
    context = browser.new_context(base_url=live_server.url)
    yield context
    context.close()


@pytest.fixture
def signed_in(js_context, cognito_pool, app_client_for_pool):
    cognito_pool.enable_passkeys("localhost")
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})

    def sign_in(page) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/")

    return sign_in


def shoot(page, request, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{name}.png"), full_page=True)


def test_register_list_and_remove_a_passkey(js_context, signed_in, request):
    page = js_context.new_page()
    devtools = js_context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    signed_in(page)
    page.goto("/accounts/passkeys/")
    assert page.get_by_text("You have no passkeys yet.").is_visible()
    shoot(page, request, "01-none")
    page.click("text=Add a passkey")
    shoot(page, request, "02-register")
    page.click("#passkey-create")
    page.wait_for_url("**/accounts/passkeys/")
    assert page.get_by_text("Your passkey was added.").is_visible()
    assert page.locator(".passkey-name").all_inner_texts() == ["Passkey"]
    shoot(page, request, "03-added")
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]})
    assert [(credential["rpId"], credential["isResidentCredential"]) for credential in held["credentials"]] == [
        ("localhost", True)
    ]
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url("**/accounts/passkeys/")
    assert page.get_by_text("Your passkey was removed.").is_visible()
    assert page.locator(".passkey-name").count() == 0
    shoot(page, request, "04-removed")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("delete window.PublicKeyCredential;", "This browser cannot create passkeys."),
        (
            "navigator.credentials.create = () => Promise.reject(new DOMException('cancelled', 'NotAllowedError'));",
            "Passkey creation was cancelled or timed out.",
        ),
    ],
    ids=["no-webauthn", "cancelled"],
)
def test_clear_errors_without_an_authenticator(js_context, signed_in, request, script, expected):
    page = js_context.new_page()
    page.add_init_script(script)
    signed_in(page)
    page.goto("/accounts/passkeys/register/")
    if "cancelled" in expected:
        page.click("#passkey-create")
    status = page.locator("#passkey-status")
    status.wait_for(state="visible")
    assert status.inner_text().startswith(expected)
    assert page.url.endswith("/accounts/passkeys/register/")
    shoot(page, request, "error")
