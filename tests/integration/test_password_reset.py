"""Forgot password over HTTP: ForgotPassword and ConfirmForgotPassword, with SecretHash,
against the strict emulator process."""

from __future__ import annotations

import logging
import re

import pytest

from cognito_auth import signals
from cognito_auth.models import AppClient

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Brand-New-Pass-42"
RESET = "/accounts/password_reset/"
CONFIRM = "/accounts/password_reset/confirm/"
RESEND = "/accounts/password_reset/resend/"


def request_code(site, username: str):
    return site.post_form(RESET, {"username": username})


def confirm(site, code: str, password: str = NEW_PASSWORD, again: str | None = None, **extra):
    return site.post_form(CONFIRM, {"code": code, "new_password1": password,
                                    "new_password2": again or password, **extra})


def test_happy_path_with_secret_hash_on_every_call(site, alice, cognito_pool, cognito_emulator, caplog):
    sent = []
    signals.password_reset_requested.connect(lambda **kw: sent.append(("requested", kw)), weak=False,
                                             dispatch_uid="t1")
    signals.password_reset_completed.connect(lambda **kw: sent.append(("completed", kw)), weak=False,
                                             dispatch_uid="t2")
    cognito_emulator.reset_log()
    with caplog.at_level(logging.DEBUG):
        response = request_code(site, "alice")
        assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
        page = site.get(CONFIRM).text
        assert "We sent a code by email to a***@e***" in page
        assert 'name="username"' not in page  # known from the first step
        code = cognito_pool.latest_code("alice")
        done = confirm(site, code)
        assert (done.status_code, done.headers["Location"]) == (302, "/accounts/password_reset/complete/")
    complete = site.get("/accounts/password_reset/complete/").text
    assert 'href="/accounts/login/"' in complete
    calls = [(c["action"], c["auth_flow"], c["secret_hash"], c["outcome"]) for c in cognito_emulator.calls()]
    assert calls[:2] == [("ForgotPassword", None, "present", "ok"), ("ConfirmForgotPassword", None, "present", "ok")]
    # Then whose password it was, asked of Cognito (this client allows no SRP): see test_sessions.
    assert calls[2:] == [
        ("InitiateAuth", "USER_SRP_AUTH", "present", "InvalidParameterException"),
        ("InitiateAuth", "USER_PASSWORD_AUTH", "present", "ok"),
        ("RevokeToken", None, "absent", "ok"),  # authorised by the client secret itself
    ]
    assert code not in caplog.text and NEW_PASSWORD not in caplog.text
    assert [name for name, _ in sent] == ["requested", "completed"]
    assert all(kw["username"] == "alice" and isinstance(kw["app_client"], AppClient) for _, kw in sent)
    assert not any(code in repr(kw) or NEW_PASSWORD in repr(kw) for _, kw in sent)
    fresh = type(site)(site.base_url)
    assert fresh.login("alice", PASSWORD).status_code == 200  # the old password is gone
    assert fresh.login("alice", NEW_PASSWORD).status_code == 302
    signals.password_reset_requested.disconnect(dispatch_uid="t1")
    signals.password_reset_completed.disconnect(dispatch_uid="t2")


def test_the_code_works_once(site, alice, cognito_pool):
    request_code(site, "alice")
    code = cognito_pool.latest_code("alice")
    assert confirm(site, code).status_code == 302
    request_code(site, "alice")
    again = confirm(site, code, "Another-Pass-77")
    assert again.status_code == 200 and "That code is not right" in again.text


def page_shape(html: str) -> str:
    """The page without the parts that differ per request or per typed name."""
    html = re.sub(r'value="[^"]*"', 'value=""', html)
    html = re.sub(r"We sent a code by email to [^<]*", "We sent a code by email to X", html)
    return re.sub(r"<strong>[^<]*</strong>", "<strong></strong>", html)


def test_unknown_user_gets_the_same_redirect_and_page(site, alice):
    known = request_code(site, "alice")
    known_page = site.get(CONFIRM).text
    other = type(site)(site.base_url)
    unknown = request_code(other, "nobody-at-all")
    unknown_page = other.get(CONFIRM).text
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert page_shape(known_page) == page_shape(unknown_page)


