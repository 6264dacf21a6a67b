"""The journeys of issue 12 §4 in a real browser without JavaScript, each page screenshotted
(at the browser's width and at 320 px) and checked for accessibility (accessibility.py)."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-Horse-7-battery"
NEW_PASSWORD = "Brand-New-Pass-42"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_wrong_password_sign_out(page, journey, cognito_pool, app_client_for_pool):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    page.goto("/accounts/login/")
    journey.step("login")
    sign_in(page, "alice", "not-the-password")
    assert page.url.endswith("/accounts/login/")
    assert "Please enter a correct username and password" in page.content()
    journey.step("login-wrong-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as alice"
    journey.step("signed-in")
    page.get_by_role("button", name="Sign out", exact=True).click()
    assert page.url.endswith("/accounts/login/")  # the example project's LOGOUT_REDIRECT_URL
    journey.step("signed-out")
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
