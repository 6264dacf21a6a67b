"""A slow Cognito does not queue requests behind each other (issue 12 §3, slow answers).

A request waiting on Cognito holds what serves it for up to COGNITO_AUTH_REQUEST_BUDGET
seconds. With 4 sync workers a fifth such request waits in gunicorn's queue before its
own budget even starts: the fault run saw one answer at 12.1 s, over the 10 s bound. The
stack's default, 4 workers x 4 threads (gthread), serves 16 at once, provided no worker
accepts more connections than it has threads (else a busy worker takes requests it cannot
start while others idle). Shown without a clock: the emulator holds every answer until
released, and all the sign-ins must reach it while none has been answered.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from integration.conftest import Site

from example_project.stack import THREADS, WORKERS, Stack

pytestmark = pytest.mark.stack
IN_FLIGHT = WORKERS * THREADS  # all the threads: four times what sync workers hold
LOOKS = 20_000  # bounded: looks at the emulator's log while the sign-ins are held


@pytest.fixture(scope="module")
def threaded_stack(postgres_server, redis_server):
    with Stack() as stack:
        yield stack


def test_the_stack_serves_more_slow_requests_at_once_than_it_has_workers(threaded_stack):
    stack = threaded_stack
    assert stack.threads == THREADS > 1
    for _ in range(IN_FLIGHT):
        stack.emulator.answer_late("InitiateAuth", stack.client_id)
    stack.emulator.reset_log()

    def sign_in(_n: int) -> requests.Response:
        return Site(stack.base_url.rstrip("/")).login("demo", stack.user_password)

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        answers = [pool.submit(sign_in, n) for n in range(IN_FLIGHT)]
        try:
            for _ in range(LOOKS):
                held = [c for c in stack.emulator.calls() if c["action"] == "InitiateAuth"]
                if len(held) == IN_FLIGHT or any(a.done() for a in answers):
                    break
            # Every sign-in reached Cognito while none had an answer: none was queued.
            assert len(held) == IN_FLIGHT, f"{len(held)} of {IN_FLIGHT} sign-ins reached Cognito"
            assert not any(a.done() for a in answers)
        finally:
            stack.emulator.release_late()
        responses = [a.result() for a in answers]
    assert all(r.status_code == 302 and r.headers["Location"] == "/" for r in responses), [
        (r.status_code, r.headers.get("Location")) for r in responses]
