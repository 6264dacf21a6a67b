"""CognitoSessionMiddleware benchmark (issue 10): what it adds to a signed-in page view.

Run with ``.venv/bin/python benchmarks/middleware.py``. One process, Django's real WSGI
handler and middleware (the example project's, CognitoSessionMiddleware included), one
strict emulator process. Prints:

- microseconds per page view for a Cognito session and a Django-only session (medians of
  interleaved rounds), the difference, and the middleware's own check timed alone;
- Cognito calls per page view between renewals (target 0);
- renewals per expiry window when 20 requests of one session arrive together (target 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from login import (
    LOCAL_PASSWORD,
    Browser,
    bench_site,
    interleaved,
    logins,
    page_views,
    setup_django,
)

CONCURRENT = 20


def make_due(browser: Browser) -> None:
    """Move the session's access-token expiry to now, as if its window had passed."""
    from django.contrib.sessions.backends.db import SessionStore

    from cognito_auth.sessions import CLOCK_KEY

    session = SessionStore(session_key=browser.cookies["sessionid"])
    _, lifetime, confirmed_at = session[CLOCK_KEY]
    session[CLOCK_KEY] = [time.time(), lifetime, confirmed_at]
    session.save()


def concurrent_views(browser: Browser, handler) -> list[int]:
    """20 page views of one session at once, each on its own thread."""

    def view(_: int) -> int:
        copy = Browser(handler)
        copy.cookies = dict(browser.cookies)
        return copy.request("GET", "/bench/whoami/")

    with ThreadPoolExecutor(CONCURRENT) as pool:
        return list(pool.map(view, range(CONCURRENT)))


def check_us(browser: Browser, n: int = 20_000) -> float:
    """Microseconds per ``sessions.is_due`` on a loaded Cognito session: the middleware's
    whole work while the token is fresh."""
    from django.contrib.sessions.backends.db import SessionStore

    from cognito_auth import sessions

    session = SessionStore(session_key=browser.cookies["sessionid"])
    session.load()
    session._session  # noqa: B018 - load the data once, as a request already has
    start = time.perf_counter()
    for _ in range(n):
        if sessions.is_due(session):
            raise SystemExit("the session was due")
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--views", type=int, default=2000, help="page views timed per kind of session")
    parser.add_argument("--windows", type=int, default=10, help="expiry windows with 20 concurrent requests")
    args = parser.parse_args()

    from cognito_auth.testing.process import EmulatorProcess

    ram_disk = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=ram_disk) as workdir, EmulatorProcess() as emulator:
        setup_django(workdir)
        from django.contrib.auth import get_user_model
        from django.core.handlers.wsgi import WSGIHandler
        from django.test.utils import override_settings

        handler, _app_client = bench_site(emulator)
        cognito_browser = Browser(handler)
        logins(cognito_browser, 1)
        local_browser = Browser(handler)
        get_user_model().objects.create_user("local", password=LOCAL_PASSWORD)
        logins(local_browser, 1, "local", LOCAL_PASSWORD)
        page_views(cognito_browser, 100)
        page_views(local_browser, 100)

        # The same Cognito session through a handler without the middleware: its own share.
        from django.conf import settings

        without = [name for name in settings.MIDDLEWARE if not name.endswith("CognitoSessionMiddleware")]
        with override_settings(MIDDLEWARE=without):
            bare_browser = Browser(WSGIHandler())
        bare_browser.cookies = cognito_browser.cookies
        page_views(bare_browser, 100)

        rounds = 10
        emulator.reset_log()
        per_view = interleaved(
            rounds, max(1, args.views // rounds),
            cognito=lambda count: page_views(cognito_browser, count),
            bare=lambda count: page_views(bare_browser, count),
            local=lambda count: page_views(local_browser, count),
        )
        calls_per_view = len(emulator.calls()) / (2 * max(1, args.views // rounds) * rounds)
        alone = check_us(cognito_browser)

        renewals = []
        for _ in range(args.windows):
            make_due(cognito_browser)
            emulator.reset_log()
            statuses = concurrent_views(cognito_browser, handler)
            if statuses != [200] * CONCURRENT:
                raise SystemExit(f"concurrent page views answered {statuses}")
            renewals.append(sum(1 for call in emulator.calls() if call.get("auth_flow") == "REFRESH_TOKEN_AUTH"))

    added = (per_view["cognito"] - per_view["local"]) * 1e6
    print(f"page views per kind: {args.views}, in {rounds} interleaved rounds (medians)")
    print(f"page view, Cognito session:                {per_view['cognito'] * 1e6:8.0f} us")
    print(f"page view, Django-only session:            {per_view['local'] * 1e6:8.0f} us")
    print(f"  added per signed-in request:             {added:8.1f} us (target <= 50)")
    print(f"  of which the middleware (on vs off):     {(per_view['cognito'] - per_view['bare']) * 1e6:8.1f} us")
    print(f"  the middleware's check alone:            {alone:8.2f} us (no decryption, no query, no call)")
    print(f"Cognito calls per request between renewals: {calls_per_view:7.2f} (target 0)")
    print(f"renewals per expiry window, {CONCURRENT} concurrent: {sum(renewals) / len(renewals):7.2f} "
          f"(target 1; per window: {renewals})")


if __name__ == "__main__":
    main()
