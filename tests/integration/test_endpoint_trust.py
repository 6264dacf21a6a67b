"""Who decides whom the site trusts: where an app client connects, and which pool and
client it is. A loopback capture server stands where a hostile staff user would point it.

Two locks, each tested against the live site and the emulator process:
- an allow-list entry may pin a port, so another port on an allowed host is refused;
- the fields that redirect trust (``models.TRUST_FIELDS`` and the secrets) need the
  ``change_appclient_endpoint`` permission, not just ``change_appclient``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import caches

from cognito_auth.models import AppClient, CognitoIdentity

from .conftest import PASSWORD, Site

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "/admin/cognito_auth/appclient/"
STAFF_PASSWORD = "Staff-pass-4-trust"


def staff_site(live_server, username: str, *codenames: str) -> Site:
    """A Django-only staff user holding exactly these cognito_auth permissions, signed in
    to the admin."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", STAFF_PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="cognito_auth",
                                                         codename__in=codenames))
    admin = Site(live_server.url)
    response = admin.post_form("/admin/login/", {"username": username, "password": STAFF_PASSWORD,
                                                 "next": CHANGELIST})
    assert response.status_code == 302, "the staff user signs in to the admin"
    return admin


def change_form(app_client: AppClient, **changes: str) -> dict[str, str]:
    """What the change form posts, every field present, with ``changes``."""
    data = {
        "name": app_client.name, "region": app_client.region, "user_pool_id": app_client.user_pool_id,
        "client_id": app_client.client_id, "endpoint_url": app_client.endpoint_url, "hosts": app_client.hosts,
        "is_default": "on", "auth_flow": app_client.auth_flow,
    }
    return {**data, **changes}


def trust_state(app_client: AppClient) -> tuple:
    app_client.refresh_from_db()
    return (app_client.region, app_client.user_pool_id, app_client.client_id, app_client.endpoint_url,
            app_client.client_secret, app_client.previous_client_secret)


@pytest.fixture
def loopback_host_allowed(settings):
    """The reviewer's setting: the host without a port, so any loopback port passes the
    allow-list and only the permission stands in the way."""
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1", "localhost"]


@pytest.mark.usefixtures("loopback_host_allowed")
def test_change_appclient_alone_cannot_redirect_trust(site, live_server, alice, app_client_for_pool, capture):
    app_client = app_client_for_pool
    app_client.previous_client_secret = "previous-secret-of-the-rotation"
    app_client.save()
    before = trust_state(app_client)
    admin = staff_site(live_server, "clerk", "view_appclient", "change_appclient")
    url = f"{CHANGELIST}{app_client.pk}/change/"

    page = admin.get(url)
    assert page.status_code == 200
    for field in ("region", "user_pool_id", "client_id", "endpoint_url", "new_client_secret",
                  "clear_client_secret", "new_previous_client_secret", "clear_previous_client_secret"):
        assert f'name="{field}"' not in page.text, f"{field} is editable without the permission"
    assert app_client.endpoint_url in page.text, "the endpoint is shown, read-only"

    hostile = {
        "endpoint_url": f"http://127.0.0.1:{capture.port}",
        "region": "eu-west-1",
        "user_pool_id": "eu-west-1_Attacker1",
        "client_id": "attackerclient1",
        "new_client_secret": "attacker-chosen-secret",
        "clear_client_secret": "on",
        "new_previous_client_secret": "attacker-previous-secret",
        "clear_previous_client_secret": "on",
    }
    for field, value in hostile.items():
        response = admin.post_form(url, change_form(app_client, **{field: value}))
        assert response.status_code == 302, f"posting {field}: the rest of the form still saves"
        assert trust_state(app_client) == before, f"{field} was changed without the permission"
    # What the permission does not cover still changes.
    assert admin.post_form(url, change_form(app_client, name="renamed")).status_code == 302
    app_client.refresh_from_db()
    assert app_client.name == "renamed"

    # Adding or importing a client is choosing where to connect: refused outright.
    assert admin.get(f"{CHANGELIST}add/").status_code == 403
    assert admin.get(f"{CHANGELIST}import/").status_code == 403
    assert "Import from Cognito" not in admin.get(CHANGELIST).text

    assert site.login(alice, PASSWORD).status_code == 302, "sign-in still goes to the emulator"
    capture.stop()
    assert (capture.connections, capture.data) == (0, b"")


