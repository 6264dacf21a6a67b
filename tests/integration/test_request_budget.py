"""One Cognito time budget per request (COGNITO_AUTH_REQUEST_BUDGET), over HTTP against
the emulator process: a page that makes several Cognito calls answers within it, a call
that cannot get its minimum time is not sent, and optional follow-ups are skipped.

The emulator holds answers (``answer_late``) past the read timeout, as a slow Lambda
trigger does. What is asserted is that the page answered and which calls were made."""

from __future__ import annotations

import logging

import pytest

from .conftest import PASSWORD, Site

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Brand-New-Pass-42"
UNAVAILABLE = "Sign-in is temporarily unavailable."


@pytest.fixture(autouse=True)
def short_timeouts(settings):
    settings.COGNITO_AUTH_CONNECT_TIMEOUT = 1.0
    settings.COGNITO_AUTH_READ_TIMEOUT = 2.0


def actions(cognito_pool) -> list[str]:
    return [call["action"] for call in cognito_pool.calls()]


def log_out(site: Site):
    token = site.http.cookies["csrftoken"]
    return site.http.post(site.base_url + "/accounts/logout/", data={"csrfmiddlewaretoken": token},
                          headers={"Referer": site.base_url + "/"}, allow_redirects=False, timeout=30)


def skipped(caplog, what: str) -> bool:
    return any(record.levelno == logging.WARNING and record.getMessage().startswith(f"Skipped {what}")
               for record in caplog.records)


def test_a_call_that_cannot_get_its_minimum_time_is_not_sent(site, settings, alice, cognito_pool, cognito_emulator):
    settings.COGNITO_AUTH_REQUEST_BUDGET = 0.5  # less than one call's minimum (budget.MINIMUM_CALL)
    cognito_emulator.reset_log()
    page = site.post_form("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert page.status_code == 200
    assert UNAVAILABLE in page.text
    assert actions(cognito_pool) == []


def test_the_reset_look_up_is_skipped_once_the_reset_used_most_of_the_budget(
    site, settings, alice, cognito_pool, cognito_emulator, caplog,
):
    # The reset goes through; the look-up's first call waits out its read timeout (2 s of
    # 3.5), leaving too little for the password sign-in that would follow it.
    settings.COGNITO_AUTH_REQUEST_BUDGET = 3.5
    assert site.post_form("/accounts/password_reset/", {"username": "alice"}).status_code == 302
    code = cognito_pool.latest_code("alice")
    cognito_emulator.reset_log()
    cognito_pool.answer_late("InitiateAuth")
    cognito_pool.answer_late("InitiateAuth")
    done = site.post_form("/accounts/password_reset/confirm/",
                          {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (done.status_code, done.headers["Location"]) == (302, "/accounts/password_reset/complete/")
    assert actions(cognito_pool) == ["ConfirmForgotPassword", "InitiateAuth"]
    assert skipped(caplog, "the look-up of whose password was reset")
    assert NEW_PASSWORD not in caplog.text and code not in caplog.text


def test_revoke_at_logout_is_skipped_when_little_time_is_left(site, settings, alice, cognito_pool, cognito_emulator,
                                                              caplog):
    assert site.login("alice", PASSWORD).status_code == 302
    settings.COGNITO_AUTH_REQUEST_BUDGET = 1.5  # under budget.FOLLOW_UP_MINIMUM from the start
    cognito_emulator.reset_log()
    assert log_out(site).status_code in (200, 302)
    assert "RevokeToken" not in actions(cognito_pool)
    assert skipped(caplog, "RevokeToken at the sign-out")
    assert site.get("/").status_code == 302  # signed out all the same: asked to sign in


def test_without_a_budget_each_call_keeps_its_own_bounds(site, settings, alice, cognito_pool, cognito_emulator):
    settings.COGNITO_AUTH_REQUEST_BUDGET = None
    assert site.login("alice", PASSWORD).status_code == 302
    cognito_emulator.reset_log()
    log_out(site)
    assert actions(cognito_pool) == ["RevokeToken"]
