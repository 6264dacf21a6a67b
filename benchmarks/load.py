"""Load: the example project under gunicorn (4 workers, PostgreSQL, Redis) against the strict
emulator, driven by a bounded concurrent client (issue 12 §2).

Run with ``make load`` (or ``.venv/bin/python benchmarks/load.py --seconds 20``). Three
kinds of phase, each bounded in time (``--seconds``) and in count (``--max-requests``), on
loopback only, each stopping by itself:

1. *sign-in*: ``--concurrency`` threads sign in with a password as fast as they can (the
   login page's GET, then its POST), each time as a fresh browser;
2. *raw*: the same threads call boto3's InitiateAuth (USER_PASSWORD_AUTH with SECRET_HASH)
   on the same app client of the same emulator: the floor the site is compared with.
   Phases 1 and 2 run once per ``--answer-times`` entry: the emulator holds each answer
   that long (``set_answer_time``), standing in for Cognito's own latency, which an
   emulator on loopback lacks; each pair also reports the CPU every process spent;
3. *mix*: password sign-ins, SRP sign-ins on a second app client, signed-in page views on
   a third whose tokens live ``--token-validity`` seconds (so renewals fall due), password
   resets (the code read from the emulator's outbox) and ``/api/me/`` with bearer tokens.

The Cognito calls per sign-in and per page view come from the emulator's call log: each
kind has an app client of its own (chosen by the request's host), so the log tells them
apart. Why threads and requests rather than locust: the site under test is 4 gunicorn
workers on 2 cores, a few dozen concurrent clients saturate it, and plain threads need no gevent
monkey-patching of boto3 and psycopg, no extra dependency, and stop at a deadline exactly.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import math
import os
import re
import socket
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import boto3
import psutil
import requests
from botocore import UNSIGNED
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cognito_auth.testing.process import EmulatorProcess  # noqa: E402
from example_project.stack import CONN_MAX_AGE, HOW_TO_START, THREADS, WORKERS, Stack, unreachable  # noqa: E402

KINDS = ("sign_in_password", "sign_in_srp", "page_view", "password_reset", "api")
# One app client per kind of load (its host picks it), so the call log tells kinds apart.
ROLES = {  # role: (host, auth flow)
    "password": ("127.0.0.1", "USER_PASSWORD_AUTH"),
    "srp": ("srp.localhost", "USER_SRP_AUTH"),
    "pages": ("pages.localhost", "USER_PASSWORD_AUTH"),
    "reset": ("reset.localhost", "USER_PASSWORD_AUTH"),
    "api": ("api.localhost", "USER_PASSWORD_AUTH"),
}
ROLE_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
# A thread's round in the mix: mostly signed-in traffic, as a site sees it.
MIX = ("page_view", "api", "page_view", "sign_in_password", "api", "page_view", "sign_in_srp", "api",
       "page_view", "password_reset")
RENEWAL_FLOWS = {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
RENEWAL_ACTIONS = {"GetTokensFromRefreshToken"}
HTTP_TIMEOUT = 30.0  # the client's own bound: the site promises an answer within 10 s
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What a page says when Cognito cannot be asked (cognito_auth.messages, English).
CLEAR_MESSAGES = ("temporarily unavailable", "Too many attempts", "We could not confirm")
ERRORLIST = re.compile(r'class="errorlist[^"]*"[^>]*>\s*<li>([^<]{0,80})')
SEED = 1212  # moto's random numbers: ids, secrets and subs come out the same after a restart


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PinnedEmulator(EmulatorProcess):
    """The emulator on a fixed loopback port with moto's random numbers seeded: after a
    restart, the same set-up calls make the same pool, app client ids, secrets and subs,
    so the site's stored app clients and its users' identities fit again. (Real Cognito
    keeps its state through its own failures; this emulator keeps it in memory.)"""

    def __init__(self, port: int, seed: int = SEED, **options: Any) -> None:
        super().__init__(**options)
        self.port = port
        self.seed = seed

    def _command(self) -> list[str]:
        command = super()._command()
        command[command.index("--port") + 1] = str(self.port)
        module = command.index("-m")
        program = (
            "import sys\nfrom moto.moto_api._internal import mock_random\nmock_random.seed(int(sys.argv[1]))\n"
            "from cognito_auth.testing.emulator import main\nsys.exit(main(sys.argv[2:]))\n"
        )
        return [*command[:module], "-c", program, str(self.seed), *command[module + 2:]]

    def kill(self) -> None:
        """SIGKILL, as a crash: no clean shutdown."""
        if self._process is not None:
            self._process.kill()
        self.stop()


class LoadStack(Stack):
    """The stack with one app client per kind of load and `users` users.

    `endpoint_url` (default: the emulator's) is what the site's app clients call, e.g. a
    fault proxy in front of the emulator.
    """

    def __init__(self, *, users: int, token_validity: int, emulator_port: int = 0,
                 endpoint_url: str = "", echo: TextIO | None = None, **options: Any) -> None:
        self.site_endpoint = endpoint_url
        hosts = ",".join({"127.0.0.1", "localhost", *(host for host, _ in ROLES.values())})
        extra_env = {"ALLOWED_HOSTS": hosts, **options.pop("extra_env", {})}
        if endpoint_url:
            extra_env["COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS"] = endpoint_url.split("://", 1)[1].rstrip("/")
        super().__init__(echo=echo, extra_env=extra_env, **options)
        self.emulator = PinnedEmulator(emulator_port or free_port(), echo=echo)
        self.users = users
        self.token_validity = token_validity
        self.password = self.user_password
        self.clients: dict[str, tuple[str, str]] = {}

    @property
    def endpoint_url(self) -> str:
        return self.site_endpoint or self.emulator.endpoint_url

    def username(self, index: int) -> str:
        return f"load{index}"

    def _create_pool(self) -> None:
        # Every call here is replayed after an emulator restart: keep it deterministic.
        emulator = self.emulator
        self.pool_id = emulator.create_user_pool("load-pool")
        for role in ROLES:
            self.clients[role] = emulator.create_app_client(self.pool_id, f"load-{role}", secret=True, flows=ROLE_FLOWS)
        self.client_id, self.client_secret = self.clients["password"]
        emulator.boto3_admin_client().update_user_pool_client(
            UserPoolId=self.pool_id, ClientId=self.clients["pages"][0], ExplicitAuthFlows=list(ROLE_FLOWS),
            AccessTokenValidity=self.token_validity, IdTokenValidity=self.token_validity,
            TokenValidityUnits={"AccessToken": "seconds", "IdToken": "seconds"},
        )
        for index in range(self.users):
            emulator.create_user(self.pool_id, self.username(index), self.password,
                                 {"email": f"{self.username(index)}@example.com", "email_verified": "true"})

    def restart_emulator(self, down_for: float, unreachable: Callable[[bool], None] | None = None) -> float:
        """Kill the emulator, keep its port closed `down_for` seconds, start it again on the
        same port and rebuild the pool. `unreachable(True)` / `unreachable(False)` is called
        around the rebuild (a fault proxy keeps the site out meanwhile: real Cognito does not
        come back with an empty pool). Returns when the pool is back (seconds since the epoch)."""
        self.emulator.kill()
        time.sleep(down_for)
        if unreachable is not None:
            unreachable(True)
        try:
            self.emulator.start()
            self._create_pool()
        finally:
            if unreachable is not None:
                unreachable(False)
        return time.time()

    def _register_app_client(self) -> None:
        self.shell(
            """
from cognito_auth.models import AppClient
for role, (host, flow, client_id, secret) in VALUES["clients"].items():
    AppClient.objects.create(
        name=role, region=VALUES["region"], user_pool_id=VALUES["pool_id"], client_id=client_id,
        client_secret=secret, endpoint_url=VALUES["endpoint_url"], is_default=(role == "password"),
        hosts="" if role == "password" else host, auth_flow=flow,
    )
""",
            clients={role: (*ROLES[role], *self.clients[role]) for role in ROLES},
            region=self.region, pool_id=self.pool_id, endpoint_url=self.endpoint_url,
        )

    def url(self, role: str) -> str:
        return self.base_url.rstrip("/")

    def host_header(self, role: str) -> str:
        host = ROLES[role][0]
        return f"{host}:{self.base_url.rstrip('/').rsplit(':', 1)[1]}"


def secret_hash(username: str, client_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def cognito_client(endpoint_url: str, region: str) -> Any:
    """An unsigned boto3 client as an app makes one, with the site's default timeouts."""
    return boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url, config=Config(
        signature_version=UNSIGNED, proxies={}, connect_timeout=1, read_timeout=6,
        retries={"total_max_attempts": 1},
    ))