def test_pool_that_reveals_unknown_users_is_hidden_and_logged_once(site, cognito_emulator, cognito_pool, db,
                                                                  caplog):
    client_id, secret = cognito_emulator.create_app_client(cognito_pool.pool_id, "legacy", secret=True,
                                                           prevent_user_existence_errors=None)
    AppClient.objects.create(name="legacy", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id,
                             client_id=client_id, client_secret=secret, endpoint_url=cognito_pool.endpoint_url,
                             is_default=True)
    with caplog.at_level(logging.WARNING, logger="cognito_auth"):
        first = request_code(site, "nobody-at-all")
        second = request_code(type(site)(site.base_url), "nobody-either")
    assert first.headers["Location"] == second.headers["Location"] == CONFIRM
    page = site.get(CONFIRM).text
    assert re.search(r"We sent a code by email to [a-z]\*\*\*@[a-z]\*\*\*\.", page)  # as for a real account
    assert "n***@e***" not in page  # not made from the name (nobody-at-all@example.com)
    warnings = [r for r in caplog.records if "PreventUserExistenceErrors" in r.getMessage()]
    assert len(warnings) == 1 and "'legacy'" in warnings[0].getMessage()
    # The confirm step for an unknown user reads like a wrong code.
    response = confirm(site, "123456")
    assert response.status_code == 200 and "That code is not right" in response.text


@pytest.mark.parametrize(
    ("code", "password", "again", "expected"),
    [
        ("000000", NEW_PASSWORD, None, "That code is not right"),
        (None, "short", None, "Cognito did not accept the new password: Password not long enough."),
        (None, NEW_PASSWORD, "Different-Pass-42", "The two password fields"),
        ("12 34", NEW_PASSWORD, None, "Enter the code exactly as you received it"),
        ("", NEW_PASSWORD, None, "This field is required"),
    ],
)
def test_confirm_errors_are_clear_and_change_nothing(site, alice, cognito_pool, code, password, again, expected):
    request_code(site, "alice")
    real_code = cognito_pool.latest_code("alice")
    response = confirm(site, real_code if code is None else code, password, again)
    assert response.status_code == 200
    assert expected in response.text
    assert confirm(site, real_code).status_code == 302  # the real code still works


def test_no_outstanding_code_is_expired(site, alice):
    site.post_form(CONFIRM, {"username": "alice", "code": "123456", "new_password1": NEW_PASSWORD,
                             "new_password2": NEW_PASSWORD})
    response = site.post_form(CONFIRM, {"username": "alice", "code": "123456", "new_password1": NEW_PASSWORD,
                                        "new_password2": NEW_PASSWORD})
    assert response.status_code == 200 and "expired" in response.text


def test_person_with_a_code_from_another_device_gives_the_username(site, alice, cognito_pool):
    request_code(type(site)(site.base_url), "alice")  # asked on a phone
    page = site.get(CONFIRM).text
    assert 'name="username"' in page and "We sent" not in page
    code = cognito_pool.latest_code("alice")
    response = confirm(site, code, username="alice")
    assert (response.status_code, response.headers["Location"]) == (302, "/accounts/password_reset/complete/")


def test_send_a_new_code_sends_one(site, alice, cognito_pool):
    request_code(site, "alice")
    response = resend(site)
    assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
    assert "We sent you a new code" in site.get(CONFIRM).text
    sent = [m for m in cognito_pool.emulator.outbox()
            if m["username"] == "alice" and m["pool_id"] == cognito_pool.pool_id]
    assert len(sent) == 2
    assert confirm(site, cognito_pool.latest_code("alice")).status_code == 302


def resend(site):
    return site.http.post(site.base_url + RESEND, data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                          headers={"Referer": site.base_url + CONFIRM}, allow_redirects=False, timeout=30)


