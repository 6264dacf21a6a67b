"""Faults under load: the gunicorn stack keeps answering, and recovers by itself (issue 12 §3).

Run with ``make faults`` (or ``.venv/bin/python benchmarks/faults.py``). The load of
benchmarks/load.py's mix runs the whole time; each fault is injected for ``--fault-seconds``
and then ended, and the requests from the fault's start to ``--observe`` seconds after its
end are judged:

- every request answers within the documented bound (10 s), with a clear message;
- no 5xx, except while Django cannot reach its database (the standard error page);
- no half-created user or identity row (SQL after each fault);
- the recovery time: from the fault's end to the start of the first request after which
  every request succeeds, with no restart of gunicorn.

A window is judged only once every request started in it has answered, however long the
slowest takes (the client's own bound is 30 s).

The site's app clients call the emulator through a loopback proxy (benchmarks/faultproxy.py)
that can hold answers or drop connections. Redis is a private ``redis-server`` on its own
loopback port, started and stopped here by PID, so restarting it touches no other user of
the machine's Redis. PostgreSQL refuses the run's own database (``ALLOW_CONNECTIONS false``,
which binds superusers too, and its open connections ended) and nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import psycopg
import redis
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultproxy import FaultProxy
from load import (
    HTTP_TIMEOUT,
    ROOT,
    LoadStack,
    Record,
    Results,
    Worker,
    free_port,
    mix,
)

sys.path.insert(0, str(ROOT))
from example_project.stack import HOW_TO_START, postgres_url, unreachable

BOUND = 10.0  # seconds: README, "an answer within 10 seconds" (COGNITO_AUTH_REQUEST_BUDGET 9 s + Django)
READ_TIMEOUT = 6.0  # COGNITO_AUTH_READ_TIMEOUT's default
FAULTS = ("emulator_restart", "slow_answers", "dropped_connections", "too_many_requests", "internal_error",
          "redis_restart", "postgres_refuses")
TABLE_HEADER = ("| fault | answers | worst request | over 10 s | errors | recovery | "
                "users without identity / identities without user |\n|---|---|---|---|---|---|---|\n")
# (role, action) pairs the mix calls, for the fail-next faults, and how many failures each.
FAIL_NEXT = {("password", "InitiateAuth"): 5, ("srp", "InitiateAuth"): 3, ("srp", "RespondToAuthChallenge"): 2,
             ("reset", "ForgotPassword"): 2, ("reset", "ConfirmForgotPassword"): 1, ("pages", "InitiateAuth"): 1}
FAIL_NEXT_MESSAGES = {"TooManyRequestsException": "Rate exceeded",
                      "InternalErrorException": "Internal server error."}
HALF_CREATED = """
SELECT
  (SELECT count(*) FROM auth_user u WHERE NOT u.is_superuser AND NOT EXISTS
     (SELECT 1 FROM cognito_auth_cognitoidentity i WHERE i.user_id = u.id)),
  (SELECT count(*) FROM cognito_auth_cognitoidentity i WHERE NOT EXISTS
     (SELECT 1 FROM auth_user u WHERE u.id = i.user_id)),
  (SELECT count(*) FROM auth_user WHERE NOT is_superuser),
  (SELECT count(*) FROM cognito_auth_cognitoidentity)
"""


class PrivateRedis:
    """``redis-server`` on a loopback port of its own, no persistence; stopped by PID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed (" + HOW_TO_START["Redis"] + ")")
        self.process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):  # bounded: 100 pings, each waiting on a socket, not a clock
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not answer")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Row:
    fault: str
    answers: Counter
    worst: float
    over_bound: int
    errors: int
    recovery: float | None
    half_created: tuple[int, int]
    users_identities: tuple[int, int]
    details: dict[str, int]
    fault_seconds: float

    def line(self) -> str:
        recovery = "not within the window" if self.recovery is None else f"{self.recovery:.1f} s"
        answers = ", ".join(f"{name} {count}" for name, count in sorted(self.answers.items()))
        return (f"| {self.fault} | {sum(self.answers.values())} ({answers}) | {self.worst:.1f} s | {self.over_bound} | "
                f"{self.errors} | {recovery} | {self.half_created[0]} / {self.half_created[1]} |")


