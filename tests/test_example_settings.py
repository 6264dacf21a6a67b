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
