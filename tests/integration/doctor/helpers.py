"""Helpers for the doctor tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from typing import Any

PASSWORD = "Correct-Horse-7-battery"


def by_check(report) -> dict[str, Any]:
    """The report's results keyed by check id."""
    return {result.check: result for result in report.results}


def assert_no_secret_in(report, *secrets: str) -> None:
    rendered = json.dumps(report.as_dict())
    for secret in secrets:
        if secret:
            assert secret not in rendered
