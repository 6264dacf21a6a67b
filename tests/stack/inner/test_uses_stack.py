"""Run only inside ``test_stack``: proves the suites there really ran on the stack."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.skipif(
    not os.environ.get("COGNITO_AUTH_STACK_INNER"), reason="runs inside tests/stack/test_stack.py only"
)


def test_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache.set("cognito_auth:stack-probe", "seen", 10)
    assert cache.get("cognito_auth:stack-probe") == "seen"
