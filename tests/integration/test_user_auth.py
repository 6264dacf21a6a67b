"""Choice-based sign-in (USER_AUTH) from the login page, over HTTP against the emulator
process: an email or SMS code, a password (PASSWORD or PASSWORD_SRP), Cognito's choice
(SELECT_CHALLENGE), with wrong, expired and reused codes, a method the app client does not
offer, and unknown names; in a pool with an email alias and in one that signs in by email.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest

from cognito_auth.models import AppClient
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS

from .conftest import PASSWORD
from .test_sign_in_steps import PAGES, STEP_ENDED, WRONG_CODE, answer, signed_in_as

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+15555550100"


@dataclass
class Pool:
    """The emulator's pool and the internal username of "dora" in it."""

    cognito: Any
    internal: str
    kind: str

    @property
    def new_name(self) -> str:
        """A name to sign up with: a username, or in an email-as-username pool the email."""
        return "newcomer" if self.kind == "alias" else "newcomer@example.com"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cognito, name)


@pytest.fixture(params=["alias", "email_as_username"])
def pool(request, cognito_pool_factory, db):
    options = {"alias_attributes": ["email"]} if request.param == "alias" else {"username_attributes": ["email"]}
    cognito = cognito_pool_factory(Policies=PASSWORDLESS_POLICIES, **options)
    cognito.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    username = "dora" if request.param == "alias" else "dora@example.com"
    internal = cognito.create_user(username, PASSWORD, {"email": "dora@example.com", "phone_number": PHONE})
    AppClient.objects.create(
        name="emulated", region=cognito.region, user_pool_id=cognito.pool_id, client_id=cognito.client_id,
        client_secret=cognito.client_secret, endpoint_url=cognito.endpoint_url, is_default=True,
        auth_flow="USER_AUTH", sign_in_methods="PASSWORD EMAIL_OTP SMS_OTP",
    )
    return Pool(cognito, internal, request.param)


def offer(methods: str) -> None:
    """Set the app client's sign-in methods, as the admin saves them (the cache follows)."""
    app_client = AppClient.objects.get()
    app_client.sign_in_methods = methods
    app_client.save()


def ask_for_code(site, name: str, method: str = "EMAIL_OTP"):
    return site.post_form("/accounts/login/", {"username": name, "method": method})


def test_login_page_offers_the_client_methods(site, pool) -> None:
    page = html.unescape(site.get("/accounts/login/").text)
    assert "Email me a sign-in code" in page
    assert "Text me a sign-in code" in page
    assert 'name="password"' in page
    offer("EMAIL_OTP")
    page = html.unescape(site.get("/accounts/login/").text)
    assert "Email me a sign-in code" in page
    assert "Text me a sign-in code" not in page
    assert 'type="password"' not in page


def test_email_code_signs_in_with_two_cognito_calls(site, pool) -> None:
    start = len(pool.calls())
    asked = ask_for_code(site, "dora@example.com")
    assert asked.status_code == 302
    assert asked.headers["Location"] == PAGES["code"]
    page = html.unescape(site.get(PAGES["code"]).text)
    assert "d***@e***" in page
    done = answer(site, PAGES["code"], {"code": pool.latest_code(pool.internal, "email_otp")})
    assert done.status_code == 302
    assert done.headers["Location"] == "/"
    assert signed_in_as(site)
    calls = pool.calls()[start:]
    assert [call["action"] for call in calls] == ["InitiateAuth", "RespondToAuthChallenge"]
    # The answer carries (and is hashed over) the internal username, never the email typed.
    assert calls[1]["username"] == pool.internal


def test_sms_code_signs_in(site, pool) -> None:
    asked = ask_for_code(site, "dora@example.com", "SMS_OTP")
    assert asked.headers["Location"] == PAGES["code"]
    assert "+*******0100" in html.unescape(site.get(PAGES["code"]).text)
    done = answer(site, PAGES["code"], {"code": pool.latest_code(pool.internal, "sms_otp")})
    assert done.headers["Location"] == "/"


def test_wrong_then_reused_code(site, pool) -> None:
    ask_for_code(site, "dora@example.com")
    code = pool.latest_code(pool.internal, "email_otp")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = answer(site, PAGES["code"], {"code": wrong})
    assert refused.status_code == 200
    assert WRONG_CODE in html.unescape(refused.text)
    step = re.search(r'name="step" value="([^"]+)"', site.get(PAGES["code"]).text).group(1)
    assert answer(site, PAGES["code"], {"code": code}, step=step).headers["Location"] == "/"
    # The step is spent: its page sends the person back to sign in (the emulator's own
    # tests show Cognito refusing the used session).
    replay = site.get(PAGES["code"])
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/accounts/login/")


def test_expired_code_goes_back_to_login(site, pool) -> None:
    ask_for_code(site, "dora@example.com")
    code = pool.latest_code(pool.internal, "email_otp")
    pool.expire_sign_in_sessions()
    ended = answer(site, PAGES["code"], {"code": code})
    assert ended.status_code == 302
    assert STEP_ENDED in html.unescape(site.get(ended.headers["Location"]).text)


