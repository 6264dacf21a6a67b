"""The load and fault scripts (benchmarks/load.py, benchmarks/faults.py), briefly.

`make load` and `make faults` run them for real; here a few seconds of each check the
scripts' own invariants. No timing is asserted: the machine may be busy.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import faults
import load

pytestmark = pytest.mark.stack


def test_a_short_load_makes_one_cognito_call_per_sign_in_and_none_per_page_view(postgres_server, redis_server):
    report = load.run_load(concurrency=3, seconds=2, max_requests=200, token_validity=20, out=io.StringIO())

    assert report["errors"] == 0, report
    assert report["sign_in_calls_per_sign_in"] == 1
    assert report["cognito"]["calls_per_password_sign_in"] == 1
    assert report["cognito"]["calls_per_srp_sign_in"] == 2  # InitiateAuth, then PASSWORD_VERIFIER
    assert report["cognito"]["calls_per_page_view_between_renewals"] == 0
    assert report["cognito"]["calls_per_api_call"] == 0
    assert set(report["mix"]) == set(load.KINDS)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="the fault run starts a private redis-server")
def test_throttling_under_load_answers_with_a_clear_message_and_leaves_nothing_half_made(postgres_server):
    # Short tokens: a page view's renewal soon takes the failure queued for it.
    (row,) = faults.run_faults(("too_many_requests",), concurrency=3, fault_seconds=0, observe=1, settle=0,
                               token_validity=4, out=io.StringIO())

    assert row.errors == 0, row.details
    assert row.over_bound == 0
    assert row.half_created == (0, 0)
    assert row.answers["message"] >= 1, row.details  # the sign-ins that met the throttling said so
    assert set(row.answers) <= {"ok", "message"}, row.details