@pytest.mark.parametrize(
    ("error_code", "message", "expected"),
    [
        ("LimitExceededException", "Attempt limit exceeded, please try after some time.", "Too many attempts"),
        ("TooManyRequestsException", "Too many requests", "Too many attempts"),
        ("InternalErrorException", "", "temporarily unavailable"),
    ],
)
def test_cognito_refusals_of_a_new_code_are_messages(site, alice, cognito_pool, error_code, message, expected):
    request_code(site, "alice")
    cognito_pool.emulator.fail_next("ForgotPassword", cognito_pool.client_id, error_code, message, times=2)
    response = resend(site)
    assert response.status_code == 302
    assert expected in site.get(CONFIRM).text


@pytest.mark.parametrize(
    ("error_code", "message", "expected"),
    [
        ("LimitExceededException", "Attempt limit exceeded, please try after some time.", "Too many attempts"),
        ("InternalErrorException", "", "temporarily unavailable"),
    ],
)
def test_request_refusals_are_messages_not_500s(site, alice, cognito_pool, error_code, message, expected):
    cognito_pool.emulator.fail_next("ForgotPassword", cognito_pool.client_id, error_code, message, times=2)
    response = request_code(site, "alice")
    assert response.status_code == 200
    assert expected in response.text


def test_no_verified_contact_reads_as_an_unknown_name_and_is_logged_once(site, cognito_pool, app_client_for_pool,
                                                                          caplog):
    cognito_pool.create_user("nomail", PASSWORD, {"email": "nomail@example.com", "email_verified": "false"})
    with caplog.at_level(logging.INFO, logger="cognito_auth"):
        for _ in range(2):
            response = request_code(type(site)(site.base_url), "nomail")
            assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
    logged = [r for r in caplog.records if "no registered/verified email" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.INFO and "'emulated'" in logged[0].getMessage()


def test_unreachable_cognito_is_a_message(site, alice, app_client_for_pool, closed_endpoint):
    app_client_for_pool.endpoint_url = closed_endpoint
    app_client_for_pool.save()
    response = request_code(site, "alice")
    assert response.status_code == 200 and "temporarily unavailable" in response.text


def test_sign_in_with_required_reset_leads_here_with_the_name_filled_in(site, alice, cognito_pool, cognito_emulator):
    cognito_emulator.boto3_admin_client().admin_reset_user_password(UserPoolId=cognito_pool.pool_id, Username="alice")
    response = site.login("alice", PASSWORD)
    assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
    page = site.get(CONFIRM).text
    assert "set a new password before you can sign in" in page and "<strong>alice</strong>" in page
    assert resend(site).status_code == 302  # ask for a code, then use it
    assert confirm(site, cognito_pool.latest_code("alice")).status_code == 302
    assert type(site)(site.base_url).login("alice", NEW_PASSWORD).status_code == 302


HOSTILE = ["", "a" * 5000, "\x00", "\x1b[0m", "line\nbreak", "🙂" * 50, "<script>alert(1)</script>", "' OR 1=1"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_gives_a_500(site, alice, value):
    assert request_code(site, value).status_code in (200, 302)
    for data in ({"username": value, "code": value, "new_password1": value, "new_password2": value},
                 {"username": "alice", "code": value, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}):
        assert site.post_form(CONFIRM, data).status_code == 200


def test_a_reset_ends_every_session_of_that_person(site, alice, cognito_pool):
    stolen = type(site)(site.base_url)
    stolen.login("alice", PASSWORD)
    assert stolen.get("/").status_code == 200
    request_code(site, "alice")
    assert confirm(site, cognito_pool.latest_code("alice")).status_code == 302
    assert stolen.get("/").status_code == 302


def test_resending_a_code_is_a_reset_request_too(site, alice):
    sent = []
    signals.password_reset_requested.connect(lambda **kw: sent.append(kw["username"]), weak=False, dispatch_uid="r1")
    try:
        request_code(site, "alice")
        resend(site)
    finally:
        signals.password_reset_requested.disconnect(dispatch_uid="r1")
    assert sent == ["alice", "alice"]
