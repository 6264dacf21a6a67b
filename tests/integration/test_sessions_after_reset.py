"""A new password ends exactly that person's other sessions: the person is who Cognito
says, never whoever the typed text matches among Django's fields."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model

from cognito_auth.models import AppClient
from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS

from .conftest import PASSWORD, Site

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Brand-New-Pass-42"
RESET = "/accounts/password_reset/"
CONFIRM = "/accounts/password_reset/confirm/"


def reset(site: Site, pool, typed: str, internal: str) -> None:
    """Reset the password of the user named ``typed``, as a visitor does."""
    assert site.post_form(RESET, {"username": typed}).status_code == 302
    done = site.post_form(CONFIRM, {"code": pool.latest_code(internal), "new_password1": NEW_PASSWORD,
                                    "new_password2": NEW_PASSWORD})
    assert (done.status_code, done.headers["Location"]) == (302, "/accounts/password_reset/complete/")


def signed_in(site: Site, name: str, password: str = PASSWORD) -> Site:
    browser = Site(site.base_url)
    assert browser.login(name, password).status_code == 302
    assert browser.get("/").status_code == 200
    return browser


def still_signed_in(browser: Site) -> bool:
    return browser.get("/").status_code == 200


@pytest.fixture
def alias_pool(cognito_emulator, db):
    """A pool where people sign in with their email or phone (UsernameAttributes), served."""
    pool_id = cognito_emulator.create_user_pool("alias-pool", UsernameAttributes=["email", "phone_number"])
    client_id, secret = cognito_emulator.create_app_client(pool_id, "alias", secret=True)
    AppClient.objects.create(name="alias", region=cognito_emulator.region, user_pool_id=pool_id,
                             client_id=client_id, client_secret=secret, endpoint_url=cognito_emulator.endpoint_url,
                             is_default=True)
    yield pool_id
    cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=pool_id)


def test_a_reset_typed_as_a_phone_alias_ends_that_persons_sessions(site, cognito_emulator, alias_pool):
    internal = cognito_emulator.create_user(alias_pool, "bob@example.com", PASSWORD,
                                            {"email": "bob@example.com", "phone_number": "+15555550100"})
    other_browser = signed_in(site, "bob@example.com")
    assert site.post_form(RESET, {"username": "+15555550100"}).status_code == 302
    code = cognito_emulator.latest_code(internal, pool_id=alias_pool)
    site.post_form(CONFIRM, {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not still_signed_in(other_browser)


def test_a_reset_ends_sessions_of_a_user_who_keeps_a_local_password(site, alice, cognito_pool):
    other_browser = signed_in(site, "alice")
    user = get_user_model().objects.get(username="alice")
    user.set_password("Local-pass-word-1")  # say, an account that existed before it was linked
    user.save()
    other_browser = signed_in(site, "alice")  # (the password change above ended the first one)
    reset(site, cognito_pool, "alice", "alice")
    assert not still_signed_in(other_browser)


def test_a_stranger_using_the_victims_email_as_username_signs_nobody_else_out(site, alice, cognito_pool):
    victim = signed_in(site, "alice")  # alice@example.com, verified, copied onto her Django user
    cognito_pool.create_user("alice@example.com", PASSWORD, {"email": "stranger@example.net"})
    stranger = signed_in(site, "alice@example.com")
    reset(Site(site.base_url), cognito_pool, "alice@example.com", "alice@example.com")
    assert still_signed_in(victim)
    assert not still_signed_in(stranger)


def test_with_user_srp_auth_allowed_the_first_step_alone_tells_who_it_was(
    site, cognito_pool, cognito_emulator, db,
):
    client_id, secret = cognito_emulator.create_app_client(
        cognito_pool.pool_id, "srp", secret=True,
        flows=("ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
    )
    AppClient.objects.create(name="srp", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id,
                             client_id=client_id, client_secret=secret, endpoint_url=cognito_pool.endpoint_url,
                             is_default=True)
    cognito_pool.create_user("carol", PASSWORD, {"email": "carol@example.com"})
    dave = cognito_pool.create_user("dave", PASSWORD, {"email": "dave@example.com"})
    carol_elsewhere, dave_elsewhere = signed_in(site, "carol"), signed_in(site, dave)
    cognito_emulator.reset_log()
    reset(site, cognito_pool, "carol", "carol")
    assert not still_signed_in(carol_elsewhere) and still_signed_in(dave_elsewhere)
    after = [(c["action"], c["auth_flow"], c["outcome"]) for c in cognito_emulator.calls()
             if c["action"] not in ("ForgotPassword", "ConfirmForgotPassword") and c["client_id"] == client_id]
    assert after[0] == ("InitiateAuth", "USER_SRP_AUTH", "ok")  # never answered: nobody signed in
    assert ("InitiateAuth", "USER_PASSWORD_AUTH", "ok") not in after[:1]


def test_when_cognito_cannot_say_only_the_exact_internal_username_is_signed_out(
    site, alice, cognito_pool, caplog,
):
    alice_elsewhere = signed_in(site, "alice")
    # The client allows no SRP (a real refusal); password sign-in refused too, this once.
    cognito_pool.emulator.fail_next("InitiateAuth", cognito_pool.client_id, "InvalidParameterException",
                                    "USER_SRP_AUTH flow not enabled for this client")
    cognito_pool.emulator.fail_next("InitiateAuth", cognito_pool.client_id, "InvalidParameterException",
                                    "USER_PASSWORD_AUTH flow not enabled for this client")
    with caplog.at_level(logging.INFO, logger="cognito_auth"):
        reset(site, cognito_pool, "alice", "alice")
    assert not still_signed_in(alice_elsewhere)
    assert "could not tell whose password was reset" in caplog.text
    assert NEW_PASSWORD not in caplog.text


def test_a_user_auth_client_learns_who_it_was_from_an_unanswered_password_srp_step(
    site, cognito_pool_factory, db,
):
    # Choice-based sign-in only: neither USER_SRP_AUTH nor USER_PASSWORD_AUTH is allowed.
    pool = cognito_pool_factory(alias_attributes=["email"], Policies=PASSWORDLESS_POLICIES)
    pool.configure_app_client(flows=USER_AUTH_CLIENT_FLOWS)
    AppClient.objects.create(name="choice", region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
                             client_secret=pool.client_secret, endpoint_url=pool.endpoint_url, is_default=True,
                             auth_flow="USER_AUTH", sign_in_methods="PASSWORD EMAIL_OTP")
    pool.create_user("dora", PASSWORD, {"email": "dora@example.com", "email_verified": "true"})
    pool.create_user("erin", PASSWORD, {"email": "erin@example.com", "email_verified": "true"})
    dora_elsewhere, erin_elsewhere = signed_in(site, "dora"), signed_in(site, "erin")
    pool.emulator.reset_log()
    reset(site, pool, "dora@example.com", "dora")  # typed as the alias
    assert not still_signed_in(dora_elsewhere) and still_signed_in(erin_elsewhere)
    look_ups = [call for call in pool.calls() if call["action"] == "InitiateAuth"]
    assert [(call["auth_flow"], call["outcome"]) for call in look_ups] == [("USER_AUTH", "ok")]
    assert {"PREFERRED_CHALLENGE", "SRP_A"} <= set(look_ups[0]["parameter_names"])
    assert "PASSWORD" not in look_ups[0]["parameter_names"]
    assert not any(call["action"] == "RespondToAuthChallenge" for call in pool.calls())  # never answered
    assert not [message for message in pool.emulator.outbox() if message["kind"] == "email_otp"]
