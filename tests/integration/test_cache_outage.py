"""A shared cache that cannot be reached (Redis restarting) is never a server error.

The site's cache here is Django's own RedisCache pointed at a loopback port where nothing
listens: every cache call raises, as during a Redis restart. Sign-in, a signed-in page
with its token due for renewal, the API, a reset request and an admin change all still
answer, from the database and from Cognito, and the operator is told once.
"""

from __future__ import annotations

import logging
import socket

import pytest

from cognito_auth.client import get_cognito_client
from cognito_auth.models import AppClient

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
pytest.importorskip("redis", reason="Django's RedisCache needs the redis client (the dev extra has it)")


@pytest.fixture
def unreachable_cache(settings):
    with socket.socket() as probe:  # a loopback port with nothing listening: refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}"}}


def test_every_page_answers_while_the_cache_is_down(site, alice, cognito_pool, app_client_for_pool,
                                                    unreachable_cache, caplog, django_user_model):
    with caplog.at_level(logging.WARNING, logger="cognito_auth"):
        assert site.login("alice", PASSWORD).status_code == 302
        assert site.get("/").status_code == 200  # the middleware ran, without its lock
        token = get_cognito_client(app_client_for_pool, None).initiate_password_auth("alice", PASSWORD).access_token
        assert site.get("/api/me/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert site.post_form("/accounts/password_reset/", {"username": "alice"}).status_code == 302

        django_user_model.objects.create_superuser("root", "root@example.com", "Root-pass-1234")
        admin = type(site)(site.base_url)
        assert admin.post_form("/admin/login/", {"username": "root", "password": "Root-pass-1234"}).status_code == 302
        renamed = admin.post_form(f"/admin/cognito_auth/appclient/{app_client_for_pool.pk}/change/", {
            "name": "renamed", "region": app_client_for_pool.region, "user_pool_id": app_client_for_pool.user_pool_id,
            "client_id": app_client_for_pool.client_id, "endpoint_url": app_client_for_pool.endpoint_url,
            "hosts": "", "is_default": "on", "auth_flow": "USER_PASSWORD_AUTH", "sign_in_methods": "PASSWORD",
        })
        assert renamed.status_code == 302, renamed.text[:500]
    assert AppClient.objects.get(pk=app_client_for_pool.pk).name == "renamed"
    # The next request reads the list from the database, so the change is seen at once.
    assert site.get("/").status_code == 200
    outage = [r for r in caplog.records if "could not" in r.getMessage() and "cache" in r.getMessage()]
    assert len(outage) == 1  # said once (a minute), not on every call
