"""Static files on the gunicorn stack, as a production site serves them with DEBUG off.

The stack runs ``collectstatic`` into a STATIC_ROOT of its own, and WhiteNoise serves it
from the gunicorn workers (example_project.settings, when STATIC_ROOT is set): names that
carry a hash of the content, far-future caching for those, short caching for the plain
names, gzip for a browser that accepts it, and the security headers every page gets.
"""

from __future__ import annotations

import gzip
import html.parser
import re
from pathlib import Path
from urllib.parse import urljoin

import django
import pytest
import requests
from integration.conftest import Site

from example_project.stack import BASE_DIR, Stack

pytestmark = pytest.mark.stack

ADMIN_STATIC = Path(django.__file__).resolve().parent / "contrib" / "admin" / "static"
APP_STATIC = BASE_DIR / "cognito_auth" / "static"
APP_FILES = sorted(path.relative_to(APP_STATIC).as_posix() for path in APP_STATIC.rglob("*") if path.is_file())
HASHED = re.compile(r"\.[0-9a-f]{12}(?=\.\w+(?:[?#].*)?$)")  # ManifestStaticFilesStorage's name.<hash>.ext
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""")
A_YEAR = 365 * 24 * 3600
CONTENT_TYPES = {
    ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png", ".gif": "image/gif",
    ".woff": "font/woff", ".woff2": "font/woff2",
}


class Assets(html.parser.HTMLParser):
    """The stylesheets and scripts a page loads, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "stylesheet" and attributes.get("href"):
            self.urls.append(attributes["href"] or "")
        elif tag == "script" and attributes.get("src"):
            self.urls.append(attributes["src"] or "")


def assets(page: requests.Response) -> list[str]:
    assert page.status_code == 200, page.status_code
    parser = Assets()
    parser.feed(page.text)
    return parser.urls


def unhashed(url: str) -> str:
    """The file's name in its app's static directory."""
    return HASHED.sub("", url.split("?", 1)[0].removeprefix("/static/"))


def css_without_hashes(css: str) -> str:
    """`css` with each url() as written by hand: no hash, no quotes."""
    return CSS_URL.sub(lambda found: f"url({HASHED.sub('', found.group(2))})", css)


def max_age(response: requests.Response) -> int:
    found = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
    assert found, response.headers
    return int(found.group(1))


