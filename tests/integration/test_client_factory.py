"""One factory builds every CognitoClient, so a backend's ``client_class`` serves the
login, the forms, the views, the sign-out handler and the doctor alike."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest
from django.contrib.sessions.backends.db import SessionStore

from cognito_auth.backends import CognitoBackend
from cognito_auth.client import CognitoClient, configured_client_class, get_cognito_client
from cognito_auth.doctor import diagnose
from cognito_auth.sessions import SessionTokens

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Changed-Pass-99"


class RecordingClient(CognitoClient):
    """Records each call it makes: the operation, and whether a person's request came with it."""

    made: ClassVar[list[tuple[str, bool]]] = []

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> dict:
        self.made.append((operation, self.request is not None))
        return super()._call(operation, *args, **kwargs)


class RecordingBackend(CognitoBackend):
    client_class = RecordingClient


@pytest.fixture
def recording_backend(settings):
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.RecordingBackend", "django.contrib.auth.backends.ModelBackend"]
    RecordingClient.made.clear()
    yield
    RecordingClient.made.clear()


def expire_access_token(site) -> None:
    session = SessionStore(session_key=site.http.cookies["sessionid"])
    dataclasses.replace(SessionTokens.load(session), expires_at=0).save(session)
    session.save()


def test_the_configured_client_class_is_found(recording_backend, app_client_for_pool):
    assert configured_client_class() is RecordingClient
    assert type(get_cognito_client(app_client_for_pool)) is RecordingClient


def test_without_a_cognito_backend_the_plain_client_serves(settings, app_client_for_pool):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert type(get_cognito_client(app_client_for_pool)) is CognitoClient


def test_every_page_handler_and_check_uses_the_backends_client_class(recording_backend, site, alice,
                                                                      app_client_for_pool, cognito_pool):
    assert site.login("alice", PASSWORD).status_code == 302  # the backend
    expire_access_token(site)
    change = site.post_form("/accounts/password_change/", {  # the view renews, the form changes
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert change.status_code == 302
    site.http.post(site.base_url + "/accounts/logout/", data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                   headers={"Referer": site.base_url + "/"}, timeout=30)  # the handler
    assert site.post_form("/accounts/password_reset/", {"username": "alice"}).status_code == 302  # a form
    assert RecordingClient.made == [
        ("initiate_auth", True), ("initiate_auth", True), ("change_password", True), ("revoke_token", True),
        ("forgot_password", True),
    ]
    RecordingClient.made.clear()
    diagnose(app_client_for_pool)  # the doctor: no person's request
    assert RecordingClient.made and all(made == ("initiate_auth", False) for made in RecordingClient.made)
