"""The cache this app shares between processes, with its outages contained.

Everything cognito_auth keeps in Django's cache (``COGNITO_AUTH_CACHE_ALIAS``) can be
rebuilt or done without: the app client list comes from the database, a user pool's
signing keys from Cognito, and the renewal lock only saves Cognito calls. So a cache that
cannot be reached (Redis restarting, a network fault) must not turn a page into a server
error, as Django's own ``cached_db`` session store does not either: here it reads as
empty, takes no writes, and takes no lock. One WARNING a minute per process says so.

Backends raise their own exceptions (redis' ``ConnectionError``, pymemcache's, ``OSError``
for files), which Django does not wrap, hence the broad ``except``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import BaseCache, caches

from .conf import app_settings

logger = logging.getLogger("cognito_auth")

# How often one process repeats the WARNING while the cache stays unreachable (seconds).
WARN_EVERY = 60.0
_last_warning = 0.0


def backend() -> BaseCache:
    """The ``COGNITO_AUTH_CACHE_ALIAS`` cache itself, errors and all."""
    return caches[app_settings.CACHE_ALIAS]


def get(key: str, default: Any = None) -> Any:
    """``cache.get``; ``default`` when the cache cannot be reached."""
    try:
        return backend().get(key, default)
    except Exception as exc:
        _unreachable("read", exc)
        return default


def set(key: str, value: Any, timeout: float | None) -> bool:
    """``cache.set``. :returns: False when the cache cannot be reached (nothing stored)."""
    try:
        backend().set(key, value, timeout)
    except Exception as exc:
        _unreachable("write", exc)
        return False
    return True


def add(key: str, value: Any, timeout: float | None) -> bool:
    """``cache.add``: True when this call stored the value (took the lock). False when the
    key was there, or when the cache cannot be reached: no lock is taken then."""
    try:
        return bool(backend().add(key, value, timeout))
    except Exception as exc:
        _unreachable("write", exc)
        return False


def first_time(key: str) -> bool:
    """Whether this is the first time ``key`` is seen (across processes, until the cache
    forgets it): for once-per-cause log lines. True also when the cache cannot be reached:
    a line said twice is better than a line never said."""
    try:
        return bool(backend().add(key, True, None))
    except Exception as exc:
        _unreachable("write", exc)
        return True


def _unreachable(what: str, exc: Exception) -> None:
    global _last_warning  # noqa: PLW0603 - one process's rate limit for a log line
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY:
        _last_warning = now
        logger.warning(
            "The cache %r could not %s (%s): cognito_auth goes on without it (app clients from "
            "the database, no renewal lock, signing keys kept in this process). An admin change "
            "to an app client may reach other processes only after COGNITO_AUTH_CACHE_TIMEOUT.",
            app_settings.CACHE_ALIAS, what, type(exc).__name__,
        )