# Results -----------------------------------------------------------------------------------

@dataclass
class Record:
    kind: str
    started: float  # seconds since the epoch
    seconds: float  # latency
    outcome: str  # ok, message (a clear "unavailable"/"too many" page), session_ended, 5xx, error
    detail: str = ""
    longest: float = 0.0  # seconds of its slowest single HTTP request (a kind may make several)


@dataclass
class Results:
    records: list[Record] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)
    # Start (seconds since the epoch) of each request under way, by the thread making it.
    in_flight: dict[int, float] = field(default_factory=dict)

    def begin(self, started: float) -> None:
        with self.lock:
            self.in_flight[threading.get_ident()] = started

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)
            self.in_flight.pop(threading.get_ident(), None)
            self.lock.notify_all()

    def wait_for_requests_started_by(self, moment: float, limit: float) -> bool:
        """Wait (at most `limit` seconds) until every request started by `moment` (seconds
        since the epoch) has its record: a window judged earlier would miss the slowest."""
        with self.lock:
            return self.lock.wait_for(lambda: all(started > moment for started in self.in_flight.values()), limit)

    def of(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def summary(results: Results, seconds: float, kinds: Iterable[str] = KINDS) -> dict[str, dict[str, Any]]:
    table = {}
    for kind in kinds:
        records = results.of(kind)
        if not records:
            continue
        latencies = sorted(r.seconds * 1000 for r in records)
        outcomes = Counter(r.outcome for r in records)
        table[kind] = {
            "count": len(records), "per_second": len(records) / seconds,
            "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99), "max_ms": latencies[-1],
            "errors": len(records) - outcomes["ok"], "outcomes": dict(outcomes),
            "details": dict(Counter(r.detail for r in records if r.outcome != "ok").most_common(3)),
        }
    return table


# A person's browser ------------------------------------------------------------------------

class Browser:
    """Cookies and CSRF tokens for one host of the stack."""

    def __init__(self, stack: LoadStack, role: str, worker: Worker | None = None) -> None:
        self.worker = worker
        self.base = stack.url(role)
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: never through an HTTP(S)_PROXY
        self.http.headers["Host"] = stack.host_header(role)

    def get(self, path: str, **options: Any) -> requests.Response:
        return self._timed(self.http.get, self.base + path, allow_redirects=False, timeout=HTTP_TIMEOUT, **options)

    def _timed(self, send: Callable[..., requests.Response], *args: Any, **options: Any) -> requests.Response:
        clock = time.perf_counter()
        try:
            return send(*args, **options)
        finally:
            if self.worker is not None:
                self.worker.longest = max(self.worker.longest, time.perf_counter() - clock)

    def post_form(self, path: str, data: dict[str, str]) -> requests.Response:
        page = self.get(path)
        token = CSRF.search(page.text)
        if token is None:
            return page  # judged by the caller: not the form
        return self._timed(self.http.post, self.base + path, data={"csrfmiddlewaretoken": token.group(1), **data},
                           allow_redirects=False, timeout=HTTP_TIMEOUT)


def judge(response: requests.Response, wanted: Callable[[requests.Response], bool]) -> tuple[str, str]:
    """(outcome, detail) of a response the load expected to satisfy `wanted`."""
    if wanted(response):
        return "ok", ""
    if response.status_code >= 500:
        return "5xx", f"{response.status_code} {response.text[:60]!r}"
    if response.status_code == 302 and "/accounts/login/" in response.headers.get("Location", ""):
        return "session_ended", "302 to the login page"
    if any(message in response.text for message in CLEAR_MESSAGES):
        return "message", next(m for m in CLEAR_MESSAGES if m in response.text)
    said = ERRORLIST.search(response.text)
    return "error", f"{response.status_code} {response.headers.get('Location', '')}{said.group(1) if said else ''}"


def signed_in(response: requests.Response) -> bool:
    return response.status_code == 302 and response.headers.get("Location") == "/"


class Worker:
    """One thread's share of the load: its own users, page browser, reset user and token."""

    def __init__(self, stack: LoadStack, index: int, results: Results) -> None:
        self.stack = stack
        self.index = index
        self.results = results
        self.round = index  # threads start at different points of MIX
        self.sign_in_user = stack.username(index)
        self.reset_user = stack.username(index + stack.users // 2)
        self.reset_password = stack.password
        self.pages: Browser | None = None
        self.token = ""
        self.longest = 0.0

    # Set-up (not measured) -----------------------------------------------------------------

    def prepare(self) -> None:
        response = self.sign_in_pages()
        if self.pages is None:
            raise RuntimeError(f"the page browser of {self.sign_in_user} could not sign in: {response.status_code}")
        self.fetch_token()

    def sign_in_pages(self) -> requests.Response:
        """Sign the page browser in; it stays unset when the sign-in does not succeed."""
        browser = Browser(self.stack, "pages", self)
        response = browser.post_form(
            "/accounts/login/", {"username": self.sign_in_user, "password": self.stack.password})
        if signed_in(response):
            self.pages = browser
        return response

    def fetch_token(self) -> None:
        client_id, secret = self.stack.clients["api"]
        answer = cognito_client(self.stack.emulator.endpoint_url, self.stack.region).initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.sign_in_user, "PASSWORD": self.stack.password,
                            "SECRET_HASH": secret_hash(self.sign_in_user, client_id, secret)},
        )
        self.token = answer["AuthenticationResult"]["AccessToken"]

    # The kinds -----------------------------------------------------------------------------

    def run(self, kind: str) -> None:
        started = time.time()
        self.results.begin(started)
        clock = time.perf_counter()
        self.longest = 0.0
        try:
            outcome, detail, spent = getattr(self, kind)()
        except requests.RequestException as exc:
            outcome, detail, spent = "error", type(exc).__name__, time.perf_counter() - clock
        self.results.add(Record(kind, started, spent, outcome, detail, self.longest))

    def timed(self, *steps: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
        clock = time.perf_counter()
        response = None
        for step in steps:
            response = step()
        return response, time.perf_counter() - clock  # type: ignore[return-value]

    def sign_in(self, role: str) -> tuple[str, str, float]:
        browser = Browser(self.stack, role, self)
        response, spent = self.timed(lambda: browser.post_form(
            "/accounts/login/", {"username": self.sign_in_user, "password": self.stack.password}))
        return (*judge(response, signed_in), spent)

    def sign_in_password(self) -> tuple[str, str, float]:
        return self.sign_in("password")

    def sign_in_srp(self) -> tuple[str, str, float]:
        return self.sign_in("srp")

    def page_view(self) -> tuple[str, str, float]:
        if self.pages is None:  # the session ended: the person signs in again first
            response, spent = self.timed(self.sign_in_pages)
            if self.pages is None:
                return (*judge(response, signed_in), spent)
        browser = self.pages
        response, spent = self.timed(lambda: browser.get("/"))
        greeting = f"Signed in as {self.sign_in_user}"
        outcome, detail = judge(response, lambda r: r.status_code == 200 and greeting in r.text)
        if outcome == "session_ended":
            self.pages = None  # the person signs in again on the next page view
        return outcome, detail, spent

    def api(self) -> tuple[str, str, float]:
        browser = Browser(self.stack, "api", self)
        response, spent = self.timed(lambda: browser.get("/api/me/", headers={"Authorization": f"Bearer {self.token}"}))

        def answered(r: requests.Response) -> bool:
            return r.status_code == 200 and r.json().get("username") == self.sign_in_user

        outcome, detail = judge(response, answered)
        if response.status_code == 401:
            outcome, detail = "error", "401"
        return outcome, detail, spent

    def password_reset(self) -> tuple[str, str, float]:
        browser = Browser(self.stack, "reset", self)
        response, asked = self.timed(
            lambda: browser.post_form("/accounts/password_reset/", {"username": self.reset_user}))
        if not (response.status_code == 302 and "confirm" in response.headers.get("Location", "")):
            return (*judge(response, lambda r: False), asked)
        try:
            code = self.stack.emulator.latest_code(self.reset_user)
        except (LookupError, OSError):
            # The site answered as it should; the emulator that holds the code is down.
            return "ok", "", asked
        new_password = f"Reset-{self.index}-{time.time_ns()}-Aa1!"
        response, confirmed = self.timed(lambda: browser.post_form(
            "/accounts/password_reset/confirm/",
            {"code": code, "new_password1": new_password, "new_password2": new_password}))
        outcome, detail = judge(
            response, lambda r: r.status_code == 302 and "complete" in r.headers.get("Location", ""))
        return outcome, detail, asked + confirmed


def run_threads(count: int, seconds: float, max_requests: int, body: Callable[[int], None],
                stop: threading.Event | None = None) -> float:
    """`count` threads each calling body(thread) until `seconds` pass, `max_requests`
    calls have started in all, or `stop` is set; the seconds it took (until the last call ended)."""
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds
    started = 0
    lock = threading.Lock()

    def loop(thread: int) -> None:
        nonlocal started
        while time.monotonic() < deadline and not stop.is_set():
            with lock:
                if started >= max_requests:
                    return
                started += 1
            body(thread)

    begin = time.monotonic()
    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 2 * HTTP_TIMEOUT)
    return time.monotonic() - begin