@pytest.mark.usefixtures("loopback_host_allowed")
def test_the_endpoint_permission_lets_a_staff_user_change_it(site, live_server, alice, app_client_for_pool,
                                                            capture):
    """The control: the same POST with the permission is applied, and the capture server
    then gets the sign-in. So the test above fails for the permission, not the form."""
    assert Permission.objects.get(codename="change_appclient_endpoint").name == (
        "Can change where an app client connects"
    )
    admin = staff_site(live_server, "operator", "view_appclient", "change_appclient", "change_appclient_endpoint")
    url = f"{CHANGELIST}{app_client_for_pool.pk}/change/"
    assert 'name="endpoint_url"' in admin.get(url).text
    response = admin.post_form(url, change_form(app_client_for_pool, endpoint_url=f"http://127.0.0.1:{capture.port}"))
    assert response.status_code == 302
    app_client_for_pool.refresh_from_db()
    assert app_client_for_pool.endpoint_url == f"http://127.0.0.1:{capture.port}"
    site.login(alice, PASSWORD)
    capture.stop()
    assert b"InitiateAuth" in capture.data


def test_a_pinned_entry_allows_its_port_and_no_other(site, live_server, alice, app_client_for_pool, capture,
                                                     settings):
    emulator = urlsplit(app_client_for_pool.endpoint_url).netloc  # 127.0.0.1:<its port>
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = [emulator]
    assert site.login(alice, PASSWORD).status_code == 302, "the pinned port is allowed"

    # Even with every permission, another port of the same host is a form error.
    get_user_model().objects.create_superuser("root", "root@example.com", STAFF_PASSWORD)
    admin = Site(live_server.url)
    admin.post_form("/admin/login/", {"username": "root", "password": STAFF_PASSWORD, "next": CHANGELIST})
    hostile = f"http://127.0.0.1:{capture.port}"
    url = f"{CHANGELIST}{app_client_for_pool.pk}/change/"
    response = admin.post_form(url, change_form(app_client_for_pool, endpoint_url=hostile))
    assert response.status_code == 200 and re.search(r'class="errorlist[^"]*"', response.text)
    response = admin.post_form(f"{CHANGELIST}import/", {
        "region": app_client_for_pool.region, "user_pool_id": app_client_for_pool.user_pool_id,
        "client_id": app_client_for_pool.client_id, "endpoint_url": hostile, "name": "imported",
    })
    assert response.status_code == 200 and "errorlist" in response.text
    # A row written behind the model's back is refused before any call.
    AppClient.objects.filter(pk=app_client_for_pool.pk).update(endpoint_url=hostile)
    caches["default"].clear()  # update() sends no signal to drop the cached list
    response = Site(site.base_url).login(alice, PASSWORD)
    assert response.status_code == 200 and "temporarily unavailable" in response.text
    capture.stop()
    assert (capture.connections, capture.data) == (0, b"")


def test_a_token_from_another_pool_never_signs_in_a_user_linked_in_this_one(site, cognito_pool_factory):
    """Identities are (pool, sub): a Cognito user of pool B whose sub is linked in pool A
    signs in as a user of its own, and one named as a Django-only staff user is refused."""
    pool_a, pool_b = cognito_pool_factory(), cognito_pool_factory()
    boss = get_user_model().objects.create_user("boss", "boss@example.com", STAFF_PASSWORD, is_staff=True)
    AppClient.objects.create(
        name="pool-b", region=pool_b.region, user_pool_id=pool_b.pool_id, client_id=pool_b.client_id,
        client_secret=pool_b.client_secret, endpoint_url=pool_b.endpoint_url, is_default=True,
    )
    mallory = pool_b.create_user("mallory", PASSWORD, {"email": "mallory@example.com"})
    sub = next(attribute["Value"] for attribute in pool_b.emulator.boto3_admin_client().admin_get_user(
        UserPoolId=pool_b.pool_id, Username=mallory)["UserAttributes"] if attribute["Name"] == "sub")
    # The same sub, linked to boss in pool A.
    CognitoIdentity.objects.create(user=boss, user_pool_id=pool_a.pool_id, sub=sub, cognito_username="mallory")

    assert site.login("mallory", PASSWORD).status_code == 302
    home = site.get("/")
    assert home.status_code == 200 and "mallory" in home.text and "boss" not in home.text
    assert CognitoIdentity.objects.get(user_pool_id=pool_b.pool_id, sub=sub).user.get_username() == "mallory"

    # A pool-B Cognito user named as the Django-only staff user is not that user.
    pool_b.create_user("boss", PASSWORD, {"email": "other-boss@example.com"})
    impostor = Site(site.base_url)
    response = impostor.login("boss", PASSWORD)
    assert response.status_code == 200, "refused: the name belongs to a Django user linked to no one here"
    assert impostor.get("/").status_code == 302
