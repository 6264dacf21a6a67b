"""Login benchmark: the Django login view against the raw boto3 loop of AWS's article.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/login.py``). Everything runs in
one process against one strict emulator process, so the ratios compare like with like on
a noisy machine; the absolute figures depend on the machine.

Requests go through Django's real WSGI handler and middleware (CSRF included), driven by a
few lines of cookie handling rather than Django's test client, whose own bookkeeping would
show up in the memory figures.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import os
import socket
import statistics
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Bench-Password-7x"
LOCAL_PASSWORD = "Local-pass-1"
CHOOSER = "chooser"  # the choice-based sign-in section's user, in a pool of its own


def setup_django(workdir: str) -> None:
    os.environ.update(
        # The example project allows only its own emulator port; this run's emulator and the
        # hanging endpoint are on other loopback ports.
        COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="example_project.settings",
        # SQLite on a RAM-backed file system: the figures are about the app and Cognito, not
        # about fsync, and 10,000 sessions live in the database, not in this process's RSS.
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        ALLOWED_HOSTS="testserver,localhost",
        SECRET_KEY="benchmark-only-key-" + "x" * 40,
        DEBUG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_site(emulator, **client_options):
    """After ``setup_django``: the example project (plus ``/bench/whoami/``) behind Django's
    WSGI handler, and the default AppClient row of a fresh emulator pool with a secret-holding
    client (``client_options`` go to ``create_app_client``) and the user "bench"."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings
    from django.urls import include, path

    from cognito_auth.models import AppClient

    urlconf = type("BenchUrls", (), {"urlpatterns": [
        path("bench/whoami/", whoami), path("", include("example_project.urls")),
    ]})
    override_settings(ROOT_URLCONF=urlconf).enable()
    pool_id = emulator.create_user_pool("bench")
    client_id, secret = emulator.create_app_client(pool_id, "bench", secret=True, **client_options)
    emulator.create_user(pool_id, "bench", PASSWORD)
    app_client = AppClient.objects.create(
        name="bench", region=pool_id.split("_", 1)[0], user_pool_id=pool_id, client_id=client_id,
        client_secret=secret, endpoint_url=emulator.endpoint_url, is_default=True,
    )
    return WSGIHandler(), app_client


class Browser:
    """Cookies and a CSRF token over Django's WSGI handler: a person's browser, minus HTTP."""

    def __init__(self, handler, host: str = "testserver") -> None:
        self.handler = handler
        self.host = host
        self.cookies: dict[str, str] = {}
        self.body = b""
        self.location = ""

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> int:
        body = urlencode(data or {}).encode()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": self.host,
            "SERVER_PORT": "80", "HTTP_HOST": self.host, "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.errors": sys.stderr,
            "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        answer: dict = {}

        def start_response(status, headers, exc_info=None):
            answer.update(status=int(status.split()[0]), headers=headers)

        response = self.handler(environ, start_response)
        self.body = b"".join(response)
        response.close()
        self.location = next((value for name, value in answer["headers"] if name.lower() == "location"), "")
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        return answer["status"]

    def login(self, username: str, password: str) -> int:
        if "csrftoken" not in self.cookies:
            self.request("GET", "/accounts/login/")
        self.cookies.pop("sessionid", None)  # a new person at the same browser
        return self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": self.cookies["csrftoken"], "username": username, "password": password,
        })


def rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def raw_boto3_logins(endpoint: str, region: str, client_id: str, secret: str, n: int) -> float:
    """AWS's knowledge-center loop: one boto3 client, InitiateAuth with a SECRET_HASH."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint,
                          config=Config(signature_version=UNSIGNED))
    start = time.perf_counter()
    for _ in range(n):
        message = bytes("bench" + client_id, "utf-8")
        secret_hash = base64.b64encode(hmac.new(bytes(secret, "utf-8"), message, hashlib.sha256).digest()).decode()
        client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash})
    return time.perf_counter() - start


class CallTimer:
    """Adds up the time spent inside cognito_auth's Cognito calls (botocore included), so
    the time a login spends outside the call is measured, not inferred."""

    def __init__(self) -> None:
        from cognito_auth.client import CognitoClient

        self.total = 0.0
        timed = CognitoClient._call

        def call(client, *args, **kwargs):
            start = time.perf_counter()
            try:
                return timed(client, *args, **kwargs)
            finally:
                self.total += time.perf_counter() - start

        CognitoClient._call = call


class VerifyTimer:
    """Counts the pool's JWKS fetches and adds up the time spent verifying ID tokens (the
    signature and claims check of every login, the JWKS cache read included, fetches not)."""

    def __init__(self) -> None:
        from cognito_auth import tokens, verifier

        self.fetches = 0
        self.fetch_seconds = 0.0
        self.verifications = 0
        self.verify_seconds = 0.0
        fetch, verify = verifier.fetch_jwks, tokens.verify_token

        def counted_fetch(url):
            start = time.perf_counter()
            try:
                return fetch(url)
            finally:
                self.fetches += 1
                self.fetch_seconds += time.perf_counter() - start

        def timed_verify(*args, **kwargs):
            fetch_seconds, start = self.fetch_seconds, time.perf_counter()
            try:
                return verify(*args, **kwargs)
            finally:
                self.verifications += 1
                self.verify_seconds += time.perf_counter() - start - (self.fetch_seconds - fetch_seconds)

        verifier.fetch_jwks = counted_fetch
        tokens.verify_token = timed_verify

    def reset(self) -> None:
        self.fetches = self.verifications = 0
        self.fetch_seconds = self.verify_seconds = 0.0


def verify_loop_us(emulator, app_client, n: int = 2000) -> float:
    """Microseconds per verify_token() of one emulator ID token, keys cached: the cost of
    the check alone, without the rest of a login around it."""
    from cognito_auth.client import CognitoClient
    from cognito_auth.verifier import verify_token

    token = CognitoClient(app_client).initiate_password_auth("bench", PASSWORD).id_token
    verify_token(token, app_client, "id")
    start = time.perf_counter()
    for _ in range(n):
        verify_token(token, app_client, "id")
    return (time.perf_counter() - start) / n * 1e6


def logins(browser: Browser, n: int, username: str = "bench", password: str = PASSWORD) -> float:
    start = time.perf_counter()
    for _ in range(n):
        status = browser.login(username, password)
        if status != 302:
            raise SystemExit(f"login of {username} answered {status}")
    return time.perf_counter() - start


def whoami(request):
    """The smallest signed-in page: what a page view costs beyond Django's own work."""
    from django.http import HttpResponse

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse(request.user.get_username())


