"""A form body declared in a charset other than UTF-8 (``Content-Type:
application/x-www-form-urlencoded; charset=latin-1``), posted to every page of ours.

Django's CSRF check reads ``request.POST``, which raises ``BadRequest`` for any charset
but UTF-8; Django's 400 handler then reads it again and the answer is a 500, with DEBUG
on or off. ``cognito_auth.form_charset.FormCharsetMiddleware`` answers 400 first.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import PASSWORD, Site

pytestmark = pytest.mark.django_db(transaction=True)

# Refused by Django (and so by the middleware), and one Python does not know, which
# Django ignores (the body is read as UTF-8).
CHARSETS = {"latin-1": 400, "iso-8859-1": 400, "utf-16": 400, "UTF8": 400, "no-such-charset": None}


def our_paths() -> list[str]:
    """Every URL under the cognito_auth namespace, as the example project mounts it, and
    the example project's own pages: found from the URLconf, so new pages are covered."""
    paths: list[str] = []

    def walk(patterns, prefix: str, ours: bool) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route, ours or pattern.namespace == "cognito_auth")
            elif isinstance(pattern, URLPattern) and "<" not in route and (ours or prefix == ""):
                paths.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "", False)
    return paths


@pytest.fixture
def signup_on(settings, app_client_for_pool):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = True


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_an_odd_charset_is_never_a_500(site, signup_on, alice, settings, charset, signed_in, debug):
    settings.DEBUG = debug
    paths = our_paths()
    assert "/accounts/login/" in paths and "/accounts/signup/" in paths and "/" in paths
    visitor = Site(site.base_url)
    if signed_in:
        assert visitor.login(alice, PASSWORD).status_code == 302
    visitor.get("/accounts/login/")
    token = visitor.http.cookies.get("csrftoken", "")
    body = f"csrfmiddlewaretoken={token}&username=caf%E9&password=x&code=1&email=a%40b.example".encode()
    for path in paths:
        response = visitor.http.post(
            visitor.base_url + path, data=body, allow_redirects=False, timeout=30,
            headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}",
                     "Referer": visitor.base_url + path},
        )
        assert response.status_code < 500, f"{path} answered {response.status_code} for charset={charset}"
        if CHARSETS[charset]:
            assert response.status_code == CHARSETS[charset], path