# Phases ------------------------------------------------------------------------------------

def site_sign_ins(stack: LoadStack, workers: list[Worker], seconds: float, max_requests: int) -> tuple[Results, float]:
    results = Results()
    for worker in workers:
        worker.results = results
    took = run_threads(len(workers), seconds, max_requests, lambda n: workers[n].run("sign_in_password"))
    return results, took


def raw_sign_ins(stack: LoadStack, concurrency: int, seconds: float, max_requests: int) -> tuple[Results, float]:
    """InitiateAuth straight from boto3, a client per thread, as AWS's article does it."""
    results = Results()
    client_id, secret = stack.clients["password"]
    clients = [cognito_client(stack.emulator.endpoint_url, stack.region) for _ in range(concurrency)]

    def call(thread: int) -> None:
        username = stack.username(thread)
        started, clock = time.time(), time.perf_counter()
        try:
            clients[thread].initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
                "USERNAME": username, "PASSWORD": stack.password,
                "SECRET_HASH": secret_hash(username, client_id, secret)})
            outcome, detail = "ok", ""
        except Exception as exc:  # counted, not raised: the loop goes on
            outcome, detail = "error", type(exc).__name__
        results.add(Record("raw_initiate_auth", started, time.perf_counter() - clock, outcome, detail))

    took = run_threads(concurrency, seconds, max_requests, call)
    return results, took


