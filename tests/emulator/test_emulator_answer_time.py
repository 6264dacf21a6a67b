"""The emulator's answer time: a model of Cognito's latency for benchmarks (benchmarks/load.py).

Each test has an emulator of its own: the answer time holds every call, and the suite's
shared emulator must stay fast.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from cognito_auth.testing.process import EmulatorProcess


@pytest.fixture
def emulator():
    with EmulatorProcess() as process:
        yield process


def sign_in(emulator: EmulatorProcess, pool_id: str, client_id: str) -> None:
    client = boto3.client("cognito-idp", region_name=emulator.region, endpoint_url=emulator.endpoint_url,
                          config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": "ann", "PASSWORD": "Ann-password-1"})


def test_the_work_is_done_before_the_answer_is_held(emulator):
    pool_id = emulator.create_user_pool("timed")
    client_id, _ = emulator.create_app_client(pool_id, "timed", secret=False)
    emulator.create_user(pool_id, "ann", "Ann-password-1")
    emulator.set_answer_time(1.0)
    clock = time.monotonic()
    call = threading.Thread(target=sign_in, args=(emulator, pool_id, client_id))
    call.start()
    # The call is in the log (its work done) while its answer is still held.
    for _ in range(10_000):
        if any(c["action"] == "InitiateAuth" for c in emulator.calls()):
            break
    else:
        pytest.fail("the held call never reached the log")
    assert call.is_alive()
    call.join(10)
    assert time.monotonic() - clock >= 1.0  # a lower bound: held at least the answer time
    emulator.set_answer_time(0)
    assert [c["outcome"] for c in emulator.calls() if c["action"] == "InitiateAuth"] == ["ok"]


@pytest.mark.parametrize("seconds", [-0.1, 5.1, float("nan"), "soon", True, False])
def test_an_answer_time_out_of_range_is_refused(emulator, seconds):
    with pytest.raises(ValueError, match=r"0 to 5 seconds|could not convert|a number"):
        emulator.set_answer_time(seconds)


def post(emulator: EmulatorProcess, body: bytes | None) -> tuple[int, dict]:
    """POST /_emulator/answer-time with this very body (None: GET it): its status and answer."""
    request = urllib.request.Request(
        f"{emulator.endpoint_url}/_emulator/answer-time", data=body, method="GET" if body is None else "POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_an_answer_time_is_set_and_read_over_http(emulator):
    assert post(emulator, None) == (200, {"seconds": 0.0})
    assert post(emulator, b'{"seconds": 0.25}') == (200, {"ok": True, "seconds": 0.25})
    assert post(emulator, None) == (200, {"seconds": 0.25})
    assert post(emulator, b'{"seconds": 0}') == (200, {"ok": True, "seconds": 0.0})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"seconds": 9}', id="out-of-range"),
        pytest.param(b'{"seconds": "soon"}', id="not-a-number"),
        pytest.param(b'{"seconds": true}', id="true"),
        pytest.param(b'{"seconds": false}', id="false"),
        pytest.param(b'{"seconds": null}', id="null"),
        pytest.param(b"{}", id="no-seconds"),
        pytest.param(b'{"second": 1}', id="misspelt"),
        pytest.param(b"[1]", id="a-list"),
        pytest.param(b"1", id="a-number"),
        pytest.param(b"", id="empty"),
        pytest.param(b"seconds=1", id="not-json"),
    ],
)
def test_a_refused_answer_time_is_a_400_that_changes_nothing(emulator, body):
    assert post(emulator, b'{"seconds": 0.25}')[0] == 200

    status, answer = post(emulator, body)

    assert status == 400
    assert answer["ok"] is False and answer["error"]
    # Still the time set before: a refused request never turns it off.
    assert post(emulator, None) == (200, {"seconds": 0.25})
