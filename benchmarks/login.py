"""Login benchmark: the Django login view against the raw boto3 loop of AWS's article.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/login.py``). Everything runs in
one process against one strict emulator process, so the ratios compare like with like on
a noisy machine; the absolute figures depend on the machine.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Bench-Password-7x"


def setup_django(workdir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="example_project.settings",
        # In-memory SQLite: the figures are about the app and Cognito, not about fsync.
        DATABASE_URL="sqlite://:memory:",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="benchmark-only-key-" + "x" * 40,
        DEBUG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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


def django_logins(n: int) -> float:
    from django.test import Client

    start = time.perf_counter()
    for _ in range(n):
        response = Client().post("/accounts/login/", {"username": "bench", "password": PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"login failed: {response.status_code}")
    return time.perf_counter() - start


def whoami(request):
    """The smallest signed-in page: what a page view costs beyond Django's own work."""
    from django.http import HttpResponse

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse(request.user.get_username())


def page_views(client, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        if client.get("/bench/whoami/").status_code != 200:
            raise SystemExit("page view failed")
    return time.perf_counter() - start


def hanging_login_seconds() -> float:
    """One login against an endpoint that accepts and never answers, default timeouts."""
    import socket

    from django.test import Client

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
        response = Client().post("/accounts/login/", {"username": "bench", "password": PASSWORD})
        elapsed = time.perf_counter() - start
        if b"temporarily unavailable" not in response.content:
            raise SystemExit("no 'unavailable' message against the hanging endpoint")
        return elapsed
    finally:
        app_client.endpoint_url = saved
        app_client.save()
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logins", type=int, default=300, help="logins timed in each loop")
    parser.add_argument("--memory-logins", type=int, default=10_000, help="logins before the last RSS figure")
    parser.add_argument("--views", type=int, default=1000, help="page views timed")
    args = parser.parse_args()

    from cognito_auth.testing.process import EmulatorProcess

    with tempfile.TemporaryDirectory() as workdir, EmulatorProcess() as emulator:
        setup_django(workdir)
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.test.utils import override_settings
        from django.urls import include, path

        urlconf = type("BenchUrls", (), {"urlpatterns": [
            path("bench/whoami/", whoami), path("", include("example_project.urls")),
        ]})
        override_settings(ROOT_URLCONF=urlconf).enable()

        from cognito_auth.models import AppClient

        pool_id = emulator.create_user_pool("bench")
        region = pool_id.split("_", 1)[0]
        client_id, secret = emulator.create_app_client(pool_id, "bench", secret=True)
        emulator.create_user(pool_id, "bench", PASSWORD)
        AppClient.objects.create(name="bench", region=region, user_pool_id=pool_id, client_id=client_id,
                                 client_secret=secret, endpoint_url=emulator.endpoint_url, is_default=True)

        # Warm both paths (imports, connection pools, the app client cache, the user row).
        raw_boto3_logins(emulator.endpoint_url, region, client_id, secret, 20)
        django_logins(20)

        n = args.logins
        raw = raw_boto3_logins(emulator.endpoint_url, region, client_id, secret, n)
        django_logins(80)
        rss_100 = rss_mib()  # after 100 logins through the view
        emulator.reset_log()
        view = django_logins(n)
        calls_per_login = len(emulator.calls()) / n

        cognito_user = Client()
        cognito_user.post("/accounts/login/", {"username": "bench", "password": PASSWORD})
        get_user_model().objects.create_user("local", password="Local-pass-1")
        local_user = Client()
        local_user.post("/accounts/login/", {"username": "local", "password": "Local-pass-1"})
        page_views(cognito_user, 50)
        page_views(local_user, 50)
        emulator.reset_log()
        cognito_views = page_views(cognito_user, args.views)
        calls_per_view = len(emulator.calls()) / args.views
        local_views = page_views(local_user, args.views)

        django_logins(max(0, args.memory_logins - 100 - n))
        rss_10k = rss_mib()
        hanging = hanging_login_seconds()

    raw_per = raw / n
    view_per = view / n
    outside = view_per - raw_per
    added_view_us = (cognito_views - local_views) / args.views * 1e6
    print(f"logins timed per loop:                 {n}")
    print(f"raw boto3 InitiateAuth loop:           {n / raw:8.1f} logins/s ({raw_per * 1e3:.2f} ms each)")
    print(f"Django login view (CognitoBackend):    {n / view:8.1f} logins/s ({view_per * 1e3:.2f} ms each)")
    print(f"  ratio view / raw (time per login):   {view_per / raw_per:8.2f}")
    print(f"  time outside the Cognito call:       {outside * 1e3:8.2f} ms "
          f"({outside / raw_per:.2f} x the call itself)")
    print(f"Cognito calls per login:               {calls_per_login:8.2f}")
    print(f"Cognito calls per signed-in page view: {calls_per_view:8.2f}")
    print(f"page view, Cognito user:               {cognito_views / args.views * 1e6:8.0f} us")
    print(f"page view, Django-only user:           {local_views / args.views * 1e6:8.0f} us")
    print(f"  added per page view:                 {added_view_us:8.0f} us")
    print(f"RSS after 100 logins:                  {rss_100:8.1f} MiB")
    print(f"RSS after {args.memory_logins} logins:            {rss_10k:8.1f} MiB "
          f"(growth {rss_10k - rss_100:+.1f} MiB, ratio {rss_10k / rss_100:.3f})")
    print(f"answer against a hanging endpoint:     {hanging:8.2f} s (default timeouts)")


if __name__ == "__main__":
    main()
