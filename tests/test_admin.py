"""The admin: a write-only secret field that never renders a stored secret."""

import pytest

from cognito_auth.models import AppClient

pytestmark = pytest.mark.django_db
PLAIN = "7n3kq9m2p5r8t1w4y6z0abcdefghijklmnopqrstuvwx"


def change_url(client: AppClient) -> str:
    return f"/admin/cognito_auth/appclient/{client.pk}/change/"


def form_data(client: AppClient, **changes) -> dict:
    data = {
        "name": client.name,
        "region": client.region,
        "user_pool_id": client.user_pool_id,
        "client_id": client.client_id,
        "endpoint_url": client.endpoint_url,
        "hosts": client.hosts, "auth_flow": client.auth_flow,
        "new_client_secret": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_change_and_list_pages_never_render_the_secret(admin_client, app_client_factory):
    client = app_client_factory(client_secret=PLAIN)
    for url in (change_url(client), "/admin/cognito_auth/appclient/"):
        page = admin_client.get(url).content.decode()
        assert PLAIN not in page
        assert client.encrypted_client_secret not in page
    page = admin_client.get(change_url(client)).content.decode()
    assert "Set" in page and 'name="new_client_secret"' in page
    assert 'name="encrypted_client_secret"' not in page


def test_blank_secret_keeps_the_stored_one(admin_client, app_client_factory):
    client = app_client_factory(client_secret=PLAIN)
    response = admin_client.post(change_url(client), form_data(client, name="renamed"))
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.client_secret) == ("renamed", PLAIN)


def test_new_secret_replaces_and_clear_removes(admin_client, app_client_factory):
    client = app_client_factory(client_secret=PLAIN)
    admin_client.post(change_url(client), form_data(client, new_client_secret="brand-new-secret"))
    client.refresh_from_db()
    assert client.client_secret == "brand-new-secret"
    admin_client.post(change_url(client), form_data(client, clear_client_secret="on"))
    client.refresh_from_db()
    assert not client.has_secret


def test_both_new_and_clear_is_a_form_error_and_changes_nothing(admin_client, app_client_factory):
    client = app_client_factory(client_secret=PLAIN)
    response = admin_client.post(
        change_url(client), form_data(client, new_client_secret="other", clear_client_secret="on")
    )
    assert response.status_code == 200
    assert "Either enter a new secret or remove it" in response.content.decode()
    client.refresh_from_db()
    assert client.client_secret == PLAIN


def test_rejected_form_does_not_echo_the_typed_secret(admin_client, app_client_factory):
    client = app_client_factory(client_secret=PLAIN)
    typed = "typed-secret-that-must-not-come-back"
    response = admin_client.post(change_url(client), form_data(client, region="not a region", new_client_secret=typed))
    assert response.status_code == 200
    assert typed not in response.content.decode()


def test_add_client_through_the_admin(admin_client):
    response = admin_client.post(
        "/admin/cognito_auth/appclient/add/",
        {
            "name": "shop", "region": "eu-west-1", "user_pool_id": "eu-west-1_Abc123",
            "client_id": "abc123", "new_client_secret": PLAIN, "is_default": "on", "hosts": "",
            "auth_flow": "USER_PASSWORD_AUTH",
            "endpoint_url": "",
        },
    )
    assert response.status_code == 302
    client = AppClient.objects.get(name="shop")
    assert client.client_secret == PLAIN and client.is_default


def test_ticking_default_on_another_client_saves_and_clears_the_old_default(admin_client, app_client_factory):
    old = app_client_factory(name="old", is_default=True)
    new = app_client_factory(name="new")
    response = admin_client.post(change_url(new), form_data(new, is_default="on"))
    assert response.status_code == 302, response.content.decode()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_default, new.is_default) == (False, True)
    # The add page too: a new client may take over as the default.
    response = admin_client.post("/admin/cognito_auth/appclient/add/", {
        "name": "newest", "region": "us-east-1", "user_pool_id": "us-east-1_Example", "client_id": "newest1",
        "is_default": "on", "hosts": "", "auth_flow": "USER_PASSWORD_AUTH", "endpoint_url": "",
    })
    assert response.status_code == 302, response.content.decode()
    assert list(AppClient.objects.filter(is_default=True).values_list("name", flat=True)) == ["newest"]


# Linking identities ------------------------------------------------------------------------


@pytest.fixture
def identity_clerk(client, django_user_model):
    """A staff user with every permission on Cognito identities, and none on users."""
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="clerk-pass-1234", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="cognito_auth",
                                                         content_type__model="cognitoidentity"))
    client.force_login(clerk)
    return clerk


def test_identity_permissions_alone_cannot_link_anyone_to_a_superuser(client, identity_clerk, django_user_model):
    from cognito_auth.models import CognitoIdentity

    root = django_user_model.objects.create_superuser("root", "root@example.com", "root-pass-1234")
    mine = CognitoIdentity.objects.create(user=identity_clerk, user_pool_id="eu-west-1_Pool", sub="sub-of-clerk",
                                          cognito_username="clerk")
    add = client.post("/admin/cognito_auth/cognitoidentity/add/", {
        "user": root.pk, "user_pool_id": "eu-west-1_Pool", "sub": "attacker-sub", "cognito_username": "attacker",
    })
    assert add.status_code == 403
    client.post(f"/admin/cognito_auth/cognitoidentity/{mine.pk}/change/", {
        "user": root.pk, "user_pool_id": "eu-west-1_Pool", "sub": "sub-of-clerk", "cognito_username": "clerk",
    })
    client.post(f"/admin/cognito_auth/cognitoidentity/{mine.pk}/change/", {
        "user": identity_clerk.pk, "user_pool_id": "eu-west-1_Pool", "sub": "sub-of-clerk",
        "cognito_username": "someone-else",  # whose sessions a reset would end, where no sub is known
    })
    mine.refresh_from_db()
    assert (mine.user_id, mine.cognito_username) == (identity_clerk.pk, "clerk")
    assert not CognitoIdentity.objects.filter(user=root).exists()
    assert client.get("/admin/cognito_auth/cognitoidentity/").status_code == 200  # still listed


def test_the_user_change_permission_allows_linking(client, identity_clerk, django_user_model):
    from django.contrib.auth.models import Permission

    from cognito_auth.models import CognitoIdentity

    identity_clerk.user_permissions.add(Permission.objects.get(codename="change_user", content_type__app_label="auth"))
    someone = django_user_model.objects.create_user("someone")
    add = client.post("/admin/cognito_auth/cognitoidentity/add/", {
        "user": someone.pk, "user_pool_id": "eu-west-1_Pool", "sub": "their-sub", "cognito_username": "someone",
    })
    assert add.status_code == 302
    assert CognitoIdentity.objects.get(sub="their-sub").user_id == someone.pk
