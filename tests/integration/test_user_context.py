"""Cognito's threat protection sees the person: UserContextData.IpAddress on every call
that takes it, X-Forwarded-For believed only through COGNITO_AUTH_TRUSTED_PROXIES."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from cognito_auth.user_context import client_ip_address, user_context_data

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
TAKES_USER_CONTEXT = {"InitiateAuth", "ForgotPassword", "ConfirmForgotPassword", "SignUp", "ConfirmSignUp",
                      "ResendConfirmationCode", "RespondToAuthChallenge"}


def addresses(cognito_emulator) -> set:
    return {call["ip_address"] for call in cognito_emulator.calls()}


def test_every_call_that_takes_it_carries_the_persons_address(site, alice, cognito_pool, cognito_emulator,
                                                                settings):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True
    cognito_emulator.reset_log()
    site.login("alice", PASSWORD)
    site.post_form("/accounts/password_change/", {"old_password": PASSWORD, "new_password1": "Changed-Pass-99",
                                                  "new_password2": "Changed-Pass-99"})
    site.http.post(site.base_url + "/accounts/logout/", data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                   headers={"Referer": site.base_url + "/"}, timeout=30)
    site.post_form("/accounts/password_reset/", {"username": "alice"})
    site.post_form("/accounts/password_reset/confirm/", {
        "code": cognito_pool.latest_code("alice"), "new_password1": "Reset-Pass-77", "new_password2": "Reset-Pass-77"})
    site.post_form("/accounts/signup/", {"username": "newcomer", "email": "n@example.com",
                                         "password1": PASSWORD, "password2": PASSWORD})
    site.http.post(site.base_url + "/accounts/signup/resend/",
                   data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                   headers={"Referer": site.base_url + "/accounts/signup/confirm/"}, timeout=30)
    site.post_form("/accounts/signup/confirm/", {"code": cognito_pool.latest_code("newcomer", "sign_up")})
    calls = cognito_emulator.calls()
    # Every call a person's request made carries their address where the API takes it
    # (after a reset, one InitiateAuth or two learn whose password it was), never elsewhere.
    assert {(call["action"], call["ip_address"]) for call in calls} == {
        ("InitiateAuth", "127.0.0.1"), ("ForgotPassword", "127.0.0.1"),
        ("ConfirmForgotPassword", "127.0.0.1"), ("SignUp", "127.0.0.1"),
        ("ResendConfirmationCode", "127.0.0.1"), ("ConfirmSignUp", "127.0.0.1"),
        # The API takes no UserContextData here.
        ("ChangePassword", None), ("RevokeToken", None),
    }
    assert all(call["outcome"] == "ok" for call in calls if call["action"] != "InitiateAuth")


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(site, alice, cognito_emulator):
    cognito_emulator.reset_log()
    site.http.headers["X-Forwarded-For"] = "203.0.113.66"
    assert site.login("alice", PASSWORD).status_code == 302
    assert site.post_form("/accounts/password_reset/", {"username": "alice"}).status_code == 302
    assert addresses(cognito_emulator) == {"127.0.0.1"}


def test_forwarded_for_is_walked_from_the_right_through_trusted_proxies(site, alice, cognito_emulator, settings):
    settings.COGNITO_AUTH_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    cognito_emulator.reset_log()
    behind_proxies = type(site)(site.base_url)
    # The person forged the first entry; their real address was added by our 10.x proxy.
    behind_proxies.http.headers["X-Forwarded-For"] = "192.0.2.1, 198.51.100.7, 10.1.2.3"
    assert behind_proxies.login("alice", PASSWORD).status_code == 302
    assert addresses(cognito_emulator) == {"198.51.100.7"}


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("198.51.100.7", "", [], "198.51.100.7"),
        ("198.51.100.7", "203.0.113.1", [], "198.51.100.7"),  # not a proxy of ours: ignored
        ("10.0.0.5", "203.0.113.1", ["10.0.0.0/8"], "203.0.113.1"),
        ("10.0.0.5", "203.0.113.1, 10.0.0.9", ["10.0.0.0/8"], "203.0.113.1"),
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", ["10.0.0.0/8"], "10.0.0.8"),  # all trusted: the leftmost
        ("10.0.0.5", "203.0.113.1, not-an-address", ["10.0.0.0/8"], "10.0.0.5"),  # broken chain: stop
        ("10.0.0.5", "", ["10.0.0.0/8"], "10.0.0.5"),
        ("::ffff:198.51.100.7", "", [], "198.51.100.7"),
        ("2001:db8::1", "", [], "2001:db8::1"),
        ("2001:db8::1", "198.51.100.7", ["2001:db8::/32"], "198.51.100.7"),
        ("10.0.0.5", "203.0.113.1", ["nonsense", "10.0.0.5"], "203.0.113.1"),  # bad entries skipped
    ],
)
def test_client_ip_address(settings, remote, forwarded, trusted, expected):
    settings.COGNITO_AUTH_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_address(request) == expected


def test_no_request_or_no_address_sends_no_user_context():
    assert user_context_data(None) is None
    assert user_context_data(RequestFactory().get("/", REMOTE_ADDR="")) is None
