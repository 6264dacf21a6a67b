"""Every sign-in step from the login page, over HTTP against the emulator process: new
password (invited users), SMS / email / TOTP codes, the choice of a factor, TOTP set-up;
in a pool with an email alias and in one that signs in by email (internal username = sub).

The emulator checks each answer's SECRET_HASH over the internal username and refuses one
over the name typed; the call log shows which name each answer carried.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from cognito_auth.models import AppClient, CognitoIdentity
from cognito_auth.steps.machine import SESSION_KEY as STEP_KEY

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
TEMPORARY = "Temporary-pass-1"
NEW_PASSWORD = "Brand-new-Pass-9"
PHONE = "+15555550100"
REQUIRED_GIVEN_NAME = [
    {"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True},
    {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True},
]
STEP_ENDED = "That sign-in step has expired or was already used"
UNAVAILABLE = "Sign-in is temporarily unavailable"
WRONG_CODE = "That code is not right"
PAGES = {
    "new_password": "/accounts/login/new_password/",
    "code": "/accounts/login/code/",
    "choose": "/accounts/login/choose/",
    "totp_setup": "/accounts/login/totp_setup/",
}


@dataclass
class Pool:
    """A pool of one kind, registered as the site's app client; ``name(user)`` is what a
    person types for a user created with ``create`` (an alias or the email)."""

    kind: str
    cognito: object

    def email(self, user: str) -> str:
        return f"{user}@example.com"

    def username(self, user: str) -> str:
        """The name the user is created under: a username, or the email."""
        return user if self.kind == "alias" else self.email(user)

    def typed(self, user: str) -> str:
        """What the person types: the verified email alias, or the email."""
        return self.email(user)


@pytest.fixture(params=["alias", "email_as_username"])
def pool(request, cognito_pool_factory, db) -> Pool:
    options = {"alias_attributes": ["email"]} if request.param == "alias" else {"username_attributes": ["email"]}
    cognito = cognito_pool_factory(case_sensitive=False, Schema=REQUIRED_GIVEN_NAME, **options)
    AppClient.objects.create(
        name="emulated", region=cognito.region, user_pool_id=cognito.pool_id, client_id=cognito.client_id,
        client_secret=cognito.client_secret, endpoint_url=cognito.endpoint_url, is_default=True,
    )
    return Pool(request.param, cognito)


def answer(site, path: str, data: dict, step: str | None = None):
    """POST a step's form as a browser would: the page's CSRF token and step id, and ``data``."""
    page = site.get(path)
    assert page.status_code == 200, (path, page.status_code, page.headers.get("Location"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    step_id = step if step is not None else re.search(r'name="step" value="([^"]+)"', page.text).group(1)
    return site.http.post(
        site.base_url + path, data={"csrfmiddlewaretoken": token, "step": step_id, **data},
        headers={"Referer": site.base_url + path}, allow_redirects=False, timeout=30,
    )


def signed_in_as(site) -> str:
    home = site.get("/")
    assert home.status_code == 200, home.headers.get("Location")
    return re.search(r"Signed in as ([^<]+)", home.text).group(1)


def login_page_text(site, response) -> str:
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    return html.unescape(site.get(response.headers["Location"]).text)


def actions_since(emulator, start: int) -> list[str]:
    return [call["action"] for call in emulator.calls()[start:]]


def step_answers(cognito) -> list[tuple[str, str]]:
    return [(c["username"], c["outcome"]) for c in cognito.calls() if c["action"] == "RespondToAuthChallenge"]


def no_step_left() -> bool:
    return not any(STEP_KEY in s.get_decoded() for s in Session.objects.all())


# Every path ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["username", "email"])
def test_invited_user_sets_a_new_password_and_a_required_attribute(site, pool, typed):
    internal = pool.cognito.create_invited_user(pool.username("ivy"), TEMPORARY, {"email": pool.email("ivy")})
    name = pool.username("ivy") if typed == "username" else pool.typed("ivy")
    response = site.login(name, TEMPORARY, next="/admin/password_change/")
    assert response.headers["Location"] == PAGES["new_password"]
    page = site.get(PAGES["new_password"])
    assert 'name="given_name"' in page.text and '<label for="id_given_name">Given name</label>' in page.text
    assert 'name="new_password1"' in page.text and 'name="new_password2"' in page.text
    done = answer(site, PAGES["new_password"],
                  {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "given_name": "Ivy"})
    assert (done.status_code, done.headers["Location"]) == (302, "/admin/password_change/")
    user = get_user_model().objects.get()
    assert user.first_name == "Ivy"
    assert CognitoIdentity.objects.get().cognito_username == internal
    assert step_answers(pool.cognito) == [(internal, "ok")]
    assert no_step_left()
    again = type(site)(site.base_url)
    assert again.login(name, NEW_PASSWORD).headers["Location"] == "/"


def test_sms_code_wrong_then_right(site, pool):
    internal = pool.cognito.create_sms_mfa_user(
        pool.username("sam"), PASSWORD, PHONE, {"email": pool.email("sam"), "given_name": "Sam"},
    )
    assert site.login(pool.typed("sam"), PASSWORD).headers["Location"] == PAGES["code"]
    page = html.unescape(site.get(PAGES["code"]).text)
    assert "We sent a code by SMS to +*******0100." in page
    wrong = answer(site, PAGES["code"], {"code": "000000"})
    assert wrong.status_code == 200 and WRONG_CODE in html.unescape(wrong.text)
    assert 'aria-invalid="true"' in wrong.text  # the error is tied to the code field
    right = answer(site, PAGES["code"], {"code": pool.cognito.latest_code(internal, kind="sms_mfa")})
    assert right.headers["Location"] == "/"
    assert signed_in_as(site)
    assert step_answers(pool.cognito) == [(internal, "CodeMismatchException"), (internal, "ok")]


def test_email_code(site, pool):
    internal = pool.cognito.create_email_mfa_user(pool.username("eve"), PASSWORD, pool.email("eve"),
                                                  {"given_name": "Eve"})
    assert site.login(pool.typed("eve"), PASSWORD).headers["Location"] == PAGES["code"]
    assert "We sent a code by email to e***@e***." in html.unescape(site.get(PAGES["code"]).text)
    done = answer(site, PAGES["code"], {"code": pool.cognito.latest_code(internal, kind="email_otp")})
    assert done.headers["Location"] == "/"
    assert step_answers(pool.cognito) == [(internal, "ok")]


def test_totp_code_wrong_then_right(site, pool):
    totp = pool.cognito.create_totp_user(pool.username("tom"), PASSWORD, {"email": pool.email("tom"),
                                                                          "given_name": "Tom"})
    assert site.login(pool.typed("tom"), PASSWORD).headers["Location"] == PAGES["code"]
    assert "authenticator app" in site.get(PAGES["code"]).text
    wrong = answer(site, PAGES["code"], {"code": f"{(int(totp.code()) + 500_000) % 1_000_000:06d}"})
    assert WRONG_CODE in html.unescape(wrong.text)
    assert answer(site, PAGES["code"], {"code": totp.code()}).headers["Location"] == "/"
    assert [outcome for _, outcome in step_answers(pool.cognito)] == ["CodeMismatchException", "ok"]
    assert {name for name, _ in step_answers(pool.cognito)} == {totp.username}


def test_five_wrong_codes_end_the_step(site, pool):
    """A password is worth a handful of guesses at the code, not as many as the step's
    minutes allow: the fifth wrong code sends the person back to sign in."""
    totp = pool.cognito.create_totp_user(pool.username("guy"), PASSWORD, {"email": pool.email("guy"),
                                                                          "given_name": "Guy"})
    site.login(pool.typed("guy"), PASSWORD)
    wrong = f"{(int(totp.code()) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        assert WRONG_CODE in html.unescape(answer(site, PAGES["code"], {"code": wrong}).text)
    fifth = answer(site, PAGES["code"], {"code": wrong})
    assert fifth.status_code == 302 and fifth.headers["Location"].startswith("/accounts/login/")
    assert "Too many wrong codes" in html.unescape(site.get(fifth.headers["Location"]).text)
    # The step is gone: its page sends the person to sign in, and no sixth answer was sent.
    assert site.get(PAGES["code"]).headers["Location"].startswith("/accounts/login/")
    assert len(step_answers(pool.cognito)) == 5


def two_factor_user(pool: Pool, user: str):
    """A user with TOTP and SMS on and neither preferred: Cognito asks them to choose."""
    totp = pool.cognito.create_totp_user(pool.username(user), PASSWORD,
                                         {"email": pool.email(user), "phone_number": PHONE, "given_name": "Cy"})
    pool.cognito.emulator.allow_mfa(pool.cognito.pool_id, sms=True)
    pool.cognito.emulator.set_user_mfa(pool.cognito.pool_id, totp.username, sms=True, totp=True)
    return totp


def test_choose_a_factor_with_a_tampered_choice_first(site, pool):
    totp = two_factor_user(pool, "cy")
    assert site.login(pool.typed("cy"), PASSWORD).headers["Location"] == PAGES["choose"]
    page = site.get(PAGES["choose"]).text
    assert 'value="SMS_MFA"' in page and 'value="SOFTWARE_TOKEN_MFA"' in page and "EMAIL_OTP" not in page
    tampered = answer(site, PAGES["choose"], {"choice": "EMAIL_OTP"})
    assert tampered.status_code == 200 and "Select a valid choice" in tampered.text
    assert step_answers(pool.cognito) == []  # never sent to Cognito
    chosen = answer(site, PAGES["choose"], {"choice": "SOFTWARE_TOKEN_MFA"})
    assert chosen.headers["Location"] == PAGES["code"]
    assert answer(site, PAGES["code"], {"code": totp.code()}).headers["Location"] == "/"
    assert step_answers(pool.cognito) == [(totp.username, "ok"), (totp.username, "ok")]


def test_choose_sms(site, pool):
    totp = two_factor_user(pool, "cy")
    site.login(pool.typed("cy"), PASSWORD)
    assert answer(site, PAGES["choose"], {"choice": "SMS_MFA"}).headers["Location"] == PAGES["code"]
    assert "by SMS" in site.get(PAGES["code"]).text
    code = pool.cognito.latest_code(totp.username, kind="sms_mfa")
    assert answer(site, PAGES["code"], {"code": code}).headers["Location"] == "/"


def test_mfa_set_up_then_a_later_totp_sign_in(site, pool):
    internal = pool.cognito.create_mfa_setup_user(pool.username("una"), PASSWORD, {"given_name": "Una"})
    typed = pool.username("una")  # no email: the pool would send an email code otherwise
    start = len(pool.cognito.emulator.calls())
    assert site.login(typed, PASSWORD).headers["Location"] == PAGES["totp_setup"]
    page = site.get(PAGES["totp_setup"]).text
    secret = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    assert "<svg" in page and "<script" not in page
    assert site.get(PAGES["totp_setup"]).text.count(secret) == 1  # shown again, not associated again
    assert actions_since(pool.cognito.emulator, start).count("AssociateSoftwareToken") == 1
    wrong = answer(site, PAGES["totp_setup"], {"code": f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and WRONG_CODE in html.unescape(wrong.text)
    done = answer(site, PAGES["totp_setup"], {"code": pyotp.TOTP(secret).now()})
    assert done.headers["Location"] == "/"
    assert signed_in_as(site)
    assert step_answers(pool.cognito) == [(internal, "ok")]
    later = type(site)(site.base_url)
    assert later.login(typed, PASSWORD).headers["Location"] == PAGES["code"]
    assert answer(later, PAGES["code"], {"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/"


# Trouble ------------------------------------------------------------------------------


@pytest.fixture
def sms_user(cognito_pool, app_client_for_pool):
    return cognito_pool.create_sms_mfa_user("sam", PASSWORD, PHONE)


def test_expired_step_goes_back_to_sign_in(site, cognito_pool, sms_user):
    site.login("sam", PASSWORD)
    cognito_pool.expire_sign_in_sessions()
    response = answer(site, PAGES["code"], {"code": cognito_pool.latest_code(sms_user, kind="sms_mfa")})
    assert STEP_ENDED in login_page_text(site, response)
    assert site.get(PAGES["code"]).headers["Location"].startswith("/accounts/login/")
    assert no_step_left()


def test_step_expired_here_first(site, cognito_pool, sms_user, settings):
    site.login("sam", PASSWORD)
    settings.COGNITO_AUTH_SIGN_IN_STEP_TIMEOUT = 0
    assert STEP_ENDED in login_page_text(site, site.get(PAGES["code"]))


def replay(site, path: str, data: dict):
    """POST ``data`` again, with the CSRF token the browser holds now (sign-in rotates it)."""
    token = site.http.cookies.get("csrftoken") or ""
    return site.http.post(site.base_url + path, data={**data, "csrfmiddlewaretoken": token},
                          headers={"Referer": site.base_url + path}, allow_redirects=False, timeout=30)


def form_data(site, path: str, **fields) -> dict:
    page = site.get(path).text
    return {"step": re.search(r'name="step" value="([^"]+)"', page).group(1), **fields}


def test_replayed_post_goes_back_to_sign_in(site, cognito_pool, sms_user):
    site.login("sam", PASSWORD)
    data = form_data(site, PAGES["code"], code=cognito_pool.latest_code(sms_user, kind="sms_mfa"))
    assert replay(site, PAGES["code"], data).headers["Location"] == "/"
    assert STEP_ENDED in login_page_text(site, replay(site, PAGES["code"], data))
    assert len(step_answers(cognito_pool)) == 1  # the replay never reached Cognito


def test_replayed_post_of_an_earlier_step_goes_back_to_sign_in(site, cognito_pool, app_client_for_pool):
    pool = Pool("alias", cognito_pool)
    two_factor_user(pool, "cy")
    site.login("cy", PASSWORD)
    data = form_data(site, PAGES["choose"], choice="SMS_MFA")
    assert replay(site, PAGES["choose"], data).headers["Location"] == PAGES["code"]
    assert STEP_ENDED in login_page_text(site, replay(site, PAGES["choose"], data))
    assert len(step_answers(cognito_pool)) == 1


def test_a_stale_step_id_ends_the_step(site, cognito_pool, sms_user):
    site.login("sam", PASSWORD)
    response = answer(site, PAGES["code"], {"code": "123456"}, step="an-old-step")
    assert STEP_ENDED in login_page_text(site, response)
    assert step_answers(cognito_pool) == []


def test_another_steps_post_ends_the_step(site, cognito_pool, sms_user):
    site.login("sam", PASSWORD)
    step_id = re.search(r'name="step" value="([^"]+)"', site.get(PAGES["code"]).text).group(1)
    token = site.http.cookies["csrftoken"]
    response = site.http.post(
        site.base_url + PAGES["new_password"], allow_redirects=False, timeout=30,
        data={"csrfmiddlewaretoken": token, "step": step_id, "new_password1": "x", "new_password2": "x"},
        headers={"Referer": site.base_url + PAGES["new_password"]},
    )
    assert STEP_ENDED in login_page_text(site, response)


@pytest.mark.parametrize("page", list(PAGES.values()))
def test_step_page_without_a_step(site, db, page):
    response = site.get(page)
    assert STEP_ENDED in login_page_text(site, response)
    token_page = site.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', token_page.text).group(1)
    posted = site.http.post(site.base_url + page, data={"csrfmiddlewaretoken": token, "code": "1"},
                            headers={"Referer": site.base_url + page}, allow_redirects=False, timeout=30)
    assert posted.status_code == 302


def test_a_step_page_shown_for_another_step_redirects_to_the_right_one(site, cognito_pool, sms_user):
    site.login("sam", PASSWORD)
    assert site.get(PAGES["choose"]).headers["Location"] == PAGES["code"]


def test_policy_violating_new_password_gets_cognitos_words(site, cognito_pool, app_client_for_pool):
    cognito_pool.create_invited_user("ivy", TEMPORARY)
    site.login("ivy", TEMPORARY)
    weak = answer(site, PAGES["new_password"], {"new_password1": "alllowercase", "new_password2": "alllowercase"})
    text = html.unescape(weak.text)
    assert weak.status_code == 200 and "Cognito did not accept the new password: Password must" in text
    mismatch = answer(site, PAGES["new_password"], {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert "didn't match" in html.unescape(mismatch.text)
    done = answer(site, PAGES["new_password"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.headers["Location"] == "/"


def test_cognito_failing_mid_step_can_be_retried(site, cognito_pool, sms_user):
    site.login("sam", PASSWORD)
    cognito_pool.emulator.fail_next("RespondToAuthChallenge", cognito_pool.client_id, "InternalErrorException",
                                    "Internal error")
    code = cognito_pool.latest_code(sms_user, kind="sms_mfa")
    failed = answer(site, PAGES["code"], {"code": code})
    assert failed.status_code == 200 and UNAVAILABLE in html.unescape(failed.text)
    assert answer(site, PAGES["code"], {"code": code}).headers["Location"] == "/"


def test_totp_set_up_survives_cognito_failing(site, cognito_pool, app_client_for_pool):
    cognito_pool.create_mfa_setup_user("una", PASSWORD)
    start = len(cognito_pool.emulator.calls())
    site.login("una", PASSWORD)
    cognito_pool.emulator.fail_next("AssociateSoftwareToken", "", "InternalErrorException", "Internal error")
    failed = site.get(PAGES["totp_setup"])
    assert UNAVAILABLE in html.unescape(failed.text) and "totp-secret" not in failed.text
    secret = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7]+)</code>', site.get(PAGES["totp_setup"]).text).group(1)
    cognito_pool.emulator.fail_next("RespondToAuthChallenge", cognito_pool.client_id, "InternalErrorException", "x")
    failed = answer(site, PAGES["totp_setup"], {"code": pyotp.TOTP(secret).now()})
    assert UNAVAILABLE in html.unescape(failed.text)
    assert answer(site, PAGES["totp_setup"], {"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/"
    assert actions_since(cognito_pool.emulator, start).count("VerifySoftwareToken") == 1


def test_nothing_secret_is_logged_or_kept(site, cognito_pool, app_client_for_pool, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, botocore's included
    cognito_pool.create_mfa_setup_user("una", PASSWORD)
    caplog.clear()  # the test's own set-up calls, made with an administrator's client
    site.login("una", PASSWORD)
    secret = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7]+)</code>', site.get(PAGES["totp_setup"]).text).group(1)
    code = pyotp.TOTP(secret).now()
    assert answer(site, PAGES["totp_setup"], {"code": code}).headers["Location"] == "/"
    sessions = Session.objects.all()
    stored = repr([s.session_data for s in sessions]) + repr([s.get_decoded() for s in sessions])
    for value in (secret, PASSWORD):
        assert value not in caplog.text and value not in stored
    assert no_step_left()


def test_unsupported_challenge_keeps_the_login_form_message(site, alice, cognito_pool):
    """A challenge this app has no page for (say CUSTOM_CHALLENGE) is not the person's fault."""
    from cognito_auth.client import AuthResult, CognitoClient

    original = CognitoClient.initiate_password_auth
    try:
        CognitoClient.initiate_password_auth = lambda self, u, p: AuthResult(challenge_name="CUSTOM_CHALLENGE",
                                                                             session="s", internal_username="alice")
        response = site.login("alice", PASSWORD)
    finally:
        CognitoClient.initiate_password_auth = original
    assert response.status_code == 200 and "does not support yet" in html.unescape(response.text)
