"""A person's two longest walks through the pages, in a real browser without JavaScript."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-Horse-7-battery"
NEW_PASSWORD = "Brand-New-Pass-42"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgot_password_code_new_password_sign_in(page, screenshot, cognito_pool, app_client_for_pool):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com", "given_name": "Alice"})
    page.goto("/accounts/login/")
    screenshot("login")
    page.get_by_role("link", name="Forgot your password?").click()
    screenshot("password-reset")
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Send me a code").click()
    assert page.url.endswith("/accounts/password_reset/confirm/")
    assert "We sent a code by email to a***@e***" in page.content()
    screenshot("password-reset-confirm")
    page.get_by_label("Code").fill(cognito_pool.latest_code("alice"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    assert page.url.endswith("/accounts/password_reset/complete/")
    screenshot("password-reset-complete")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as alice"
    screenshot("signed-in")


def test_sign_up_confirm_sign_in(page, screenshot, cognito_pool, app_client_for_pool, settings):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    screenshot("signup")
    page.get_by_role("button", name="Create account").click()
    assert page.url.endswith("/accounts/signup/confirm/")
    screenshot("signup-confirm")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    assert "That code is not right" in page.content()
    screenshot("signup-confirm-wrong-code")
    page.get_by_label("Code").fill(cognito_pool.latest_code("newcomer", "sign_up"))
    page.get_by_role("button", name="Confirm").click()
    assert page.url.endswith("/accounts/login/")
    assert "Your account is confirmed" in page.content()
    screenshot("confirmed-login")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as newcomer"
    page.get_by_role("link", name="Change password").click()
    screenshot("password-change")
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    assert page.url.endswith("/accounts/password_change/done/")
    screenshot("password-change-done")
