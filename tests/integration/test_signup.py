"""Sign-up over HTTP: SignUp, ConfirmSignUp and ResendConfirmationCode with SecretHash."""

from __future__ import annotations

import logging
import re

import pytest

from cognito_auth import signals

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
SIGNUP = "/accounts/signup/"
CONFIRM = "/accounts/signup/confirm/"
RESEND = "/accounts/signup/resend/"


@pytest.fixture
def signup_on(settings, app_client_for_pool):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    return app_client_for_pool


def sign_up(site, username="newcomer", email="newcomer@example.com", password=PASSWORD, again=None):
    return site.post_form(SIGNUP, {"username": username, "email": email, "password1": password,
                                   "password2": again or password})


def resend(site):
    return site.http.post(site.base_url + RESEND, data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                          headers={"Referer": site.base_url + CONFIRM}, allow_redirects=False, timeout=30)


def test_sign_up_is_off_by_default(site, settings, app_client_for_pool):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = False
    assert site.get(SIGNUP).status_code == 404
    assert "Create an account" not in site.get("/accounts/login/").text


def test_sign_up_confirm_sign_in(site, signup_on, cognito_pool, cognito_emulator):
    seen = []
    signals.user_signed_up.connect(lambda **kw: seen.append("signed_up"), weak=False, dispatch_uid="s1")
    signals.sign_up_confirmed.connect(lambda **kw: seen.append("confirmed"), weak=False, dispatch_uid="s2")
    assert 'href="/accounts/signup/"' in site.get("/accounts/login/").text
    cognito_emulator.reset_log()
    response = sign_up(site)
    assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
    page = site.get(CONFIRM).text
    assert "We sent a code by email to n***@e***" in page and 'name="username"' not in page
    # Unconfirmed: Cognito says so whatever the password, so the page says what it says
    # for any failure (and offers the confirm page to everyone).
    unconfirmed = type(site)(site.base_url).login("newcomer", PASSWORD)
    assert unconfirmed.status_code == 200 and 'href="/accounts/signup/confirm/"' in unconfirmed.text
    response = site.post_form(CONFIRM, {"code": cognito_pool.latest_code("newcomer", "sign_up")})
    assert (response.status_code, response.headers["Location"]) == (302, "/accounts/login/")
    assert "Your account is confirmed" in site.get("/accounts/login/").text
    assert site.login("newcomer", PASSWORD).status_code == 302
    calls = [(c["action"], c["secret_hash"], c["outcome"]) for c in cognito_emulator.calls()
             if c["action"] in ("SignUp", "ConfirmSignUp")]
    assert calls == [("SignUp", "present", "ok"), ("ConfirmSignUp", "present", "ok")]
    assert seen == ["signed_up", "confirmed"]
    signals.user_signed_up.disconnect(dispatch_uid="s1")
    signals.sign_up_confirmed.disconnect(dispatch_uid="s2")


def test_wrong_code_then_a_new_code(site, signup_on, cognito_pool):
    sign_up(site)
    first = cognito_pool.latest_code("newcomer", "sign_up")
    wrong = site.post_form(CONFIRM, {"code": "000000" if first != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.text
    assert resend(site).headers["Location"] == CONFIRM
    assert "We sent you a new code" in site.get(CONFIRM).text
    sent = [m for m in cognito_pool.emulator.outbox()
            if m["kind"] == "sign_up" and m["pool_id"] == cognito_pool.pool_id]
    assert len(sent) == 2
    assert site.post_form(CONFIRM, {"code": cognito_pool.latest_code("newcomer", "sign_up")}).status_code == 302


def test_resend_is_rate_limited_by_cognitos_answer(site, signup_on, cognito_pool):
    sign_up(site)
    cognito_pool.emulator.fail_next("ResendConfirmationCode", cognito_pool.client_id, "LimitExceededException",
                                    "Attempt limit exceeded, please try after some time.", times=2)
    resend(site)
    assert "Too many attempts" in site.get(CONFIRM).text


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"password": "short"}, "Cognito did not accept the new password: Password not long enough."),
        ({"again": "Other-Pass-99"}, "The two password fields"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"username": "has space"}, "Enter a valid username"),
    ],
)
def test_sign_up_errors(site, signup_on, fields, expected):
    response = sign_up(site, **fields)
    assert response.status_code == 200 and expected in response.text


def test_taken_username_goes_on_as_a_new_one_and_sends_nothing(site, signup_on, alice, cognito_pool, caplog):
    with caplog.at_level(logging.INFO, logger="cognito_auth"):
        response = sign_up(site, username="alice")
    assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
    assert "We sent a code by email to n***@e***" in site.get(CONFIRM).text  # the address typed, masked
    assert not [m for m in cognito_pool.emulator.outbox() if m["pool_id"] == cognito_pool.pool_id]
    assert any("UsernameExistsException" in r.getMessage() for r in caplog.records)