def page_views(browser: Browser, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        if browser.request("GET", "/bench/whoami/") != 200:
            raise SystemExit("page view failed")
    return time.perf_counter() - start


def interleaved(rounds: int, per_round: int, **loops) -> dict[str, float]:
    """Seconds per operation for each loop, run in turns and taken as the median of the
    rounds: on a shared, noisy machine a slow spell then hits every loop alike."""
    times: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(rounds):
        for name, loop in loops.items():
            times[name].append(loop(per_round) / per_round)
    return {name: statistics.median(values) for name, values in times.items()}


def hanging_login_seconds(browser: Browser) -> float:
    """One login against an endpoint that accepts and never answers, default timeouts."""
    from cognito_auth.models import AppClient

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    app_client = AppClient.objects.get(is_default=True)
    saved = app_client.endpoint_url
    app_client.endpoint_url = f"http://127.0.0.1:{server.getsockname()[1]}"
    app_client.save()
    try:
        start = time.perf_counter()
        status = browser.login("bench", PASSWORD)
        elapsed = time.perf_counter() - start
        if status != 200:
            raise SystemExit("the login against a hanging endpoint did not answer with the form")
        return elapsed
    finally:
        app_client.endpoint_url = saved
        app_client.save()
        server.close()


def srp_logins(browser: Browser, app_client, emulator, n: int) -> tuple[float, float]:
    """(seconds per login, Cognito calls per login) of ``n`` logins through the view with
    the app client set to USER_SRP_AUTH; the client is set back to passwords after."""
    from cognito_auth.models import AuthFlow

    app_client.auth_flow = AuthFlow.USER_SRP_AUTH
    app_client.save()
    try:
        logins(browser, 10)  # warm: the SRP path's first calls
        emulator.reset_log()
        elapsed = logins(browser, n)
        calls = len(emulator.calls()) / n
    finally:
        app_client.auth_flow = AuthFlow.USER_PASSWORD_AUTH
        app_client.save()
    return elapsed / n, calls


def _form_value(body: bytes, name: str) -> str:
    import re

    found = re.search(rb'name="' + name.encode() + rb'" value="([^"]*)"', body)
    if found is None:
        raise SystemExit(f"no {name} field on the page")
    return found.group(1).decode()


def sign_in_calls(emulator, handler, pool_id: str, app_client) -> dict[str, float]:
    """Cognito calls per sign-in through the login page for each choice-based method,
    counted from the emulator's call log in this run: password (PREFERRED_CHALLENGE
    PASSWORD), SRP (PASSWORD_SRP), an email code, a passkey."""
    import json
    import re

    from cognito_auth.client import CognitoClient
    from cognito_auth.testing.authenticator import SoftwareAuthenticator

    browser = Browser(handler, host="localhost")  # browsers take no IP address as a passkey's RP ID

    def counted(sign_in) -> float:
        browser.cookies.pop("sessionid", None)
        if "csrftoken" not in browser.cookies:
            browser.request("GET", "/accounts/login/")
        emulator.reset_log()
        sign_in()
        if browser.location != "/":
            raise SystemExit(f"a sign-in ended at {browser.location!r}, not /")
        return float(len(emulator.calls()))

    def post(path: str, data: dict[str, str]) -> int:
        return browser.request("POST", path, {"csrfmiddlewaretoken": browser.cookies["csrftoken"], **data})

    def with_method(method: str):
        def sign_in() -> None:
            if method in ("PASSWORD", "PASSWORD_SRP"):
                app_client.sign_in_methods = f"{method} EMAIL_OTP WEB_AUTHN"
                app_client.save()
                post("/accounts/login/", {"username": CHOOSER, "password": PASSWORD})
            elif method == "EMAIL_OTP":
                post("/accounts/login/", {"username": CHOOSER, "method": "EMAIL_OTP"})
                browser.request("GET", "/accounts/login/code/")
                step = _form_value(browser.body, "step")
                code = emulator.latest_code(CHOOSER, "email_otp", pool_id=pool_id)
                post("/accounts/login/code/", {"step": step, "code": code})
            else:
                post("/accounts/login/", {"username": CHOOSER, "method": "WEB_AUTHN"})
                browser.request("GET", "/accounts/login/passkey/")
                block = re.search(rb'<script id="passkey-request-options" type="application/json">(.*?)</script>',
                                  browser.body, re.S)
                options = json.loads(block.group(1))
                credential = authenticator.sign_in(options)
                post("/accounts/login/passkey/", {"step": _form_value(browser.body, "step"),
                                                  "credential": json.dumps(credential)})
        return sign_in

    # The passkey, registered once outside the count (the Passkeys page's two calls).
    authenticator = SoftwareAuthenticator("http://localhost")
    cognito = CognitoClient(app_client)
    token = cognito.initiate_user_auth(CHOOSER, "PASSWORD", password=PASSWORD).access_token
    cognito.complete_web_authn_registration(token, authenticator.register(cognito.start_web_authn_registration(token)))
    counts = {method: counted(with_method(method)) for method in ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN")}
    return {method: statistics.mean([count, counted(with_method(method))]) for method, count in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logins", type=int, default=300, help="logins timed in each loop")
    parser.add_argument("--memory-logins", type=int, default=10_000, help="logins before the last RSS figure")
    parser.add_argument("--views", type=int, default=1000, help="page views timed")
    parser.add_argument("--srp-rounds", type=int, default=100, help="SRP claims timed per implementation")
    parser.add_argument("--srp-logins", type=int, default=100, help="SRP logins timed through the view")
    args = parser.parse_args()
    n = args.logins

    from cognito_auth.testing.process import EmulatorProcess

    ram_disk = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=ram_disk) as workdir, EmulatorProcess() as emulator:
        setup_django(workdir)
        from django.contrib.auth import get_user_model
        from django.test.utils import override_settings

        from cognito_auth.models import AppClient

        # Both flows allowed, so the SRP section signs the same user in through the same client.
        handler, bench_client = bench_site(
            emulator, flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        )
        region, client_id, secret = bench_client.region, bench_client.client_id, bench_client.client_secret

        # Warm both paths (imports, connection pools, the app client cache, the user row,
        # the pool's keys: the first login fetches the JWKS).
        verify_timer = VerifyTimer()
        raw_boto3_logins(emulator.endpoint_url, region, client_id, secret, 20)
        cognito_browser = Browser(handler)
        logins(cognito_browser, 20)
        first_fetches, first_fetch_ms = verify_timer.fetches, verify_timer.fetch_seconds * 1e3

        logins(cognito_browser, 80)
        rss_100 = rss_mib()  # after 100 logins through the view

        emulator.reset_log()
        verify_timer.reset()
        logins(cognito_browser, n)
        calls_per_login = len(emulator.calls()) / n
        fetches_per_login = verify_timer.fetches / n

        # What Django's own login costs: a Django-only account, ModelBackend alone, a
        # cheap hasher, the same view.
        local_browser = Browser(handler)
        local_only = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                                       AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"])
        with local_only:
            get_user_model().objects.create_user("local", password=LOCAL_PASSWORD)
            logins(local_browser, 20, "local", LOCAL_PASSWORD)

        def local_logins(count: int) -> float:
            with local_only:
                return logins(local_browser, count, "local", LOCAL_PASSWORD)

        rounds = 10
        verify_timer.reset()
        timer = CallTimer()
        per_login = interleaved(
            rounds, max(1, n // rounds),
            raw=lambda count: raw_boto3_logins(emulator.endpoint_url, region, client_id, secret, count),
            view=lambda count: logins(cognito_browser, count),
            django=local_logins,
        )

        view_logins = max(1, n // rounds) * rounds
        call_in_view = timer.total / view_logins
        verify_in_view = verify_timer.verify_seconds / max(1, verify_timer.verifications)
        verify_alone = verify_loop_us(emulator, AppClient.objects.get(is_default=True))
        page_views(cognito_browser, 50)
        page_views(local_browser, 50)
        emulator.reset_log()
        page_views(cognito_browser, args.views)
        calls_per_view = len(emulator.calls()) / args.views
        per_view = interleaved(
            rounds, max(1, args.views // rounds),
            cognito=lambda count: page_views(cognito_browser, count),
            local=lambda count: page_views(local_browser, count),
        )

        logins(cognito_browser, max(0, args.memory_logins - 100 - n - n // rounds * rounds))
        rss_10k = rss_mib()
        hanging = hanging_login_seconds(Browser(handler))

        # SRP: the same view, user and emulator; then the client CPU of one claim, ours
        # (gmpy2 and pow) against pycognito's AWSSRP.
        srp_per_login, srp_calls_per_login = srp_logins(
            cognito_browser, AppClient.objects.get(is_default=True), emulator, args.srp_logins,
        )
        import srp as srp_bench  # benchmarks/srp.py, beside this file

        srp_claims = srp_bench.claim_cpu_ms(args.srp_rounds)

        # Choice-based sign-in (USER_AUTH): its own pool allowing every first factor and a
        # client offering them; calls counted per method.
        from cognito_auth.models import AuthFlow
        from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES, USER_AUTH_CLIENT_FLOWS

        choice_pool = emulator.create_user_pool("bench-choice", Policies=PASSWORDLESS_POLICIES)
        choice_id, choice_secret = emulator.create_app_client(choice_pool, "bench-choice", secret=True,
                                                              flows=USER_AUTH_CLIENT_FLOWS)
        emulator.enable_passkeys(choice_pool, "localhost")
        emulator.create_user(choice_pool, CHOOSER, PASSWORD, {"email": "chooser@example.com", "email_verified": "true"})
        AppClient.objects.filter(is_default=True).update(is_default=False)
        choice_client = AppClient.objects.create(
            name="bench-choice", region=region, user_pool_id=choice_pool, client_id=choice_id,
            client_secret=choice_secret, endpoint_url=emulator.endpoint_url, is_default=True,
            auth_flow=AuthFlow.USER_AUTH, sign_in_methods="PASSWORD EMAIL_OTP WEB_AUTHN",
        )
        method_calls = sign_in_calls(emulator, handler, choice_pool, choice_client)

    raw_per, view_per, django_own = per_login["raw"], per_login["view"], per_login["django"]
    outside = view_per - call_in_view
    ours = outside - django_own
    print(f"logins per loop: {n}, in {rounds} interleaved rounds (medians); page views: {args.views}")
    print(f"raw boto3 InitiateAuth loop:           {1 / raw_per:8.1f} logins/s ({raw_per * 1e3:.2f} ms each)")
    print(f"Django login view (CognitoBackend):    {1 / view_per:8.1f} logins/s ({view_per * 1e3:.2f} ms each)")
    print(f"  ratio view / raw (time per login):   {view_per / raw_per:8.2f}")
    print(f"  the Cognito call inside the view:    {call_in_view * 1e3:8.2f} ms (mean, botocore included)")
    print(f"  time outside the Cognito call:       {outside * 1e3:8.2f} ms ({outside / call_in_view:.2f} x the call)")
    print(f"    Django's own login work:           {django_own * 1e3:8.2f} ms "
          "(same view, Django-only account, ModelBackend, MD5 hasher)")
    print(f"    cognito_auth's own work:           {ours * 1e3:8.2f} ms ({ours / call_in_view:.2f} x the call)")
    print(f"      of which ID token verification:  {verify_in_view * 1e6:8.0f} us per login "
          f"(signature and claims, keys from the cache; {verify_alone:.0f} us in a tight loop)")
    print(f"Cognito calls per login:               {calls_per_login:8.2f}")
    print(f"JWKS fetches per login (keys cached):  {fetches_per_login:8.2f} "
          f"(the first login fetched {first_fetches}, {first_fetch_ms:.1f} ms)")
    print(f"Cognito calls per signed-in page view: {calls_per_view:8.2f}")
    print(f"page view, Cognito user:               {per_view['cognito'] * 1e6:8.0f} us")
    print(f"page view, Django-only user:           {per_view['local'] * 1e6:8.0f} us")
    print(f"  added per page view:                 {(per_view['cognito'] - per_view['local']) * 1e6:8.0f} us")
    print(f"RSS after 100 logins:                  {rss_100:8.1f} MiB")
    print(f"RSS after {args.memory_logins} logins:            {rss_10k:8.1f} MiB "
          f"(growth {rss_10k - rss_100:+.1f} MiB, ratio {rss_10k / rss_100:.3f})")
    print(f"answer against a hanging endpoint:     {hanging:8.2f} s (default timeouts)")
    print()
    print("SRP (USER_SRP_AUTH)")
    print(f"Cognito calls per login, password:     {calls_per_login:8.2f}")
    print(f"Cognito calls per login, SRP:          {srp_calls_per_login:8.2f}")
    print(f"Django login view, SRP:                {1 / srp_per_login:8.1f} logins/s "
          f"({srp_per_login * 1e3:.2f} ms each, {srp_per_login / view_per:.2f} x a password login)")
    srp_bench.report(srp_claims, args.srp_rounds)
    print()
    print("Choice-based sign-in (USER_AUTH): Cognito calls per sign-in, from the emulator's call log")
    labels = {"PASSWORD": "password", "PASSWORD_SRP": "SRP", "EMAIL_OTP": "email code", "WEB_AUTHN": "passkey"}
    for method, calls in method_calls.items():
        print(f"  {labels[method] + ':':<37}{calls:8.2f}")


if __name__ == "__main__":
    main()