def judge_window(fault: str, results: Results, start: float, end: float, until: float) -> tuple[Counter, float, int,
                                                                                                    int, float | None,
                                                                                                    dict[str, int]]:
    with results.lock:
        records = sorted((r for r in results.records if start <= r.started <= until), key=lambda r: r.started)
    answers = Counter(r.outcome for r in records)
    worst = max((r.longest for r in records), default=0.0)
    over = sum(1 for r in records if r.longest > BOUND)
    allowed = {"ok", "message"}
    if fault == "postgres_refuses":
        allowed.add("5xx")  # Django cannot reach its database: the standard error page
    if fault == "emulator_restart":
        allowed.add("session_ended")  # the emulator forgets its refresh tokens (Cognito does not)
    errors = sum(1 for r in records if r.outcome not in allowed)
    details = Counter(f"{r.kind}: {r.outcome} {r.detail}" for r in records if r.outcome not in allowed)
    details.update(f"{r.kind}: {r.outcome} {r.detail}" for r in records if r.outcome in allowed - {"ok"})
    return answers, worst, over, errors, recovery_after(records, end), dict(details)


def recovery_after(records: list[Record], end: float) -> float | None:
    """Seconds from the fault's end to the start of the first request after which every
    request (by start) succeeded: 0 when every request started after the end succeeded;
    None when the window ends failing. `records` are sorted by start."""
    failed = [index for index, record in enumerate(records) if record.outcome != "ok"]
    if not failed or records[failed[-1]].started <= end:
        return 0.0  # every request started after the end succeeded
    if failed[-1] == len(records) - 1:
        return None
    return max(0.0, records[failed[-1] + 1].started - end)


@contextlib.contextmanager
def database_refused(stack: LoadStack) -> Iterator[None]:
    name = sql.Identifier(stack.run_id)
    with psycopg.connect(f"{postgres_url()}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (stack.run_id,))
        try:
            yield
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))


def fail_next(stack: LoadStack, code: str) -> Callable[[], None]:
    """Queue the failures; the fault lasts until the emulator has given them all out."""
    def inject() -> None:
        stack.emulator.reset_log()
        total = 0
        for (role, action), times in FAIL_NEXT.items():
            stack.emulator.fail_next(action, stack.clients[role][0], code, FAIL_NEXT_MESSAGES[code], times=times)
            total += times
        for _ in range(600):  # bounded: at most 600 looks at the log, 0.1 s apart
            if sum(1 for call in stack.emulator.calls() if call["outcome"] == code) >= total:
                return
            time.sleep(0.1)
    return inject


def inject(fault: str, stack: LoadStack, proxy: FaultProxy, private_redis: PrivateRedis, seconds: float) -> float:
    """Inject `fault`, end it; returns when it ended (seconds since the epoch)."""
    if fault == "emulator_restart":
        return stack.restart_emulator(seconds, lambda down: proxy.set_mode("drop" if down else "pass"))
    if fault in ("slow_answers", "dropped_connections"):
        proxy.set_mode("delay" if fault == "slow_answers" else "drop")
        time.sleep(seconds)
        proxy.set_mode("pass")
        return time.time()
    if fault in ("too_many_requests", "internal_error"):
        fail_next(stack, "TooManyRequestsException" if fault == "too_many_requests" else "InternalErrorException")()
        return time.time()
    if fault == "redis_restart":
        private_redis.stop()
        time.sleep(seconds)
        private_redis.start()
        return time.time()
    if fault == "postgres_refuses":
        with database_refused(stack):
            time.sleep(seconds)
        return time.time()
    raise ValueError(fault)


