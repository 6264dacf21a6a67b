"""Custom user models, each in its own settings: a pytest subprocess per model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("model", ["EmailUser", "HandleUser", "DepartmentUser"])
def test_sign_in_with_a_custom_user_model(model, tmp_path):
    env = {
        **os.environ,
        "CUSTOM_USER_MODEL": f"custom_users.{model}",
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(TESTS / "custom_users" / "scenarios.py"), "-q", "-p", "no:cacheprovider",
         "--ds", "custom_users.settings", "--basetemp", str(tmp_path / "pytest")],
        check=False, cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed, 2 skipped" in result.stdout
