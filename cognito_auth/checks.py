"""Django system checks (``manage.py check``), registered in ``CognitoAuthConfig.ready()``.

| id | what |
| --- | --- |
| cognito_auth.E001 | CognitoBackend is not in AUTHENTICATION_BACKENDS |
| cognito_auth.E002 | SessionMiddleware is not in MIDDLEWARE |
| cognito_auth.E003 | sessions are signed cookies |
| cognito_auth.E004 | an app client's secret cannot be decrypted (``--database``) |
| cognito_auth.E005 | an app client's endpoint URL is refused before every call (``--database``) |
| cognito_auth.E006 | a group setting (``COGNITO_AUTH_MIRROR_GROUPS``...) has another shape |
| cognito_auth.W001 | ModelBackend is tried before CognitoBackend |
| cognito_auth.W002 | no app client is stored (``--database``) |
| cognito_auth.W003 | several app clients and none is the default (``--database``) |
| cognito_auth.W004 | an app client talks plain HTTP to a host that is not this machine (``--database``) |
| cognito_auth.W005 | an entry of COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS cannot be read, so it allows nothing |

The checks that read app clients are tagged ``database``: like Django's own, they run only
when ``check --database`` asks for them (``migrate`` does too), never at import or when
the database may not exist yet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.backends import ModelBackend, RemoteUserBackend
from django.contrib.sessions.backends.signed_cookies import SessionStore as SignedCookieSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ValidationError
from django.db import DatabaseError, router
from django.utils.module_loading import import_string

from . import groups
from .backends import CognitoBackend
from .conf import app_settings
from .models import AppClient, SecretState
from .validators import allowed_endpoint_entry, canonical_endpoint, parse_endpoint

BACKEND_PATH = "cognito_auth.backends.CognitoBackend"
LABEL = "cognito_auth"


def _ours(app_configs: Sequence[AppConfig] | None) -> bool:
    """Whether ``check`` was asked about this app (all apps, or it among them)."""
    return app_configs is None or any(config.label == LABEL for config in app_configs)


def _classes(paths: Iterable[str]) -> list[type | None]:
    """The class at each dotted path; None where it does not import (Django says so itself)."""
    classes: list[type | None] = []
    for path in paths:
        try:
            found = import_string(path)
        except ImportError:
            found = None
        classes.append(found if isinstance(found, type) else None)
    return classes


def check_backends(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E001: no CognitoBackend; W001: a ModelBackend ahead of it."""
    if not _ours(app_configs):
        return []
    backends = _classes(settings.AUTHENTICATION_BACKENDS)
    cognito = [i for i, cls in enumerate(backends) if cls is not None and issubclass(cls, CognitoBackend)]
    if not cognito:
        return [Error(
            f"{BACKEND_PATH} (or a subclass) is not in AUTHENTICATION_BACKENDS, so nobody signs in with Cognito.",
            hint=f'Put "{BACKEND_PATH}" first in AUTHENTICATION_BACKENDS, before '
                 '"django.contrib.auth.backends.ModelBackend".',
            id="cognito_auth.E001",
        )]
    # A ModelBackend checks the same username and password first; RemoteUserBackend, a
    # ModelBackend too, takes no password, so Django never asks it about a sign-in form.
    shadowing = [
        settings.AUTHENTICATION_BACKENDS[i] for i, cls in enumerate(backends[: cognito[0]])
        if cls is not None and issubclass(cls, ModelBackend) and not issubclass(cls, RemoteUserBackend)
    ]
    if shadowing:
        return [Warning(
            f"{shadowing[0]} comes before {settings.AUTHENTICATION_BACKENDS[cognito[0]]} in "
            "AUTHENTICATION_BACKENDS: a Django user's local password is tried first, so a local account "
            "with the same username signs in without Cognito, and every Cognito sign-in pays a password "
            "hash first.",
            hint=f"List {settings.AUTHENTICATION_BACKENDS[cognito[0]]} before {shadowing[0]}.",
            id="cognito_auth.W001",
        )]
    return []


