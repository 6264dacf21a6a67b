"""The example project's settings read from the environment as Django expects them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READER = """
import json, django
django.setup()
from django.core.cache import cache
print(json.dumps([cache.make_key("k"), cache.default_timeout]))
"""


def test_cache_url_key_prefix_and_timeout_reach_django():
    # django-environ hands these on lower-case; Django reads only KEY_PREFIX and TIMEOUT, so
    # two sites on one Redis database would otherwise share (and clear) each other's keys.
    env = {
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "CACHE_URL": "redis://127.0.0.1:6379/0?key_prefix=site-a&timeout=7",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", READER], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == ["site-a:1:k", 7]


DATABASE_READER = """
import json, django
django.setup()
from django.db import connection
print(json.dumps([connection.settings_dict.get(name, False) for name in
                  ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "ATOMIC_REQUESTS", "DISABLE_SERVER_SIDE_CURSORS")]))
"""


def read_database_settings(url: str) -> list:
    env = {"DJANGO_SETTINGS_MODULE": "example_project.settings", "PATH": "/usr/bin:/bin", "DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-c", DATABASE_READER], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_database_url_health_checks_are_a_boolean():
    # django-environ hands "false" on as a string, which Django would take as true.
    base = "postgres://u@127.0.0.1:5432/x?conn_max_age=60"
    assert read_database_settings(f"{base}&conn_health_checks=false") == [60, False, False, False]
    assert read_database_settings(f"{base}&conn_health_checks=true") == [60, True, False, False]
    assert read_database_settings(base) == [60, False, False, False]
    # Every boolean option, not only the health check.
    assert read_database_settings(f"{base}&atomic_requests=true&disable_server_side_cursors=false") == [
        60, False, True, False]


STATIC_READER = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
print(json.dumps([settings.STATIC_ROOT, settings.MIDDLEWARE[:2], type(storages["staticfiles"]).__name__]))
"""


def read_static_settings(**variables: str) -> list:
    env = {"DJANGO_SETTINGS_MODULE": "example_project.settings", "PATH": "/usr/bin:/bin", **variables}
    out = subprocess.run([sys.executable, "-c", STATIC_READER], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_without_static_root_django_serves_static_files_as_before():
    # make demo and the test suite: runserver serves them under DEBUG; no manifest needed.
    root, middleware, storage = read_static_settings()
    assert root is None
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in middleware
    assert storage == "StaticFilesStorage"


def test_static_root_turns_on_whitenoise_after_the_security_middleware(tmp_path):
    root, middleware, storage = read_static_settings(STATIC_ROOT=str(tmp_path))
    assert root == str(tmp_path)
    assert middleware == ["django.middleware.security.SecurityMiddleware", "whitenoise.middleware.WhiteNoiseMiddleware"]
    assert storage == "CompressedManifestStaticFilesStorage"
