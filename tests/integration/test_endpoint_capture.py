"""Hostile endpoint URLs against the live site: a capture server on loopback stands where
the connection would really go, and must receive nothing.

Each URL reads as an allowed host (or as Cognito's own) to ``urllib.parse.urlsplit`` while
urllib3, which botocore connects through, reads the capture server's address. A staff
user who typed one would collect every password typed at sign-in, and with *Import from
Cognito* a request signed with the server's AWS credentials.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cognito_auth.models import AppClient

from .conftest import Site

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "/admin/cognito_auth/appclient/"
ADMIN_PASSWORD = "Admin-pass-4-capture"


@pytest.fixture
def aws_credentials(monkeypatch):
    """Credentials boto3 would sign with, were a signed call ever sent to the capture server."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIACAPTURETEST00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "capture-test-secret-access-key")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def hostile_endpoints(port: int) -> list[tuple[str, list[str]]]:
    """(URL, the allow-list it was meant to slip through)."""
    return [
        # urlsplit: localhost:9400, allowed; urllib3: the capture server.
        (f"http://127.0.0.1:{port}\\@localhost:9400", ["localhost"]),
        (f"http://127.0.0.1:{port}\\@localhost:9400/", ["localhost"]),
        # Cognito's own host after the "@" passes the default, empty allow-list.
        (f"https://127.0.0.1:{port}\\@cognito-idp.us-east-1.amazonaws.com", []),
        (f"https://127.0.0.1:{port}\\\\@cognito-idp.us-east-1.amazonaws.com", []),
    ]


def admin_site(live_server) -> Site:
    get_user_model().objects.create_superuser("capture-admin", "admin@example.com", ADMIN_PASSWORD)
    admin = Site(live_server.url)
    response = admin.post_form("/admin/login/", {"username": "capture-admin", "password": ADMIN_PASSWORD,
                                                 "next": CHANGELIST})
    assert response.status_code == 302, "the Django-only superuser signs in despite the refused endpoint"
    return admin


@pytest.mark.parametrize("case", range(4))
def test_a_hostile_endpoint_sends_nothing_from_any_page(case, site, live_server, cognito_pool, capture, settings,
                                                       aws_credentials):
    url, allowed = hostile_endpoints(capture.port)[case]
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = allowed
    app_client = AppClient.objects.create(
        name="hostile", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id,
        client_id=cognito_pool.client_id, client_secret=cognito_pool.client_secret, is_default=True,
    )
    # As a row stored by an older release, or written behind the model's back.
    AppClient.objects.filter(pk=app_client.pk).update(endpoint_url=url)

    # Sign-ins and a reset request through the live site: refused before any call, no 500.
    for _attempt in range(2):
        response = site.login("victim", "victims-Password-1")
        assert response.status_code == 200 and "temporarily unavailable" in response.text
    assert site.post_form("/accounts/password_reset/", {"username": "victim"}).status_code in (200, 302)
    # The capture server counts a connection before it answers, and each page waited for
    # its calls' answers: a leak so far would already show.
    assert capture.connections == 0, "the sign-in pages connected to the capture server"

    admin = admin_site(live_server)
    # Check connection on the stored row.
    response = admin.post_form(CHANGELIST, {"action": "check_connection", "_selected_action": app_client.pk,
                                            "index": 0})
    assert response.status_code == 302
    assert admin.get(CHANGELIST).status_code == 200
    assert capture.connections == 0, "Check connection connected to the capture server"
    # Typing the URL into the change form and the import form: form errors, nothing saved.
    response = admin.post_form(f"{CHANGELIST}{app_client.pk}/change/", {
        "name": "hostile", "region": cognito_pool.region, "user_pool_id": cognito_pool.pool_id,
        "client_id": cognito_pool.client_id, "endpoint_url": url, "hosts": "", "is_default": "on",
        "auth_flow": "USER_PASSWORD_AUTH",
    })
    assert response.status_code == 200 and "errorlist" in response.text
    response = admin.post_form(f"{CHANGELIST}import/", {
        "region": cognito_pool.region, "user_pool_id": cognito_pool.pool_id, "client_id": cognito_pool.client_id,
        "endpoint_url": url, "name": "imported",
    })
    assert response.status_code == 200 and "errorlist" in response.text
    assert list(AppClient.objects.values_list("name", flat=True)) == ["hostile"]

    capture.stop()
    assert (capture.connections, capture.data) == (0, b"")


def test_the_capture_server_does_see_a_call_sent_to_it(site, cognito_pool, capture, settings):
    """The harness's own check: an allowed endpoint pointing at it gets the sign-in's bytes."""
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1"]
    AppClient.objects.create(
        name="captured", region=cognito_pool.region, user_pool_id=cognito_pool.pool_id,
        client_id=cognito_pool.client_id, client_secret=cognito_pool.client_secret, is_default=True,
        endpoint_url=f"http://127.0.0.1:{capture.port}",
    )
    assert site.login("victim", "victims-Password-1").status_code == 200
    capture.stop()
    assert capture.connections >= 1 and b"InitiateAuth" in capture.data