def test_password_with_user_auth(site, pool) -> None:
    assert site.login("dora@example.com", PASSWORD).headers["Location"] == "/"
    call = [call for call in pool.calls() if call["action"] == "InitiateAuth"][-1]
    assert call["auth_flow"] == "USER_AUTH"


def test_password_srp_with_user_auth(site, pool) -> None:
    offer("PASSWORD_SRP EMAIL_OTP")
    start = len(pool.calls())
    assert site.login("dora@example.com", PASSWORD).headers["Location"] == "/"
    assert [call["action"] for call in pool.calls()[start:]] == ["InitiateAuth", "RespondToAuthChallenge"]


def test_wrong_password_is_the_usual_error(site, pool) -> None:
    refused = site.login("dora@example.com", "Wrong-pass-1")
    assert refused.status_code == 200
    assert "Please enter a correct" in html.unescape(refused.text)


def test_method_not_offered_is_a_form_error(site, pool) -> None:
    offer("PASSWORD")
    start = len(pool.calls())
    refused = ask_for_code(site, "dora@example.com")
    assert refused.status_code == 200
    assert "not available here" in html.unescape(refused.text)
    assert len(pool.calls()) == start  # nothing reached Cognito
    assert ask_for_code(site, "dora@example.com", "WEB_AUTHN").status_code == 200


def test_choice_when_the_user_cannot_use_the_method(site, pool, cognito_emulator) -> None:
    # The phone is not verified: SMS_OTP is not available, so Cognito offers a choice.
    cognito_emulator.boto3_admin_client().admin_update_user_attributes(
        UserPoolId=pool.pool_id, Username=pool.internal,
        UserAttributes=[{"Name": "phone_number_verified", "Value": "false"}],
    )
    asked = ask_for_code(site, "dora@example.com", "SMS_OTP")
    assert asked.headers["Location"] == PAGES["choose"]
    page = html.unescape(site.get(PAGES["choose"]).text)
    assert "A sign-in code by email" in page
    assert "text message" not in page
    # Choosing the password without typing it asks for it.
    asks = answer(site, PAGES["choose"], {"choice": "PASSWORD"})
    assert asks.status_code == 200
    assert "Enter your password" in html.unescape(asks.text)
    done = answer(site, PAGES["choose"], {"choice": "PASSWORD", "password": PASSWORD})
    assert done.headers["Location"] == "/"


def test_choice_of_email_code(site, pool, cognito_emulator) -> None:
    cognito_emulator.boto3_admin_client().admin_update_user_attributes(
        UserPoolId=pool.pool_id, Username=pool.internal,
        UserAttributes=[{"Name": "phone_number_verified", "Value": "false"}],
    )
    ask_for_code(site, "dora@example.com", "SMS_OTP")
    chosen = answer(site, PAGES["choose"], {"choice": "EMAIL_OTP"})
    assert chosen.headers["Location"] == PAGES["code"]
    done = answer(site, PAGES["code"], {"code": pool.latest_code(pool.internal, "email_otp")})
    assert done.headers["Location"] == "/"


def test_unknown_name_gets_the_same_pages(site, pool) -> None:
    known = ask_for_code(site, "dora@example.com")
    known_page = html.unescape(site.get(PAGES["code"]).text)
    site.http.cookies.clear()
    unknown = ask_for_code(site, "nobody@example.com")
    assert unknown.status_code == known.status_code == 302
    assert unknown.headers["Location"] == known.headers["Location"]
    unknown_page = html.unescape(site.get(PAGES["code"]).text)
    assert "n***@e***" in unknown_page
    assert unknown_page.replace("nobody", "dora").replace("n***", "d***").count("<") == known_page.count("<")
    refused = answer(site, PAGES["code"], {"code": "123456"})
    assert refused.status_code == 200
    assert WRONG_CODE in html.unescape(refused.text)


def test_sign_up_confirmation_signs_in_at_once(site, pool, settings) -> None:
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    signed_up = site.post_form("/accounts/signup/", {
        "username": pool.new_name, "email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert signed_up.headers["Location"] == "/accounts/signup/confirm/"
    internal = next(message["username"] for message in reversed(pool.emulator.outbox())
                    if message["kind"] == "sign_up" and message["pool_id"] == pool.pool_id)
    start = len(pool.calls())
    confirmed = site.post_form("/accounts/signup/confirm/", {"code": pool.latest_code(internal, "sign_up")})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/"
    assert signed_in_as(site)
    calls = [(call["action"], call["auth_flow"]) for call in pool.calls()[start:]]
    assert calls == [("ConfirmSignUp", None), ("InitiateAuth", "USER_AUTH")]


def test_sign_up_confirmation_without_user_auth_goes_to_login(site, pool, settings) -> None:
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    app_client = AppClient.objects.get()
    app_client.auth_flow = "USER_PASSWORD_AUTH"
    app_client.save()
    site.post_form("/accounts/signup/", {
        "username": pool.new_name, "email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD,
    })
    internal = next(message["username"] for message in reversed(pool.emulator.outbox())
                    if message["kind"] == "sign_up" and message["pool_id"] == pool.pool_id)
    confirmed = site.post_form("/accounts/signup/confirm/", {"code": pool.latest_code(internal, "sign_up")})
    assert confirmed.headers["Location"] == "/accounts/login/"
