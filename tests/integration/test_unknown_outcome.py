"""A call that changes something is sent once, and the page tells the truth.

The emulator does the work of a call and then holds its answer past the client's read
timeout (``answer_late``), as a slow Lambda trigger does. The call must not be sent again
(botocore's standard retry did, and the retry's refusal became the page's message), the
change must have happened exactly once, and the page must say the outcome is unknown.
Throttling is never sent again either: it is the "too many attempts" message.
"""

from __future__ import annotations

import logging

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Brand-New-Pass-42"
RESET, RESET_CONFIRM, RESET_RESEND = (
    "/accounts/password_reset/", "/accounts/password_reset/confirm/", "/accounts/password_reset/resend/",
)
SIGNUP, SIGNUP_CONFIRM, SIGNUP_RESEND = "/accounts/signup/", "/accounts/signup/confirm/", "/accounts/signup/resend/"
CHANGE = "/accounts/password_change/"
TOO_MANY = "Too many attempts. Please wait a few minutes, then try again."


@pytest.fixture(autouse=True)
def short_read_timeout(settings):
    # Long enough for the emulator's ordinary answers on a busy machine, short enough that
    # a held answer makes the test wait only this long.
    settings.COGNITO_AUTH_READ_TIMEOUT = 2.0
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True


def calls(cognito_pool) -> list[tuple[str, str]]:
    return [(call["action"], call["outcome"]) for call in cognito_pool.calls()]


def post(site, path: str, referer: str):
    """A POST from a page already visited (the CSRF cookie is set): the resend buttons."""
    return site.http.post(site.base_url + path, data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                          headers={"Referer": site.base_url + referer}, allow_redirects=False, timeout=30)


def warned(caplog, operation: str) -> bool:
    return any(
        record.levelno == logging.WARNING and operation in record.getMessage() and "'emulated'" in record.getMessage()
        and "never came" in record.getMessage()
        for record in caplog.records
    )


