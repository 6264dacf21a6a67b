"""The load and fault scripts (benchmarks/load.py, benchmarks/faults.py), briefly.

`make load` and `make faults` run them for real; here a few seconds of each check the
scripts' own invariants. No timing is asserted: the machine may be busy.
"""

from __future__ import annotations

import io
import shutil
import sys
import threading
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


def record(started: float, outcome: str = "ok") -> load.Record:
    return load.Record("page_view", started, 0.1, outcome)


def test_recovery_runs_from_the_faults_end_to_the_first_request_after_the_last_failure():
    end = 100.0
    # A request started during the fault may fail late: requests started after the end all
    # succeeded, so the service had recovered by the end.
    assert faults.recovery_after([record(99.0, "message"), record(100.5)], end) == 0.0
    assert faults.recovery_after([record(99.0), record(101.0, "message"), record(102.5), record(103.0)], end) == 2.5
    assert faults.recovery_after([record(101.0), record(102.0, "message")], end) is None
    assert faults.recovery_after([], end) == 0.0


def test_a_window_is_judged_only_once_its_slowest_request_has_answered():
    results = load.Results()
    answer = threading.Event()

    def slow_request() -> None:
        results.begin(50.0)
        answer.wait(30)
        results.add(record(50.0, "message"))

    thread = threading.Thread(target=slow_request)
    thread.start()
    try:
        for _ in range(10_000):  # bounded: until the request is under way
            with results.lock:
                if results.in_flight:
                    break
        assert not results.wait_for_requests_started_by(60.0, 0.05)  # still under way
        assert results.wait_for_requests_started_by(40.0, 0.05)  # started after that moment
        answer.set()
        assert results.wait_for_requests_started_by(60.0, 30)
    finally:
        answer.set()
        thread.join(30)
    assert [r.outcome for r in results.records] == ["message"]