def mix(workers: list[Worker], seconds: float, max_requests: int, results: Results,
        stop: threading.Event | None = None) -> float:
    for worker in workers:
        worker.results = results

    def step(n: int) -> None:
        worker = workers[n]
        kind = MIX[worker.round % len(MIX)]
        worker.round += 1
        worker.run(kind)

    return run_threads(len(workers), seconds, max_requests, step, stop)


def calls_by_client(stack: LoadStack) -> dict[str, list[dict[str, Any]]]:
    roles = {client_id: role for role, (client_id, _) in stack.clients.items()}
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in stack.emulator.calls():
        grouped[roles.get(call["client_id"], "other")].append(call)
    return grouped


class CpuMeter:
    """CPU seconds (user + system) each part of the run spends, read from /proc by psutil:
    the site (gunicorn: its master and workers), the emulator, this run's PostgreSQL backends
    (their process titles name its database), the Redis server and this load process.
    Redis is the machine's, shared with whatever else runs: an upper bound. A process that
    ends between two readings takes its time with it: with CONN_MAX_AGE 0 every PostgreSQL
    backend lives for one request, so that column is not measured (NaN, printed "n/a")."""

    PARTS = ("gunicorn", "emulator", "postgres", "redis", "load")

    def __init__(self, stack: LoadStack) -> None:
        self.stack = stack

    def processes(self) -> dict[int, str]:
        parts: dict[int, str] = {os.getpid(): "load"}
        if self.stack.master_pid:
            parts[self.stack.master_pid] = "gunicorn"
        parts.update(dict.fromkeys(self.stack.worker_pids(), "gunicorn"))
        if self.stack.emulator.pid:
            parts[self.stack.emulator.pid] = "emulator"
        for process in psutil.process_iter(["name", "cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if process.info["name"] == "postgres" and self.stack.run_id in title:
                parts[process.pid] = "postgres"
            elif (process.info["name"] or "").startswith("redis-server"):
                parts[process.pid] = "redis"
        return parts

    def read(self) -> dict[tuple[int, str], float]:
        seconds = {}
        for pid, part in self.processes().items():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:  # ended meanwhile (a PostgreSQL backend): its time is lost
                continue
            seconds[(pid, part)] = times.user + times.system
        return seconds

    @staticmethod
    def spent(before: dict[tuple[int, str], float], after: dict[tuple[int, str], float]) -> dict[str, float]:
        """CPU seconds per part between two readings (a process born meanwhile counts whole)."""
        parts = dict.fromkeys(CpuMeter.PARTS, 0.0)
        for key, seconds in after.items():
            parts[key[1]] += seconds - before.get(key, 0.0)
        return parts


def is_renewal(call: dict[str, Any]) -> bool:
    return call["action"] in RENEWAL_ACTIONS or call.get("auth_flow") in RENEWAL_FLOWS


def cognito_figures(stack: LoadStack, results: Results, sessions: int) -> dict[str, Any]:
    """Cognito calls per kind from the emulator's log (reset before the phase)."""
    calls = calls_by_client(stack)
    ok = Counter(r.kind for r in results.records if r.outcome == "ok")
    page_calls = calls["pages"]
    renewals = [c for c in page_calls if is_renewal(c)]
    return {
        "calls_per_password_sign_in": len(calls["password"]) / max(1, ok["sign_in_password"]),
        "calls_per_srp_sign_in": len(calls["srp"]) / max(1, ok["sign_in_srp"]),
        "calls_per_page_view_between_renewals": (len(page_calls) - len(renewals)) / max(1, ok["page_view"]),
        "renewals": len(renewals),
        # The log does not name the session (a refresh call names no user), hence the mean.
        "renewals_per_session": len(renewals) / max(1, sessions),
        "calls_per_api_call": len(calls["api"]) / max(1, ok["api"]),
        "calls_per_password_reset": len(calls["reset"]) / max(1, ok["password_reset"]),
    }


def print_table(title: str, table: dict[str, dict[str, Any]], out: TextIO) -> None:
    out.write(f"\n{title}\n")
    out.write(f"  {'kind':<20}{'count':>7}{'/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}\n")
    for kind, row in table.items():
        out.write(f"  {kind:<20}{row['count']:>7}{row['per_second']:>8.1f}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
                  f"{row['p99_ms']:>9.0f}{row['max_ms']:>9.0f}{row['errors']:>8}"
                  + (f"   {row['details']}" if row["errors"] else "") + "\n")


def sign_in_pair(stack: LoadStack, workers: list[Worker], answer_time: float, seconds: float, max_requests: int,
                 out: TextIO) -> dict[str, Any]:
    """Phases 1 and 2 with the emulator answering `answer_time` seconds after its work: the
    site's sign-ins, then raw boto3 at the same concurrency; throughput, latency, calls per
    sign-in, the ratio and the CPU each part spent per sign-in (milliseconds)."""
    stack.emulator.set_answer_time(answer_time)
    meter = CpuMeter(stack)
    try:
        stack.emulator.reset_log()
        before = meter.read()
        site, site_took = site_sign_ins(stack, workers, seconds, max_requests)
        site_cpu = CpuMeter.spent(before, meter.read())
        if not stack.conn_max_age:
            site_cpu["postgres"] = float("nan")
        site_calls = calls_by_client(stack)["password"]
        before = meter.read()
        raw, raw_took = raw_sign_ins(stack, len(workers), seconds, max_requests)
        raw_cpu = CpuMeter.spent(before, meter.read())
    finally:
        stack.emulator.set_answer_time(0)
    site_row = summary(site, site_took, ["sign_in_password"])["sign_in_password"]
    raw_row = summary(raw, raw_took, ["raw_initiate_auth"])["raw_initiate_auth"]
    pair = {
        "answer_time_ms": answer_time * 1000, "site": site_row, "raw": raw_row,
        "ratio_to_raw": site_row["per_second"] / raw_row["per_second"],
        "calls_per_sign_in": len(site_calls) / max(1, site_row["count"]),
        "site_cpu_ms": {part: 1000 * spent / site_row["count"] for part, spent in site_cpu.items()},
        "raw_cpu_ms": {part: 1000 * spent / raw_row["count"] for part, spent in raw_cpu.items()},
    }
    title = f"Cognito answering {answer_time * 1000:.0f} ms after its work"
    print_table(f"Phases 1 and 2, {title}: the site (login page GET + POST), then raw boto3 InitiateAuth",
                {"sign_in_password": site_row, "raw_initiate_auth": raw_row}, out)
    out.write(f"  site / raw sign-in throughput: {pair['ratio_to_raw']:.2f} (target >= 0.8)\n")
    out.write("  CPU ms per sign-in, by process " + "".join(f"{part:>10}" for part in CpuMeter.PARTS) + "\n")
    for name, label in (("site", "through the site"), ("raw", "raw boto3 call")):
        spent = pair[f"{name}_cpu_ms"]
        cells = (f"{'n/a':>10}" if math.isnan(spent[part]) else f"{spent[part]:>10.2f}" for part in CpuMeter.PARTS)
        total = sum(value for value in spent.values() if not math.isnan(value))
        out.write(f"    {label:<28}{''.join(cells)}   total {total:.2f}\n")
    return pair


def run_load(*, concurrency: int, seconds: float, max_requests: int, token_validity: int,
             answer_times: tuple[float, ...] = (0.0,), workers: int = WORKERS, threads: int = THREADS,
             conn_max_age: int = CONN_MAX_AGE, out: TextIO = sys.stdout, echo: TextIO | None = None) -> dict[str, Any]:
    """The phases on a fresh stack; the report as a dict (also printed to `out`).

    `answer_times`: seconds the emulator holds each answer in the sign-in comparisons, one
    pair of phases each (0: loopback speed; Cognito's own latency comes on top).
    """
    users = 2 * concurrency
    report: dict[str, Any] = {"cores": os.cpu_count(), "concurrency": concurrency, "seconds": seconds,
                              "gunicorn_workers": workers, "gunicorn_threads": threads,
                              "token_validity": token_validity, "conn_max_age": conn_max_age}
    kind = f"{workers} workers x {threads} threads (gthread)" if threads > 1 else f"{workers} sync workers"
    out.write(f"Cores: {os.cpu_count()}; gunicorn: {kind}; concurrency {concurrency}; "
              f"{seconds:.0f} s a phase, at most {max_requests} requests each; CONN_MAX_AGE {conn_max_age}\n")
    with LoadStack(users=users, token_validity=token_validity, workers=workers, threads=threads,
                   conn_max_age=conn_max_age, echo=echo) as stack:
        clients = [Worker(stack, n, Results()) for n in range(concurrency)]
        for client in clients:
            client.prepare()
            # Every user signs in once before the measure, so first-sign-in user creation is
            # not in the figures (the stack tests cover that race).
            client.sign_in("password")

        pairs = [sign_in_pair(stack, clients, answer_time, seconds, max_requests, out) for answer_time in answer_times]
        report["sign_in_pairs"] = pairs
        # The first pair's figures under the names earlier reports used.
        report["sign_in_phase"], report["raw_phase"] = pairs[0]["site"], pairs[0]["raw"]
        report["sign_in_calls_per_sign_in"] = pairs[0]["calls_per_sign_in"]
        report["ratio_to_raw"] = pairs[0]["ratio_to_raw"]

        stack.emulator.reset_log()
        results = Results()
        took = mix(clients, seconds, max_requests, results)
        table = summary(results, took)
        print_table("Phase 3: the mix (Cognito at loopback speed)", table, out)
        figures = cognito_figures(stack, results, len(clients))
        report["mix"] = table
        report["cognito"] = figures
        report["errors"] = (sum(row["errors"] for row in table.values())
                            + sum(pair["site"]["errors"] + pair["raw"]["errors"] for pair in pairs))
        out.write("\nCognito calls (emulator's log):\n")
        for name, value in figures.items():
            out.write(f"  {name:<40}{value:.2f}\n" if isinstance(value, float) else f"  {name:<40}{value}\n")
        # A renewal is due once a quarter of the token's lifetime is left (sessions.renew_before):
        # the most one session can need in the phase, against renewals_per_session above.
        out.write(f"  {'most renewals one session could need':<40}{took / (token_validity * 0.75) + 1:.2f}\n")
        out.write(f"\nErrors: {report['errors']} (target 0)\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase (default 20)")
    parser.add_argument("--max-requests", type=int, default=20000, help="bound on the requests of a phase")
    parser.add_argument("--token-validity", type=int, default=20,
                        help="seconds the page-view client's tokens live (default 20: renewals fall due)")
    parser.add_argument("--conn-max-age", type=int, default=CONN_MAX_AGE,
                        help=f"CONN_MAX_AGE, seconds (default {CONN_MAX_AGE}; 0: a connection per request)")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help=f"threads per worker (default {THREADS}; 1: sync workers)")
    parser.add_argument("--answer-times", default="0,25,50,100,200",
                        help="milliseconds the emulator holds each answer, one site/raw comparison each "
                             "(default 0,25,50,100,200)")
    parser.add_argument("--json", help="also write the report to this file")
    parser.add_argument("--verbose", action="store_true", help="show gunicorn's and the emulator's output")
    options = parser.parse_args()
    if missing := [reason for name in HOW_TO_START if (reason := unreachable(name))]:
        sys.exit("The load runs on PostgreSQL and Redis:\n  " + "\n  ".join(missing))
    report = run_load(concurrency=options.concurrency, seconds=options.seconds, max_requests=options.max_requests,
                      token_validity=options.token_validity, conn_max_age=options.conn_max_age,
                      answer_times=tuple(float(ms) / 1000 for ms in options.answer_times.split(",")),
                      workers=options.workers, threads=options.threads,
                      echo=sys.stderr if options.verbose else None)
    if options.json:
        Path(options.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
