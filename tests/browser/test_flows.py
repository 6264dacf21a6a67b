"""A person's two longest walks through the pages, in a real browser without JavaScript,
each page screenshotted and checked for accessibility (accessibility.py)."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-Horse-7-battery"
NEW_PASSWORD = "Brand-New-Pass-42"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgot_password_code_new_password_sign_in(page, journey, cognito_pool, app_client_for_pool):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com", "given_name": "Alice"})
    page.goto("/accounts/login/")
    journey.step("login")
    page.get_by_role("link", name="Forgot your password?").click()
    journey.step("password-reset")
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Send me a code").click()
    assert page.url.endswith("/accounts/password_reset/confirm/")
    assert "We sent a code by email to a***@e***" in page.content()
    journey.step("password-reset-confirm")
    page.get_by_label("Code").fill("000000")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("Another-Pass-43")
    page.get_by_role("button", name="Set new password").click()
    assert page.get_by_label("Code").get_attribute("aria-invalid") is None
    assert page.get_by_label("New password again").get_attribute("aria-invalid") == "true"
    journey.step("password-reset-confirm-mismatch")
    page.get_by_label("Code").fill(cognito_pool.latest_code("alice"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    assert page.url.endswith("/accounts/password_reset/complete/")
    journey.step("password-reset-complete")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as alice"
    journey.step("signed-in")


def test_sign_up_confirm_sign_in(page, journey, cognito_pool, app_client_for_pool, settings):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    journey.step("signup")
    page.get_by_role("button", name="Create account").click()
    assert page.url.endswith("/accounts/signup/confirm/")
    journey.step("signup-confirm")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    assert "That code is not right" in page.content()
    journey.step("signup-confirm-wrong-code")
    page.get_by_label("Code").fill(cognito_pool.latest_code("newcomer", "sign_up"))
    page.get_by_role("button", name="Confirm").click()
    assert page.url.endswith("/accounts/login/")
    assert "Your account is confirmed" in page.content()
    journey.step("confirmed-login")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as newcomer"
    page.get_by_role("link", name="Change password").click()
    journey.step("password-change")
    page.get_by_label("Old password").fill("Not-The-Old-Pass-1")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    assert page.get_by_label("Old password").get_attribute("aria-invalid") == "true"
    journey.step("password-change-wrong-old-password")
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    assert page.url.endswith("/accounts/password_change/done/")
    journey.step("password-change-done")
