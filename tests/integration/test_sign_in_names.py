"""The site's pages with pools whose people sign in by another name than the username:
a verified email alias (AliasAttributes), any letter case (CaseSensitive false), and email
as username (UsernameAttributes, internal username = sub). The emulator resolves these as
Cognito does, so the app is tested against what real pools accept."""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from cognito_auth.models import AppClient, CognitoIdentity
from cognito_auth.sessions import SessionTokens

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Brand-New-Pass-42"
CHANGED_PASSWORD = "Changed-Pass-99"
EMAIL = "alice@example.com"


@dataclasses.dataclass
class Person:
    internal: str  # the internal username: the name in the tokens
    names: list[str]  # names that sign this person in
    pool: object


def _register(pool) -> None:
    AppClient.objects.create(
        name="emulated", region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
        client_secret=pool.client_secret, endpoint_url=pool.endpoint_url, is_default=True,
    )


@pytest.fixture(params=["alias", "email_as_username"])
def person(request, cognito_pool_factory, db) -> Person:
    """Alice in a case-insensitive pool, either with an email alias or with email as username."""
    if request.param == "alias":
        pool = cognito_pool_factory(alias_attributes=["email", "phone_number"], case_sensitive=False)
        internal = pool.create_user("alice", PASSWORD, {"email": EMAIL})
        names = [EMAIL, "ALICE", "Alice@Example.com"]
    else:
        pool = cognito_pool_factory(username_attributes=["email"], case_sensitive=False)
        internal = pool.create_user(EMAIL, PASSWORD)
        names = [EMAIL, EMAIL.upper()]
    _register(pool)
    return Person(internal, names, pool)


def linked_names() -> list[str]:
    return list(CognitoIdentity.objects.values_list("cognito_username", flat=True))


def test_every_sign_in_name_signs_in_the_same_person(site, person):
    for name in person.names:
        browser = type(site)(site.base_url)
        response = browser.login(name, PASSWORD)
        assert (response.status_code, response.headers.get("Location")) == (302, "/"), name
        assert browser.get("/").status_code == 200
    assert linked_names() == [person.internal]
    assert get_user_model().objects.count() == 1


def test_password_reset_by_another_name_then_sign_in(site, person):
    name = person.names[-1]
    assert site.post_form("/accounts/password_reset/", {"username": name}).status_code == 302
    code = person.pool.latest_code(person.internal)
    new = {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    done = site.post_form("/accounts/password_reset/confirm/", new)
    assert (done.status_code, done.headers["Location"]) == (302, "/accounts/password_reset/complete/")
    for sign_in_name in person.names:
        fresh = type(site)(site.base_url)
        assert fresh.login(sign_in_name, PASSWORD).status_code == 200  # the old password is gone
        assert fresh.login(sign_in_name, NEW_PASSWORD).status_code == 302


def test_password_change_renews_over_the_internal_username(site, person, cognito_emulator):
    assert site.login(person.names[-1], PASSWORD).status_code == 302
    session = SessionStore(session_key=site.http.cookies["sessionid"])
    dataclasses.replace(SessionTokens.load(session), expires_at=0).save(session)
    session.save()
    cognito_emulator.reset_log()

    response = site.post_form(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": CHANGED_PASSWORD, "new_password2": CHANGED_PASSWORD},
    )

    assert (response.status_code, response.headers["Location"]) == (302, "/accounts/password_change/done/")
    # All calls, not the pool's: ChangePassword names no client.
    calls = [(c["action"], c["auth_flow"], c["outcome"]) for c in cognito_emulator.calls()]
    assert calls == [("InitiateAuth", "REFRESH_TOKEN_AUTH", "ok"), ("ChangePassword", None, "ok")]
    renewed = SessionTokens.load(SessionStore(session_key=site.http.cookies["sessionid"]))
    assert renewed.cognito_username == person.internal
    assert type(site)(site.base_url).login(person.names[0], CHANGED_PASSWORD).status_code == 302
