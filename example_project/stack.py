"""The example project as production runs it: gunicorn workers on PostgreSQL and Redis.

``make stack`` serves it for a person; the service tests (tests/stack) and the load and
fault scripts use `Stack` as a library::

    with Stack(workers=4) as stack:
        stack.base_url            # http://127.0.0.1:PORT/, gunicorn's shared socket
        stack.worker_pids()       # the worker processes serving it now
        stack.emulator            # the strict Cognito (an EmulatorProcess), its own pool
        stack.static_root         # the run's collectstatic output, which WhiteNoise serves
        stack.sql("SELECT count(*) FROM auth_user")
        stack.manage("shell", stdin="...")   # manage.py with the run's settings

One run owns everything it starts, and stops it by PID: the Cognito emulator, a fresh
PostgreSQL database (dropped at the end), a Redis key prefix of its own (its keys deleted
at the end), a temporary STATIC_ROOT that ``collectstatic`` fills and WhiteNoise serves
(removed at the end) and gunicorn (its master stops its workers; a worker left behind is
killed by PID). PostgreSQL and Redis themselves are the machine's: see
`postgres_url`/`redis_url`.
Nothing here sleeps: it waits for gunicorn's own log lines, as EmulatorProcess does.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO
from urllib.parse import urlsplit

import psutil
import psycopg
import redis
from psycopg import sql

from cognito_auth.testing.process import EmulatorProcess
from example_project.demo import address_is_free

BASE_DIR = Path(__file__).resolve().parent.parent
WORKERS = 4
# Threads per worker (gunicorn's gthread worker). A request waiting on a slow Cognito holds
# its thread for up to COGNITO_AUTH_REQUEST_BUDGET seconds; with one request per worker
# (sync), a fifth such request waits in gunicorn's queue before its own budget starts, and
# the fault run saw one answer at 12.1 s. 4 x 4 threads take 16 slow requests at once
# (with as many connections per worker as threads: Stack._threaded_options).
THREADS = 4
# Django's persistent connections (CONN_MAX_AGE, seconds), checked before each request's
# first query (CONN_HEALTH_CHECKS): a connection per request costs PostgreSQL a backend
# process each time (the load run: 68 against 94 sign-ins/s).
CONN_MAX_AGE = 60
START_TIMEOUT = 60.0  # seconds gunicorn may take to listen and boot every worker
STOP_TIMEOUT = 15.0  # seconds gunicorn may take to finish its requests and stop
# What production sets (README, "What a production site sets"): sessions in the database,
# so a Redis restart signs nobody out and fails no request. Not cached_db: its exists() and
# delete() call the cache unguarded, so a sign-in (a new session key) is a 500 while Redis
# is down (Django 5.2; the fault run showed it).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
HOW_TO_START = {
    "PostgreSQL": "apt-get install postgresql && service postgresql start (trust authentication on 127.0.0.1)",
    "Redis": "apt-get install redis-server && service redis-server start",
}
_LISTENING = re.compile(r"Listening at: (http://\S+)")
_BOOTED = re.compile(r"Booting worker with pid: (\d+)")


def postgres_url() -> str:
    """The PostgreSQL server, without a database name: ``COGNITO_AUTH_TEST_POSTGRES`` or
    the machine's own on loopback (trust authentication)."""
    return os.environ.get("COGNITO_AUTH_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def redis_url() -> str:
    """The Redis server, without a database number: ``COGNITO_AUTH_TEST_REDIS`` or loopback."""
    return os.environ.get("COGNITO_AUTH_TEST_REDIS", "redis://127.0.0.1:6379")


def unreachable(name: str) -> str | None:
    """Why service `name` ("PostgreSQL" or "Redis") cannot be used and how to start it, or
    None when it accepts a connection."""
    url = postgres_url() if name == "PostgreSQL" else redis_url()
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return None
    except OSError:
        return f"{name} is not reachable at {parts.netloc} ({HOW_TO_START[name]})"


def random_password() -> str:
    # Meets Cognito's default policy: upper, lower, digit and symbol, 8+ characters.
    return f"Stack-{secrets.token_urlsafe(9)}-7a"


class Stack:
    """One run of the example project under gunicorn; a context manager.

    `workers`: gunicorn's worker processes; `threads`: each one's threads (gthread; 1: a
    sync worker, one request at a time, as the multi-worker tests want: concurrent requests
    then spread over processes). `conn_max_age`: Django's CONN_MAX_AGE for PostgreSQL, in
    seconds (0: a connection per request). `port` 0 lets the
    kernel choose. `worker_pid_header` adds the test-only ``X-Worker-Pid`` header
    (example_project.worker_pid). `echo` receives gunicorn's and the emulator's output.
    `redis_db`: the Redis database number; the run's keys carry a prefix of their own,
    so runs sharing a database never meet, and nothing here empties a database.
    """

    def __init__(
        self,
        *,
        workers: int = WORKERS,
        threads: int = THREADS,
        conn_max_age: int = CONN_MAX_AGE,
        port: int = 0,
        worker_pid_header: bool = False,
        echo: TextIO | None = None,
        redis_db: int = 0,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.workers = workers
        self.threads = threads
        self.conn_max_age = conn_max_age
        self.port = port
        self.worker_pid_header = worker_pid_header
        self.redis_db = redis_db
        self.extra_env = dict(extra_env or {})
        self._echo = echo
        self.run_id = f"cognito_auth_stack_{os.getpid()}_{secrets.token_hex(4)}"
        self.emulator = EmulatorProcess(echo=echo)
        self.pool_id = self.client_id = self.client_secret = ""
        self.base_url = ""
        self.secret_key = secrets.token_urlsafe(50)
        self.admin_password = random_password()
        self.user_password = random_password()
        self.static_root: Path | None = None
        self._database_created = False
        self._gunicorn: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=400)
        self._booted: list[int] = []
        self._output_ended = False
        self._changed = threading.Condition()

    # Addresses -----------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"{postgres_url()}/{self.run_id}"

    @property
    def site_database_url(self) -> str:
        """The site's ``DATABASE_URL``: the run's database with its connection options."""
        if not self.conn_max_age:
            return self.database_url
        return f"{self.database_url}?conn_max_age={self.conn_max_age}&conn_health_checks=true"

    @property
    def cache_url(self) -> str:
        return f"{redis_url()}/{self.redis_db}?key_prefix={self.run_id}"

    @property
    def region(self) -> str:
        return self.pool_id.split("_", 1)[0]

    def environment(self) -> dict[str, str]:
        """The settings of every process of this run (gunicorn, manage.py), as variables."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
            "DATABASE_URL": self.site_database_url,
            "CACHE_URL": self.cache_url,
            "SESSION_ENGINE": SESSION_ENGINE,
            "SECRET_KEY": self.secret_key,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # This run's emulator only: no other loopback port is a trusted endpoint.
            "COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS": urlsplit(self.emulator.endpoint_url).netloc,
            "EXAMPLE_PROJECT_WORKER_PID_HEADER": "true" if self.worker_pid_header else "false",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        if self.static_root is not None:
            env["STATIC_ROOT"] = str(self.static_root)
        env.pop("COGNITO_AUTH_STACK_INNER", None)
        return env

    # Start and stop --------------------------------------------------------------------------

    def start(self) -> Stack:
        try:
            self.emulator.start()  # first: every process's settings name its endpoint
            # Next: every later process of the run (migrate, shell, gunicorn) has STATIC_ROOT.
            self._collect_static()
            self._create_pool()
            self._create_database()
            self.manage("migrate", "--no-input", "-v", "0")
            self._register_app_client()
            self._start_gunicorn()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop gunicorn, the emulator; drop the database and the run's cache keys; remove
        the static files. Each step runs even when an earlier one fails; the first failure is
        raised at the end."""
        failures: list[BaseException] = []
        steps = (
            self._stop_gunicorn, self.emulator.stop, self._drop_database, self._delete_cache_keys,
            self._remove_static_root,
        )
        for step in steps:
            try:
                step()
            except Exception as exc:  # the other steps must still run
                failures.append(exc)
        if failures:
            raise failures[0]

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # Helpers for tests and scripts ------------------------------------------------------

    def manage(self, *args: str, stdin: str | None = None) -> str:
        """Run ``manage.py ARGS`` with this run's settings; its output. `stdin` feeds
        ``shell`` its code, so no secret appears in a process list.

        :raises subprocess.CalledProcessError: the command failed (its output attached).
        """
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, no shell
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR, env=self.environment(), input=stdin, capture_output=True, text=True,
            timeout=120, check=False,
        )
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
        return done.stdout

    def shell(self, code: str, **values: Any) -> Any:
        """Run Python `code` in a Django shell of this run; `values` arrive as the dict
        ``VALUES``, and whatever the code assigns to ``RESULT`` comes back (JSON)."""
        program = (
            f"import json\nVALUES = json.loads({json.dumps(json.dumps(values))})\nRESULT = None\n{code}\n"
            "print('STACK-RESULT ' + json.dumps(RESULT))\n"
        )
        output = self.manage("shell", stdin=program)
        line = next(line for line in output.splitlines() if line.startswith("STACK-RESULT "))
        return json.loads(line.removeprefix("STACK-RESULT "))

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of `query` on this run's database (psycopg 3, a connection per call)."""
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(query, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def worker_pids(self) -> set[int]:
        """The gunicorn workers alive now (children of the master)."""
        if self._gunicorn is None:
            return set()
        try:
            return {child.pid for child in psutil.Process(self._gunicorn.pid).children()}
        except psutil.NoSuchProcess:
            return set()

    @property
    def master_pid(self) -> int | None:
        return self._gunicorn.pid if self._gunicorn is not None else None

    @property
    def output_tail(self) -> str:
        with self._changed:
            return "".join(self._output)

    # Steps ---------------------------------------------------------------------------------

    def _create_pool(self) -> None:
        self.pool_id = self.emulator.create_user_pool("stack-pool")
        self.client_id, self.client_secret = self.emulator.create_app_client(self.pool_id, "stack-site", secret=True)
        self.emulator.create_user(
            self.pool_id, "demo", self.user_password,
            {"email": "demo@example.com", "email_verified": "true", "given_name": "Demo"},
        )

    def _collect_static(self) -> None:
        # Outside the repository, one directory per run: runs side by side never share one,
        # and nothing is left behind.
        self.static_root = Path(tempfile.mkdtemp(prefix=f"{self.run_id}_static_"))
        self.manage("collectstatic", "--no-input", "-v", "0")

    def _remove_static_root(self) -> None:
        root, self.static_root = self.static_root, None
        if root is not None:
            shutil.rmtree(root)

    def _create_database(self) -> None:
        with psycopg.connect(f"{postgres_url()}/postgres", autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.run_id)))
        self._database_created = True

    def _drop_database(self) -> None:
        if not self._database_created:
            return
        with psycopg.connect(f"{postgres_url()}/postgres", autocommit=True) as connection:
            # FORCE (PostgreSQL 13+): a connection a killed worker left open must not keep it.
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.run_id)))
        self._database_created = False

    def _delete_cache_keys(self) -> None:
        client = redis.Redis.from_url(f"{redis_url()}/{self.redis_db}")
        try:
            keys = list(client.scan_iter(match=f"{self.run_id}:*", count=500))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def _register_app_client(self) -> None:
        self.shell(
            """
from django.contrib.auth import get_user_model
from cognito_auth.models import AppClient
AppClient.objects.create(
    name="stack", region=VALUES["region"], user_pool_id=VALUES["pool_id"], client_id=VALUES["client_id"],
    client_secret=VALUES["client_secret"], endpoint_url=VALUES["endpoint_url"], is_default=True,
)
get_user_model().objects.create_superuser("admin", "admin@example.com", VALUES["admin_password"])
""",
            region=self.region, pool_id=self.pool_id, client_id=self.client_id, client_secret=self.client_secret,
            endpoint_url=self.emulator.endpoint_url, admin_password=self.admin_password,
        )

    def _gunicorn_command(self) -> list[str]:
        """gunicorn serving the example project on this run's port (tests stand in for it)."""
        return [
            sys.executable, "-m", "gunicorn", "example_project.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            *(self._threaded_options() if self.threads > 1 else ["--worker-class", "sync"]),
            # The app loads once, in the master: a broken setting fails here, not in a worker.
            "--preload",
            "--timeout", "30",
            "--graceful-timeout", str(int(STOP_TIMEOUT) - 5),
            "--log-level", "info",
            # No proxy in front: believe no client's X-Forwarded-Proto (gunicorn believes
            # 127.0.0.1's by default, so any loopback client could pass as HTTPS).
            "--forwarded-allow-ips", "",
            # Its control socket lives at one path per user: runs side by side would clash.
            "--no-control-socket",
        ]

    def _start_gunicorn(self) -> None:
        self._output_ended = False
        self._gunicorn = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn, no shell
            self._gunicorn_command(),
            cwd=BASE_DIR, env=self.environment(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
        )
        self._reader = threading.Thread(target=self._read_output, name="gunicorn-output", daemon=True)
        self._reader.start()
        with self._changed:
            # Woken by the end of the output, not only by poll(): the output can end a moment
            # before the exit shows, and then no later notify would come.
            ready = self._changed.wait_for(
                lambda: self._gunicorn is None or self._output_ended or self._gunicorn.poll() is not None
                or (self.base_url and len(self._booted) >= self.workers),
                START_TIMEOUT,
            )
        if not ready or not self.base_url or len(self._booted) < self.workers:
            raise RuntimeError(f"gunicorn did not start {self.workers} workers; its output:\n{self.output_tail}")

    def _threaded_options(self) -> list[str]:
        # A gthread worker accepts up to --worker-connections (1,000 by default), not up to
        # its free threads: a worker whose threads all wait on Cognito would take requests
        # it cannot start while other workers idle (a review saw 12 of 16 held sign-ins
        # reach Cognito, 8 of them queued in one worker). As many connections as threads,
        # and none kept alive idle (they count too), leave the rest in the listen queue
        # for a worker with a free thread. A proxy in front keeps its own connections.
        return ["--worker-class", "gthread", "--threads", str(self.threads),
                "--worker-connections", str(self.threads), "--keep-alive", "0"]

    def _read_output(self) -> None:
        process = self._gunicorn
        if process is None or process.stdout is None:
            return
        for line in process.stdout:
            with self._changed:
                self._output.append(line)
                if listening := _LISTENING.search(line):
                    self.base_url = listening.group(1).rstrip("/") + "/"
                if booted := _BOOTED.search(line):
                    self._booted.append(int(booted.group(1)))
                self._changed.notify_all()
            if self._echo is not None:
                self._echo.write(line)
                self._echo.flush()
        with self._changed:
            # Every process holding the pipe has closed it: gunicorn is gone or going, so
            # start() must not wait on, whether or not poll() sees the exit yet.
            self._output_ended = True
            self._changed.notify_all()

    def _stop_gunicorn(self) -> None:
        process, self._gunicorn = self._gunicorn, None
        if process is None:
            return
        try:
            workers = psutil.Process(process.pid).children()
        except psutil.NoSuchProcess:
            workers = []
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for worker in workers:  # by PID, only the workers this master had
            try:
                worker.kill()
            except psutil.NoSuchProcess:
                pass
        if self._reader is not None:
            self._reader.join(timeout=STOP_TIMEOUT)
        self.base_url = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any)")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn worker processes (default {WORKERS})")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help=f"threads per worker (default {THREADS}; 1: sync workers)")
    parser.add_argument("--check", action="store_true", help="only check that PostgreSQL and Redis answer")
    options = parser.parse_args()
    if missing := [reason for name in HOW_TO_START if (reason := unreachable(name))]:
        sys.exit("The service stack needs PostgreSQL and Redis:\n  " + "\n  ".join(missing))
    if options.check:
        return
    # Before anything starts: gunicorn would only give up on a taken port after seconds of
    # retries, once the emulator, database and migrations were all made for nothing.
    if options.port and not address_is_free(f"127.0.0.1:{options.port}"):
        sys.exit(
            f"127.0.0.1:{options.port} is in use (another `make stack` or `make demo`?): stop that server, "
            "or choose another port with --port."
        )
    with Stack(workers=options.workers, threads=options.threads, port=options.port, echo=sys.stdout) as stack:
        print(f"\nExample site:     {stack.base_url}   admin: {stack.base_url}admin/")
        print(f"gunicorn:         master {stack.master_pid}, workers {sorted(stack.worker_pids())}")
        print(f"Database:         {stack.database_url} (dropped when this stops)")
        print(f"Cache:            {stack.cache_url}")
        print(f"Static files:     {stack.static_root} (WhiteNoise; removed when this stops)")
        print(f"Cognito emulator: {stack.emulator.endpoint_url} (pool {stack.pool_id}, app client {stack.client_id})")
        print(f"Demo user: demo / {stack.user_password}")
        print(f"Admin: admin / {stack.admin_password}")
        print("Ctrl-C stops everything.\n", flush=True)
        stop_signals = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)  # delivered to sigwait, not raised
        signal.sigwait(stop_signals)


if __name__ == "__main__":
    main()
