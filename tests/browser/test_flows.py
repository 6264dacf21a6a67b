"""A person's two longest walks through the pages, in a real browser without JavaScript,
each page screenshotted and checked for accessibility (accessibility.py). The walks shared
with the gunicorn stack's run (test_stack_journeys.py) are in journeys.py."""

from __future__ import annotations

import pytest

from . import journeys
from .journeys import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgot_password_code_new_password_sign_in(page, journey, cognito_pool, app_client_for_pool):
    journeys.forgot_password(page, journey, cognito_pool)


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
    journeys.assert_signed_in(page, "newcomer")
    journeys.change_password(page, journey, PASSWORD)
