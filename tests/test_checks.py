"""Django system checks, run the way ``manage.py check`` runs them."""

import pytest
from django.core.checks import run_checks

from cognito_auth import encryption
from cognito_auth.backends import CognitoBackend
from cognito_auth.models import SECRET_PURPOSE

COGNITO = "cognito_auth.backends.CognitoBackend"
MODEL = "django.contrib.auth.backends.ModelBackend"


class SiteBackend(CognitoBackend):
    """A project's own subclass, as the backend's docstring invites."""


def ids(databases=None) -> list[str]:
    return sorted(m.id for m in run_checks(databases=databases) if (m.id or "").startswith("cognito_auth."))


def test_the_example_settings_pass():
    assert ids() == []


def test_without_the_backend_is_an_error(settings):
    settings.AUTHENTICATION_BACKENDS = [MODEL]
    messages = [m for m in run_checks() if m.id == "cognito_auth.E001"]
    assert len(messages) == 1 and COGNITO in messages[0].hint


def test_a_subclass_of_the_backend_counts(settings):
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.SiteBackend", MODEL]
    assert ids() == []


def test_model_backend_first_is_a_warning(settings):
    settings.AUTHENTICATION_BACKENDS = [MODEL, COGNITO]
    messages = [m for m in run_checks() if m.id == "cognito_auth.W001"]
    assert len(messages) == 1 and messages[0].hint == f"List {COGNITO} before {MODEL}."


def test_any_password_checking_model_backend_first_is_a_warning(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend", COGNITO]
    assert ids() == ["cognito_auth.W001"]


def test_backends_that_take_no_password_may_come_first(settings):
    # RemoteUserBackend is a ModelBackend, but Django never passes it a username and password.
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.RemoteUserBackend", COGNITO, MODEL]
    assert ids() == []
    settings.AUTHENTICATION_BACKENDS = [COGNITO, "no.such.Backend"]
    assert ids() == []


def test_missing_session_middleware_is_an_error(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SessionMiddleware" not in m]
    assert "cognito_auth.E002" in ids()


def test_signed_cookie_sessions_are_an_error(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    messages = [m for m in run_checks() if m.id == "cognito_auth.E003"]
    assert len(messages) == 1 and "backends.db" in messages[0].hint


@pytest.mark.django_db
def test_no_app_client_is_a_warning_with_database_checks_only():
    assert ids() == []
    assert ids(databases=["default"]) == ["cognito_auth.W002"]


@pytest.mark.django_db
def test_several_clients_and_no_default_is_a_warning(app_client_factory):
    first = app_client_factory()
    app_client_factory()
    assert ids(databases=["default"]) == ["cognito_auth.W003"]
    first.is_default = True
    first.save()
    assert ids(databases=["default"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "expected"), [
    ("http://cognito.internal:9229", ["cognito_auth.W004"]),
    ("http://10.0.0.5:9229", ["cognito_auth.W004"]),
    ("http://127.0.0.1:9229", []),
    ("http://[::1]:9229", []),
    ("http://localhost:9229", []),
    ("https://cognito-idp.eu-west-1.amazonaws.com", []),
    ("", []),
])
def test_plain_http_is_a_warning_unless_on_this_machine(app_client_factory, endpoint, expected, settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["cognito.internal", "10.0.0.5", "127.0.0.1", "::1", "localhost"]
    app_client_factory(endpoint_url=endpoint)
    assert ids(databases=["default"]) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [
    # A row written before canonical storage, or behind the model's back: each one would
    # connect to 127.0.0.1:9 while reading as an allowed or loopback host.
    "http://127.0.0.1:9\\@localhost:9229",
    "http://user@localhost:9229",
    "http://localhost:9229/path",
    "http://intranet.example:9229",  # well formed, but no longer allowed
])
def test_an_endpoint_every_call_refuses_is_an_error(app_client_factory, endpoint, settings):
    from cognito_auth.models import AppClient

    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost"]
    app_client = app_client_factory()
    AppClient.objects.filter(pk=app_client.pk).update(endpoint_url=endpoint)  # as an old release stored it
    messages = [m for m in run_checks(databases=["default"]) if m.id == "cognito_auth.E005"]
    assert len(messages) == 1 and app_client.name in messages[0].msg
    assert ids(databases=["default"]) == ["cognito_auth.E005"]  # and no W004 "loopback" all-clear either


@pytest.mark.django_db
def test_a_secret_no_key_decrypts_is_an_error(app_client_factory, settings):
    app_client = app_client_factory()
    settings.SECRET_KEY = "the-key-it-was-saved-under-long-ago"
    app_client.encrypted_previous_client_secret = encryption.encrypt("old-secret", SECRET_PURPOSE)
    app_client.save()
    settings.SECRET_KEY = "a-new-key-with-no-fallback-to-the-old"
    messages = [m for m in run_checks(databases=["default"]) if m.id == "cognito_auth.E004"]
    # The current secret was saved under the settings' own key, which is gone as well.
    assert sorted(m.msg.split(" of app client")[0] for m in messages) == [
        "The client secret", "The previous client secret",
    ]
    assert all(m.obj == app_client for m in messages)


@pytest.mark.django_db
def test_an_unmigrated_database_is_left_to_migrate(monkeypatch):
    from django.db import DatabaseError

    def refuse(*args, **kwargs):
        raise DatabaseError("no such table: cognito_auth_appclient")

    monkeypatch.setattr("django.db.models.query.QuerySet._fetch_all", refuse)
    assert ids(databases=["default"]) == []


def test_an_allowlist_entry_that_allows_nothing_is_a_warning(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1:9229", "[::1]:9229", "localhost:0", "host:port"]
    messages = [m for m in run_checks() if m.id == "cognito_auth.W005"]
    assert len(messages) == 1
    assert "'localhost:0'" in messages[0].msg and "'host:port'" in messages[0].msg
    assert "9229" not in messages[0].msg
