"""Input on the anonymous forms: Cognito's 128-character usernames, bytes that are not
UTF-8, and Django's LoginRequiredMiddleware."""

from __future__ import annotations

import logging
import re

import django
import pytest
from django.test import Client

from .conftest import PASSWORD, Site
from .test_no_probing import page_shape, post_without_page, seen

pytestmark = pytest.mark.django_db(transaction=True)

# Every anonymous form that takes a username, and the other fields it needs.
FORMS = {
    "/accounts/login/": {"password": PASSWORD},
    "/accounts/password_reset/": {},
    "/accounts/password_reset/confirm/": {"code": "123456", "new_password1": PASSWORD, "new_password2": PASSWORD},
    "/accounts/password_reset/resend/": {},
    "/accounts/signup/": {"email": "someone@example.com", "password1": PASSWORD, "password2": PASSWORD},
    "/accounts/signup/confirm/": {"code": "123456"},
    "/accounts/signup/resend/": {},
}
# Where a POST-only page sends the person, with its message.
FOLLOW = {"/accounts/password_reset/resend/": "/accounts/password_reset/confirm/",
          "/accounts/signup/resend/": "/accounts/signup/confirm/"}


@pytest.fixture
def signup_on(settings, app_client_for_pool):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True


def visit(site: Site, path: str, username: str) -> list:
    responses = [post_without_page(site, path, {"username": username, **FORMS[path]})]
    if path in FOLLOW:
        responses.append(site.get(FOLLOW[path]))
    return responses


@pytest.mark.parametrize("path", FORMS)
def test_a_username_over_128_characters_is_refused_before_any_call(site, signup_on, cognito_emulator, path):
    cognito_emulator.reset_log()
    responses = visit(Site(site.base_url), path, "a" * 129)
    page = responses[-1].text
    assert "Ensure this value has at most 128 characters (it has 129)" in page
    assert cognito_emulator.calls() == []
    visit(Site(site.base_url), path, "a" * 128)  # Cognito's own limit: this one is asked
    assert len(cognito_emulator.calls()) >= 1


def post_raw(site: Site, path: str, body: bytes):
    site.get("/accounts/login/")
    token = site.http.cookies["csrftoken"].encode()
    return site.http.post(site.base_url + path, data=b"csrfmiddlewaretoken=" + token + b"&" + body,
                          headers={"Referer": site.base_url + path,
                                   "Content-Type": "application/x-www-form-urlencoded"},
                          allow_redirects=False, timeout=30)


def encoded_body(path: str, username: bytes, *, raw: bool) -> bytes:
    fields = {key: value.encode() for key, value in FORMS[path].items()}
    name = username if raw else b"".join(b"%%%02X" % byte if byte > 127 else bytes([byte]) for byte in username)
    return b"&".join([b"username=" + name, *(key.encode() + b"=" + value for key, value in fields.items())])


@pytest.mark.parametrize("path", FORMS)
def test_raw_bytes_that_are_not_utf8_get_the_error_percent_encoded_ones_get(site, signup_on, cognito_emulator, path):
    cognito_emulator.reset_log()
    name = b"\xff\xfeadmin"  # Latin-1 would read it as the valid name "\xff\xfeadmin"
    observed = {}
    for raw in (True, False):
        browser = Site(site.base_url)
        responses = [post_raw(browser, path, encoded_body(path, name, raw=raw))]
        if path in FOLLOW:
            responses.append(browser.get(FOLLOW[path]))
        observed[raw] = seen(responses, "\ufffd")
    assert observed[True] == observed[False]
    assert "Enter a valid username" in observed[True][-1][-1]
    assert cognito_emulator.calls() == []


# LoginRequiredMiddleware ---------------------------------------------------------------

needs_login_required_middleware = pytest.mark.skipif(
    django.VERSION < (5, 1), reason="LoginRequiredMiddleware is new in Django 5.1"
)


@needs_login_required_middleware
def test_every_anonymous_page_answers_under_login_required_middleware(settings, signup_on, alice, cognito_pool):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    browser = Client()  # a new handler, so it loads the middleware just set
    assert browser.get("/").status_code == 302  # the middleware is on
    for path in ("/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/confirm/",
                 "/accounts/password_reset/complete/", "/accounts/signup/", "/accounts/signup/confirm/"):
        assert browser.get(path).status_code == 200, path
    # A whole reset, signed out all along.
    response = browser.post("/accounts/password_reset/", {"username": "alice"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/confirm/")
    assert browser.post("/accounts/password_reset/resend/").status_code == 302
    response = browser.post("/accounts/password_reset/confirm/", {
        "code": cognito_pool.latest_code("alice"), "new_password1": "Brand-New-Pass-42",
        "new_password2": "Brand-New-Pass-42"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/complete/")
    assert browser.post("/accounts/login/", {"username": "alice", "password": "Brand-New-Pass-42"}).status_code == 302


# Invited users --------------------------------------------------------------------------


def test_an_invited_user_asking_for_a_reset_reads_as_an_unknown_name_and_is_told_how_to_sign_in(
    site, cognito_pool, app_client_for_pool, caplog,
):
    cognito_pool.emulator.boto3_admin_client().admin_create_user(
        UserPoolId=cognito_pool.pool_id, Username="invitee", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "invitee@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    hint = "The temporary password from your invitation signs you in"
    assert hint in site.get("/accounts/password_reset/").text
    with caplog.at_level(logging.INFO, logger="cognito_auth"):
        pages = {}
        for name in ("invitee", "invitee", "nobody-here"):
            browser = Site(site.base_url)
            response = browser.post_form("/accounts/password_reset/", {"username": name})
            assert (response.status_code, response.headers["Location"]) == (302, "/accounts/password_reset/confirm/")
            pages[name] = page_shape(browser.get("/accounts/password_reset/confirm/").text, name)
    assert pages["invitee"] == pages["nobody-here"]
    assert hint in pages["invitee"] and "temporarily unavailable" not in pages["invitee"]
    logged = [r for r in caplog.records if "cannot be reset in the current state" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.INFO
    assert "FORCE_CHANGE_PASSWORD" in logged[0].getMessage()
    assert not re.search(r"invitee", logged[0].getMessage())