def run_faults(faults: tuple[str, ...] = FAULTS, *, concurrency: int = 6, fault_seconds: float = 5.0,
               observe: float = 8.0, settle: float = 3.0, token_validity: int = 20, out: TextIO = sys.stdout,
               echo: TextIO | None = None) -> list[Row]:
    """Each fault in turn under the mix; a Row of figures each (also printed to `out`)."""
    private_redis = PrivateRedis()
    private_redis.start()
    previous = os.environ.get("COGNITO_AUTH_TEST_REDIS")
    os.environ["COGNITO_AUTH_TEST_REDIS"] = private_redis.url  # read by the stack at call time
    emulator_port = free_port()
    proxy = FaultProxy(emulator_port, delay=READ_TIMEOUT + 2)
    rows: list[Row] = []
    try:
        with LoadStack(users=2 * concurrency, token_validity=token_validity, emulator_port=emulator_port,
                       endpoint_url=proxy.url, echo=echo) as stack:
            workers = [Worker(stack, n, Results()) for n in range(concurrency)]
            for worker in workers:
                worker.prepare()
            gunicorn = (stack.master_pid, stack.worker_pids())
            results = Results()
            stop = threading.Event()
            load = threading.Thread(target=mix, args=(workers, 3600.0, 10**6, results, stop), daemon=True)
            load.start()
            out.write(f"Cores: {os.cpu_count()}; gunicorn {stack.workers} workers x {stack.threads} threads; "
                      f"{concurrency} client threads; each fault {fault_seconds:.0f} s, "
                      f"judged until {observe:.0f} s after it ends (and until every request started by then "
                      f"has answered)\n\n{TABLE_HEADER}")
            try:
                for fault in faults:
                    time.sleep(settle)  # the load runs undisturbed between faults
                    start = time.time()
                    end = inject(fault, stack, proxy, private_redis, fault_seconds)
                    time.sleep(observe)  # the load goes on: the recovery is measured in it
                    if not results.wait_for_requests_started_by(end + observe, 2 * HTTP_TIMEOUT):
                        out.write(f"  {fault}: requests still unanswered after {2 * HTTP_TIMEOUT:.0f} s\n")
                    answers, worst, over, errors, recovery, details = judge_window(
                        fault, results, start, end, end + observe)
                    half = stack.sql(HALF_CREATED)[0]
                    row = Row(fault, answers, worst, over, errors, recovery, (half[0], half[1]), (half[2], half[3]),
                              details, end - start)
                    rows.append(row)
                    out.write(f"{row.line()}\n")
                    out.flush()
            finally:
                stop.set()
                load.join(60)
            out.write("\nWhat the requests that did not succeed saw, by fault:\n")
            for row in rows:
                out.write(f"  {row.fault}: {row.details or 'nothing: every request succeeded'}\n")
            restarted = (stack.master_pid, stack.worker_pids()) != gunicorn
            out.write(f"gunicorn master and workers {'CHANGED' if restarted else 'unchanged (no restart)'}\n")
    finally:
        proxy.close()
        private_redis.stop()
        if previous is None:
            os.environ.pop("COGNITO_AUTH_TEST_REDIS", None)
        else:
            os.environ["COGNITO_AUTH_TEST_REDIS"] = previous
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("faults", nargs="*", help=f"which faults (default: all of {', '.join(FAULTS)})")
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--fault-seconds", type=float, default=5.0, help="how long each fault lasts (default 5)")
    parser.add_argument("--observe", type=float, default=8.0, help="seconds judged after a fault ends (default 8)")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--verbose", action="store_true", help="show gunicorn's and the emulator's output")
    options = parser.parse_args()
    if unknown := set(options.faults) - set(FAULTS):
        parser.error(f"unknown faults {sorted(unknown)}; choose from {', '.join(FAULTS)}")
    if reason := unreachable("PostgreSQL"):
        sys.exit(f"The faults run on PostgreSQL: {reason}")
    rows = run_faults(tuple(options.faults) or FAULTS, concurrency=options.concurrency,
                      fault_seconds=options.fault_seconds, observe=options.observe,
                      echo=sys.stderr if options.verbose else None)
    if options.json:
        Path(options.json).write_text(json.dumps([{**row.__dict__, "answers": dict(row.answers)} for row in rows],
                                                 indent=2))
    if any(row.errors or row.over_bound or any(row.half_created) for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
