"""Fixtures shared by the suite. The strict Cognito emulator comes from the package's own
pytest plugin, the one adopters use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from jwks_server import CLIENT_ID, POOL_ID, REGION, JwksServer

from cognito_auth.models import AppClient

pytest_plugins = ["cognito_auth.testing.pytest_plugin"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """A file-backed SQLite test database: the live server's threads then open their own
    connections instead of sharing the test's in-memory one across threads."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


# The emulator listens on whatever loopback port was free, so the suite allows the host;
# a test about the allow-list sets its own.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


@pytest.fixture(autouse=True)
def _emulator_endpoints_allowed(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = LOOPBACK_HOSTS


@pytest.fixture
def testserver_allowed(settings) -> None:
    """Django's test client's host allowed (the example project's settings do not list it)."""
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: a rolled-back database must not live on there."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def app_client_factory(db):
    """Create AppClient rows with sensible defaults; any field can be given."""
    counter = iter(range(1, 10_000))

    def create(**fields) -> AppClient:
        n = next(counter)
        values = {
            "name": f"client-{n}",
            "region": "us-east-1",
            "user_pool_id": "us-east-1_Example",
            "client_id": f"clientid{n}",
            "client_secret": f"secret-{n}",
        }
        values.update(fields)
        return AppClient.objects.create(**values)

    return create


@pytest.fixture
def app_client_for_pool(db, cognito_pool):
    """The AppClient row for the emulator's fresh pool and its secret-holding client."""
    return AppClient.objects.create(
        name="emulated",
        region=cognito_pool.region,
        user_pool_id=cognito_pool.pool_id,
        client_id=cognito_pool.client_id,
        client_secret=cognito_pool.client_secret,
        endpoint_url=cognito_pool.endpoint_url,
        is_default=True,
    )


@pytest.fixture
def jwks_server(settings) -> Iterator[JwksServer]:
    """A loopback server publishing the test keys' JWKS (see jwks_server.py)."""
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1"]
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture
def minted_client(db, jwks_server) -> AppClient:
    """The stored default app client the minted tokens are issued to, its keys on ``jwks_server``."""
    return AppClient.objects.create(name="minted", region=REGION, user_pool_id=POOL_ID, client_id=CLIENT_ID,
                                    endpoint_url=jwks_server.url, is_default=True)