def assert_served_for_a_year(stack: Stack, url: str) -> requests.Response:
    """`url` (a page's, hashed) answers 200 with its file's type, cached a year, immutable."""
    assert HASHED.search(url), f"{url} carries no content hash"
    response = requests.get(urljoin(stack.base_url, url), timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Type"].split(";")[0] == CONTENT_TYPES[Path(unhashed(url)).suffix], url
    assert max_age(response) >= A_YEAR and "immutable" in response.headers["Cache-Control"], url
    # After SecurityMiddleware: a static answer gets the headers a page gets.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return response


def test_the_admin_loads_its_css_and_the_images_the_css_names(gunicorn_stack):
    urls = assets(requests.get(gunicorn_stack.base_url + "admin/login/", timeout=30))
    stylesheets = [url for url in urls if url.endswith(".css")]
    assert "admin/css/base.css" in map(unhashed, stylesheets), urls
    images = set()
    for url in stylesheets:
        css = assert_served_for_a_year(gunicorn_stack, url).text
        # Django's own file, its url()s rewritten to the hashed names and nothing else.
        assert css_without_hashes(css) == css_without_hashes((ADMIN_STATIC / unhashed(url)).read_text())
        images |= {urljoin(url, image) for _quote, image in CSS_URL.findall(css)}
    assert any(unhashed(image) == "admin/img/sorting-icons.svg" for image in images), images
    for image in images:
        assert_served_for_a_year(gunicorn_stack, image)


def test_the_signed_in_admin_loads_every_stylesheet_and_script(gunicorn_stack):
    site = Site(gunicorn_stack.base_url.rstrip("/"))
    answer = site.post_form("/admin/login/", {"username": "admin", "password": gunicorn_stack.admin_password,
                                              "next": "/admin/"})
    assert answer.status_code == 302, answer.status_code
    [(pk,)] = gunicorn_stack.sql("SELECT id FROM cognito_auth_appclient WHERE name = 'stack'")
    page = site.get(f"/admin/cognito_auth/appclient/{pk}/change/")
    urls = [url for url in assets(page) if url.startswith("/static/")]  # not the admin's jsi18n view
    assert {"admin/css/forms.css", "admin/js/core.js", "admin/js/jquery.init.js"} <= set(map(unhashed, urls))
    for url in urls:
        body = assert_served_for_a_year(gunicorn_stack, url).content
        if url.endswith(".js"):
            assert body == (ADMIN_STATIC / unhashed(url)).read_bytes(), url


def test_cognito_auths_static_files_under_the_names_its_templates_use(gunicorn_stack):
    urls = gunicorn_stack.shell(
        "from django.templatetags.static import static\nRESULT = [static(name) for name in VALUES['names']]",
        names=APP_FILES,
    )
    assert len(APP_FILES) >= 4, APP_FILES
    for name, url in zip(APP_FILES, urls, strict=True):
        assert unhashed(url) == name
        assert assert_served_for_a_year(gunicorn_stack, url).content == (APP_STATIC / name).read_bytes()


def offer_sign_in(stack: Stack, auth_flow: str, methods: str) -> list[str]:
    """Make the stack's app client sign in with `auth_flow` offering `methods`; what it had."""
    return stack.shell(
        """
from cognito_auth.models import AppClient
client = AppClient.objects.get(name="stack")
RESULT = [client.auth_flow, client.sign_in_methods]
client.auth_flow, client.sign_in_methods = VALUES["auth_flow"], VALUES["methods"]
client.save()
""",
        auth_flow=auth_flow, methods=methods,
    )


def test_the_login_page_with_passkeys_loads_its_scripts(gunicorn_stack):
    before = offer_sign_in(gunicorn_stack, "USER_AUTH", "PASSWORD WEB_AUTHN")
    try:
        urls = assets(requests.get(gunicorn_stack.base_url + "accounts/login/", timeout=30))
    finally:
        offer_sign_in(gunicorn_stack, *before)
    assert [unhashed(url) for url in urls] == ["cognito_auth/webauthn_json.js", "cognito_auth/passkey_sign_in.js"]
    for url in urls:
        assert_served_for_a_year(gunicorn_stack, url)


def test_plain_names_are_served_but_cached_briefly_and_gzip_when_accepted(gunicorn_stack):
    # A plain name's content changes with a deploy: a browser must not keep it for a year.
    plain = requests.get(gunicorn_stack.base_url + "static/admin/css/base.css", timeout=30,
                         headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["Content-Type"].split(";")[0] == "text/css"
    assert max_age(plain) <= 3600 and "immutable" not in plain.headers["Cache-Control"]
    assert "Content-Encoding" not in plain.headers
    assert plain.text == (ADMIN_STATIC / "admin/css/base.css").read_text()
    compressed = requests.get(gunicorn_stack.base_url + "static/admin/css/base.css", timeout=30, stream=True,
                              headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    raw = compressed.raw.read(decode_content=False)
    assert len(raw) < len(plain.content) and gzip.decompress(raw) == plain.content


def test_a_missing_static_file_is_a_404(gunicorn_stack):
    assert requests.get(gunicorn_stack.base_url + "static/admin/css/missing.css", timeout=30).status_code == 404


def test_the_static_root_is_the_runs_own_and_goes_with_it(postgres_server, redis_server):
    with Stack(workers=1) as stack:
        root = stack.static_root
        assert root is not None and (root / "staticfiles.json").is_file()
        assert not root.is_relative_to(BASE_DIR)  # nothing lands in the repository
        assert stack.shell("from django.conf import settings\nRESULT = settings.STATIC_ROOT") == str(root)
    assert stack.static_root is None and not root.exists()
