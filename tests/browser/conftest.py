"""Browser fixtures: Debian's chromium, launched by path through Playwright (nothing is
downloaded), with JavaScript off so every page is shown to work without it.

Every wait is bounded (``STEP_TIMEOUT``): a page that never answers fails the test, it
does not hang the suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from .accessibility import Journey, narrow_copy_page

STEP_TIMEOUT = 10_000  # milliseconds: the longest a click, a fill or a page load may take
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium "
                    "(make test installs it when run as root)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the live server and the
    # database calls of the test itself are ordinary synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site_url(live_server, settings) -> str:
    """Where the journeys walk: pytest-django's live server of the example project.
    Override this fixture to walk them on another server of the same site."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    return live_server.url


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(java_script_enabled=False, base_url=site_url)
    context.set_default_timeout(STEP_TIMEOUT)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def narrow_page(browser):
    """A 320 px wide page with JavaScript, for the accessibility checks' copies."""
    yield from narrow_copy_page(browser)


@pytest.fixture
def journey_prefix() -> str:
    """What the journey's artifact names start with, before the test's name. Override it
    where the same test names walk another server."""
    return ""


@pytest.fixture
def journey(page, narrow_page, request, journey_prefix) -> Journey:
    """``journey.step(name)``: a screenshot of the page, and its accessibility checks
    (tests/browser/accessibility.py)."""
    return Journey(page, narrow_page, journey_prefix + request.node.name)


@pytest.fixture
def screenshot(journey):
    """Save a screenshot of the page as a test artifact, numbered in order of the flow."""
    return journey.screenshot