def test_confirm_for_a_person_arriving_without_the_first_step(site, signup_on, cognito_pool):
    sign_up(type(site)(site.base_url), username="elsewhere", email="elsewhere@example.com")
    page = site.get(CONFIRM).text
    assert 'name="username"' in page
    code = cognito_pool.latest_code("elsewhere", "sign_up")
    assert site.post_form(CONFIRM, {"username": "elsewhere", "code": code}).status_code == 302
    again = site.post_form(CONFIRM, {"username": "elsewhere", "code": code})
    assert again.status_code == 200 and "already confirmed" in again.text


HOSTILE = ["", "a" * 5000, "\x00", "\x1b[0m", "🙂" * 60, "<script>x</script>"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_gives_a_500(site, signup_on, value):
    assert sign_up(site, username=value, email=value, password=value).status_code == 200
    assert site.post_form(CONFIRM, {"username": value, "code": value}).status_code == 200


@pytest.mark.parametrize("name", ["admin", "ADMIN", "\uff41\uff44\uff4d\uff49\uff4e"])  # the last: full-width letters
def test_sign_up_answers_the_names_of_django_users_as_it_answers_cognitos_own(site, signup_on, cognito_pool,
                                                                              cognito_emulator, name):
    from django.contrib.auth import get_user_model
    get_user_model().objects.create_superuser("admin", "admin@example.com", "Local-only-pass-1")
    cognito_pool.create_user("someone", PASSWORD)

    def answer(username):  # the redirect, and the page it leads to minus the echoed name
        response = sign_up(site, username=username)
        page = site.get(CONFIRM)
        return response.status_code, response.headers.get("Location"), page.status_code, \
            re.sub(r'value="[^"]*"', "", page.text.replace(username, "NAME"))

    held_by_cognito = answer("someone")
    cognito_emulator.reset_log()
    held_by_django = answer(name)
    assert held_by_django == held_by_cognito
    assert held_by_django[:2] == (302, CONFIRM)
    # One SignUp, as for any other name (the page's timing must not tell), which Cognito
    # refused on its hash: no Cognito namesake made.
    sign_ups = [c for c in cognito_emulator.calls() if c["action"] == "SignUp"]
    assert [(c["username"], c["outcome"]) for c in sign_ups] == [(name, "NotAuthorizedException")]
    assert "admin" not in cognito_pool_usernames(cognito_pool)


def cognito_pool_usernames(pool) -> set[str]:
    admin = pool.emulator.boto3_admin_client()
    return {user["Username"].lower() for user in admin.list_users(UserPoolId=pool.pool_id)["Users"]}


@pytest.mark.parametrize("with_secret", [True, False], ids=["client-with-secret", "client-without-secret"])
def test_a_django_held_name_costs_one_refused_sign_up_and_makes_nothing(site, settings, cognito_pool, cognito_emulator,
                                                                      caplog, with_secret):
    """The decoy: one SignUp Cognito refuses before doing anything (a hash made with a
    random key; for a client without a secret, a hash it did not expect), never the
    person's password, nothing in the operator's log beyond the one INFO line, nothing
    recorded as the client's last failure."""
    from django.contrib.auth import get_user_model

    from cognito_auth.models import AppClient

    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    if with_secret:
        client_id, secret = cognito_pool.client_id, cognito_pool.client_secret
    else:
        client_id, secret = cognito_emulator.create_app_client(cognito_pool.pool_id, "no-secret", secret=False)
    app_client = AppClient.objects.create(
        name="signup", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id, client_id=client_id,
        client_secret=secret or "", endpoint_url=cognito_pool.endpoint_url, is_default=True,
    )
    get_user_model().objects.create_user("localonly", "localonly@example.com", "Local-only-pass-1")
    cognito_emulator.reset_log()
    with caplog.at_level(logging.DEBUG, logger="cognito_auth"):
        response = sign_up(site, username="localonly", email="decoy@example.com")
    assert (response.status_code, response.headers["Location"]) == (302, CONFIRM)
    expected = "NotAuthorizedException" if with_secret else "InvalidParameterException"
    assert [(c["action"], c["username"], c["secret_hash"], c["outcome"]) for c in cognito_emulator.calls()] == [
        ("SignUp", "localonly", "present", expected),
    ]
    assert "localonly" not in cognito_pool_usernames(cognito_pool)
    assert not [m for m in cognito_emulator.outbox() if m["pool_id"] == cognito_pool.pool_id]
    assert [r.levelname for r in caplog.records if r.name.startswith("cognito_auth")] == ["INFO"]
    app_client.refresh_from_db()
    assert app_client.last_failure_at is None