def check_sessions(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E002: no SessionMiddleware; E003: signed-cookie sessions."""
    if not _ours(app_configs):
        return []
    errors: list[CheckMessage] = []
    middleware = _classes(settings.MIDDLEWARE)
    if not any(cls is not None and issubclass(cls, SessionMiddleware) for cls in middleware):
        errors.append(Error(
            "django.contrib.sessions.middleware.SessionMiddleware is not in MIDDLEWARE: a Cognito sign-in "
            "keeps its tokens in the session, so nobody can stay signed in.",
            hint="Add django.contrib.sessions.middleware.SessionMiddleware to MIDDLEWARE, before "
                 "AuthenticationMiddleware.",
            id="cognito_auth.E002",
        ))
    engine = _classes([f"{settings.SESSION_ENGINE}.SessionStore"])[0]
    if engine is not None and issubclass(engine, SignedCookieSessionStore):
        errors.append(Error(
            "Sessions are signed cookies (SESSION_ENGINE = django.contrib.sessions.backends.signed_cookies): "
            "Cognito's tokens would travel in the browser's cookie, where a sign-out cannot revoke them and "
            "their size passes the 4 KB browsers keep.",
            hint='Use a server-side session engine, e.g. "django.contrib.sessions.backends.db" or '
                 '"django.contrib.sessions.backends.cache".',
            id="cognito_auth.E003",
        ))
    return errors


def check_group_settings(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E006: a group setting that sign-ins would refuse with ImproperlyConfigured."""
    if not _ours(app_configs):
        return []
    return [Error(
        f"{name} must be None or a list of Cognito group names"
        + (', or "__all__".' if name.endswith("MIRROR_GROUPS") else "."),
        hint='For example ["staff"]. None turns it off.',
        id="cognito_auth.E006",
    ) for name in groups.malformed_settings()]


def check_allowed_endpoints(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """W005: an allow-list entry that names no host, or a port outside 1-65535."""
    if not _ours(app_configs):
        return []
    unreadable = [entry for entry in app_settings.ALLOWED_ENDPOINT_HOSTS if allowed_endpoint_entry(entry) is None]
    if not unreadable:
        return []
    return [Warning(
        f"COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS has entries that allow nothing: {unreadable!r}.",
        hint='Write each as "host", "host:port", "[IPv6]:port" or ".domain" (its subdomains), e.g. '
             '"127.0.0.1:9229".',
        id="cognito_auth.W005",
    )]


def check_app_clients(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any,
) -> list[CheckMessage]:
    """W002, W003, W004, E004, E005: the stored app clients (``check --database`` only)."""
    if not _ours(app_configs) or not databases:
        return []
    alias = router.db_for_read(AppClient)
    if alias not in databases:
        return []
    try:
        clients = list(AppClient.objects.using(alias).order_by("name"))
    except DatabaseError:
        return []  # not migrated yet: migrate says so itself
    messages: list[CheckMessage] = []
    if not clients:
        messages.append(Warning(
            "No Cognito app client is stored, so nobody can sign in with Cognito.",
            hint="Add one in the admin (Cognito sign-in > App clients), or use Import from Cognito there.",
            id="cognito_auth.W002",
        ))
    elif len(clients) > 1 and not any(client.is_default for client in clients):
        messages.append(Warning(
            "Several Cognito app clients are stored and none is the default: a request for a host no client "
            "lists gets no Cognito sign-in.",
            hint="Tick Default on the app client that serves every other host.",
            id="cognito_auth.W003",
        ))
    for client in clients:
        messages += _client_messages(client)
    return messages


def _client_messages(client: AppClient) -> list[CheckMessage]:
    messages = _endpoint_messages(client)
    states = {"client secret": client.secret_state, "previous client secret": client.previous_secret_state}
    for label, state in states.items():
        if state is SecretState.UNREADABLE:
            messages.append(Error(
                f"The {label} of app client {client.name!r} cannot be decrypted with SECRET_KEY or "
                "SECRET_KEY_FALLBACKS: every call with it fails.",
                hint="Add the SECRET_KEY it was saved under to SECRET_KEY_FALLBACKS, or enter the secret again "
                     "in the admin.",
                obj=client,
                id="cognito_auth.E004",
            ))
    return messages


def _endpoint_messages(client: AppClient) -> list[CheckMessage]:
    """E005 and W004, judged by the rule every call uses (``validators.canonical_endpoint``)."""
    if not client.endpoint_url:
        return []
    try:
        canonical = canonical_endpoint(client.endpoint_url)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    else:
        problem = "" if canonical == client.endpoint_url else "it is not stored in canonical form."
    if problem:
        return [Error(
            f"App client {client.name!r} has an endpoint URL that every call refuses: {problem}",
            hint="Enter the endpoint URL again in the admin as scheme://host[:port] (Cognito's own https "
                 "endpoint, or a host in COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS), or leave it blank for AWS.",
            obj=client,
            id="cognito_auth.E005",
        )]
    endpoint = parse_endpoint(canonical)
    if endpoint.scheme == "http" and not _is_loopback(endpoint.host):
        return [Warning(
            f"App client {client.name!r} talks plain HTTP to {canonical}: passwords, codes, secret "
            "hashes and tokens cross the network unencrypted.",
            hint="Use an https:// endpoint URL, or leave it blank for AWS. Plain HTTP suits only an emulator "
                 "on this machine.",
            obj=client,
            id="cognito_auth.W004",
        )]
    return []


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
