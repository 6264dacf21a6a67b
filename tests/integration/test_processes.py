"""An admin change reaches every process at once through a shared cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

# What another worker process of the same site sees: its own Django, the same database
# file and the same cache directory.
READER = """
import json, django
django.setup()
from cognito_auth.models import AppClient
client = AppClient.objects.for_host(None)
print(json.dumps(client.client_id if client else None))
"""


def database_url() -> str:
    """The test database, as a URL another process can open."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{database['USER']}@{host}/{database['NAME']}"


def other_process_sees(cache_dir: Path) -> str | None:
    env = {
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": database_url(),
        "CACHE_URL": f"filecache://{cache_dir}",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", READER], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_admin_save_is_seen_by_another_process_at_once(settings, tmp_path, app_client_factory):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path)}}
    client = app_client_factory(client_id="before", is_default=True)
    assert other_process_sees(tmp_path) == "before"  # and now it is in the shared cache
    client.client_id = "after"
    client.save()
    assert other_process_sees(tmp_path) == "after"
    client.delete()
    assert other_process_sees(tmp_path) is None
