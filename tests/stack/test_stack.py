"""The integration suites again, on PostgreSQL and Redis instead of SQLite and local memory.

Each run is a pytest of its own in a subprocess: Django reads ``DATABASE_URL`` and
``CACHE_URL`` once, at start-up, exactly as a production process does. The run gets a
database name and a Redis database number of its own, so runs on one machine never meet
(the suite clears its cache between tests, which on Redis empties that database).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.stack

# The suites where the database and the cache do real work: sign-in creates users and
# identities, resets and sign-ups keep state in the session, processes share the cache.
SUITES = [
    "tests/stack/inner",
    "tests/integration/test_login.py",
    "tests/integration/test_password_reset.py",
    "tests/integration/test_processes.py",
]


def run_on_stack(postgres: str, redis: str, suites: list[str], report: Path) -> subprocess.CompletedProcess[str]:
    run_id = os.getpid()
    env = {
        **os.environ,
        "DATABASE_URL": f"{postgres}/cognito_auth_stack_{run_id}",
        "CACHE_URL": f"{redis}/{run_id % 15 + 1}",
        "COGNITO_AUTH_STACK_INNER": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db",
         f"--junit-xml={report}", *suites],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )


def test_integration_suites_pass_on_postgresql_and_redis(postgres_server, redis_server, tmp_path):
    report = tmp_path / "report.xml"
    result = run_on_stack(postgres_server, redis_server, SUITES, report)
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"{tail}\n{result.stderr[-2000:]}"
    summary = re.search(r"(\d+) passed", result.stdout)
    assert summary and int(summary.group(1)) > 0, tail
    # The probes ran and passed: the suites really used PostgreSQL and Redis.
    cases = ElementTree.parse(report).getroot().iter("testcase")
    probes = [case for case in cases if case.get("classname", "").endswith("test_uses_stack")]
    assert len(probes) == 2 and not any(len(case) for case in probes), tail