def test_password_set_but_its_answer_lost(site, alice, cognito_pool, cognito_emulator, caplog):
    site.post_form(RESET, {"username": "alice"})
    code = cognito_pool.latest_code("alice")
    cognito_emulator.reset_log()
    cognito_pool.answer_late("ConfirmForgotPassword")
    page = site.post_form(RESET_CONFIRM, {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert page.status_code == 200
    assert "We could not confirm that your new password was set. Try signing in with it" in page.text
    assert "That code is not right" not in page.text and "expired" not in page.text
    assert calls(cognito_pool) == [("ConfirmForgotPassword", "ok")]  # sent once, and it worked
    assert warned(caplog, "confirm_forgot_password")
    assert code not in caplog.text and NEW_PASSWORD not in caplog.text
    assert type(site)(site.base_url).login("alice", NEW_PASSWORD).status_code == 302


def test_code_sent_but_its_answer_lost(site, alice, cognito_pool, cognito_emulator, caplog):
    cognito_emulator.reset_log()
    cognito_pool.answer_late("ForgotPassword")
    page = site.post_form(RESET, {"username": "alice"})
    assert page.status_code == 200
    assert "We could not confirm that a code was sent." in page.text
    assert calls(cognito_pool) == [("ForgotPassword", "ok")]
    assert [m["kind"] for m in cognito_emulator.outbox()] == ["forgot_password"]  # one code, not two
    assert warned(caplog, "forgot_password")


def test_new_reset_code_sent_but_its_answer_lost(site, alice, cognito_pool, cognito_emulator):
    site.post_form(RESET, {"username": "alice"})
    cognito_emulator.reset_log()
    cognito_pool.answer_late("ForgotPassword")
    response = post(site, RESET_RESEND, RESET_CONFIRM)
    assert response.headers["Location"] == RESET_CONFIRM
    assert "We could not confirm that a code was sent." in site.get(RESET_CONFIRM).text
    assert calls(cognito_pool) == [("ForgotPassword", "ok")]
    assert len(cognito_emulator.outbox()) == 1


def test_account_created_but_its_answer_lost(site, app_client_for_pool, cognito_pool, cognito_emulator, caplog):
    cognito_emulator.reset_log()
    cognito_pool.answer_late("SignUp")
    page = site.post_form(SIGNUP, {"username": "newcomer", "email": "newcomer@example.com",
                                   "password1": PASSWORD, "password2": PASSWORD})
    assert page.status_code == 200
    assert "We could not confirm that your account was created." in page.text
    assert "already taken" not in page.text
    assert calls(cognito_pool) == [("SignUp", "ok")]
    admin = cognito_emulator.boto3_admin_client()
    assert admin.admin_get_user(UserPoolId=cognito_pool.pool_id, Username="newcomer")["UserStatus"] == "UNCONFIRMED"
    assert [m["kind"] for m in cognito_emulator.outbox()] == ["sign_up"]
    assert warned(caplog, "sign_up") and PASSWORD not in caplog.text


def test_account_confirmed_but_its_answer_lost(site, app_client_for_pool, cognito_pool, cognito_emulator):
    site.post_form(SIGNUP, {"username": "newcomer", "email": "newcomer@example.com",
                            "password1": PASSWORD, "password2": PASSWORD})
    code = cognito_pool.latest_code("newcomer", "sign_up")
    cognito_emulator.reset_log()
    cognito_pool.answer_late("ConfirmSignUp")
    page = site.post_form(SIGNUP_CONFIRM, {"code": code})
    assert page.status_code == 200
    assert "We could not confirm that your account was confirmed. Try signing in" in page.text
    assert "This account is already confirmed" not in page.text  # the refusal a retry would have got
    assert calls(cognito_pool) == [("ConfirmSignUp", "ok")]
    admin = cognito_emulator.boto3_admin_client()
    assert admin.admin_get_user(UserPoolId=cognito_pool.pool_id, Username="newcomer")["UserStatus"] == "CONFIRMED"


def test_new_sign_up_code_sent_but_its_answer_lost(site, app_client_for_pool, cognito_pool, cognito_emulator):
    site.post_form(SIGNUP, {"username": "newcomer", "email": "newcomer@example.com",
                            "password1": PASSWORD, "password2": PASSWORD})
    cognito_emulator.reset_log()
    cognito_pool.answer_late("ResendConfirmationCode")
    response = post(site, SIGNUP_RESEND, SIGNUP_CONFIRM)
    assert response.headers["Location"] == SIGNUP_CONFIRM
    assert "We could not confirm that a new code was sent." in site.get(SIGNUP_CONFIRM).text
    assert calls(cognito_pool) == [("ResendConfirmationCode", "ok")]
    assert len(cognito_emulator.outbox()) == 1


def test_password_changed_but_its_answer_lost(site, alice, cognito_pool, cognito_emulator, caplog):
    site.login("alice", PASSWORD)
    cognito_emulator.reset_log()
    cognito_pool.answer_late("ChangePassword")
    page = site.post_form(CHANGE, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                   "new_password2": NEW_PASSWORD})
    assert page.status_code == 200
    assert "We could not confirm that your password was changed." in page.text
    assert "old password was entered incorrectly" not in page.text
    assert calls(cognito_pool) == [("ChangePassword", "ok")]
    assert warned(caplog, "change_password")
    assert type(site)(site.base_url).login("alice", NEW_PASSWORD).status_code == 302


def test_sign_in_attempt_is_sent_once(site, alice, cognito_pool, cognito_emulator, caplog):
    # A sign-in attempt counts towards Cognito's lockout: never two for one typed password.
    cognito_emulator.reset_log()
    cognito_pool.answer_late("InitiateAuth")
    page = site.login("alice", PASSWORD)
    assert page.status_code == 200 and "Sign-in is temporarily unavailable" in page.text
    assert calls(cognito_pool) == [("InitiateAuth", "ok")]
    assert warned(caplog, "initiate_auth")


def test_sign_out_is_sent_once(site, alice, cognito_pool, cognito_emulator, caplog):
    site.login("alice", PASSWORD)
    cognito_emulator.reset_log()
    cognito_pool.answer_late("RevokeToken")
    post(site, "/accounts/logout/", "/")
    assert site.get("/").headers["Location"].startswith("/accounts/login/")  # signed out here all the same
    assert calls(cognito_pool) == [("RevokeToken", "ok")]
    assert warned(caplog, "revoke_token")


@pytest.mark.parametrize("error", ["LimitExceededException", "TooManyRequestsException"])
def test_throttling_is_the_persons_answer_not_a_retry(site, alice, cognito_pool, cognito_emulator, error):
    cognito_emulator.reset_log()
    cognito_emulator.fail_next("ForgotPassword", cognito_pool.client_id, error, "Rate exceeded")
    page = site.post_form(RESET, {"username": "alice"})
    assert page.status_code == 200 and TOO_MANY in page.text
    assert calls(cognito_pool) == [("ForgotPassword", error)]
    assert cognito_emulator.outbox() == []


def test_throttled_sign_in_says_too_many_attempts(site, alice, cognito_pool, cognito_emulator):
    cognito_emulator.reset_log()
    cognito_emulator.fail_next("InitiateAuth", cognito_pool.client_id, "TooManyRequestsException", "Rate exceeded")
    page = site.login("alice", PASSWORD)
    assert page.status_code == 200 and TOO_MANY in page.text
    assert calls(cognito_pool) == [("InitiateAuth", "TooManyRequestsException")]
