"""The admin: the Check connection action, Import from Cognito, the previous secret's
write-only fields, and the last failure, through Django's test client."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from cognito_auth.models import AppClient

CHANGELIST = "/admin/cognito_auth/appclient/"
IMPORT = "/admin/cognito_auth/appclient/import/"


def change_url(app_client: AppClient) -> str:
    return f"{CHANGELIST}{app_client.pk}/change/"


def shown_messages(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in response.context["messages"]]


def check_connection(admin_client, *app_clients: AppClient):
    return admin_client.post(
        CHANGELIST, {"action": "check_connection", "_selected_action": [c.pk for c in app_clients]}, follow=True,
    )


def test_check_connection_shows_each_result_at_its_level(admin_client, stored_client, cognito_pool):
    good = stored_client(name="good")
    bad = stored_client(name="bad", client_secret="wrong-secret-0123456789abcdef")
    response = check_connection(admin_client, good, bad)
    shown = shown_messages(response)
    assert (messages.SUCCESS, "good · secret: Cognito expects a SECRET_HASH and accepts the one made with the "
                              "stored client secret.") in shown
    bad_secret = [text for level, text in shown if text.startswith("bad · secret:")]
    assert len(bad_secret) == 1 and "Fix: Copy the secret again" in bad_secret[0]
    assert (messages.ERROR, bad_secret[0]) in shown
    assert any(level == messages.WARNING and text.startswith("good · aws_client:") for level, text in shown)
    page = response.content.decode()
    assert cognito_pool.client_secret not in page and "wrong-secret-0123456789abcdef" not in page


def test_the_changelist_links_to_the_import_page(admin_client, db):
    assert f'href="{IMPORT}"' in admin_client.get(CHANGELIST).content.decode()


def test_import_without_credentials_says_so_and_stores_nothing(admin_client, cognito_pool):
    response = admin_client.post(IMPORT, import_form(cognito_pool))
    assert response.status_code == 200
    assert "no AWS credentials" in response.content.decode()
    assert not AppClient.objects.exists()


def import_form(cognito_pool, **changes) -> dict:
    return {
        "region": cognito_pool.region, "user_pool_id": cognito_pool.pool_id, "client_id": cognito_pool.client_id,
        "endpoint_url": cognito_pool.endpoint_url, "name": "", **changes,
    }


def test_import_stores_cognitos_secret_and_never_shows_it(admin_client, cognito_pool, aws_credentials):
    response = admin_client.post(IMPORT, import_form(cognito_pool), follow=True)
    imported = AppClient.objects.get()
    assert (imported.name, imported.client_id) == ("pytest-app-client", cognito_pool.client_id)
    assert imported.client_secret == cognito_pool.client_secret
    assert response.redirect_chain[-1][0] == change_url(imported)
    assert any("Imported app client pytest-app-client" in text for _, text in shown_messages(response))
    assert cognito_pool.client_secret not in response.content.decode()


def test_import_updates_a_stored_client_and_keeps_the_replaced_secret(admin_client, stored_client, cognito_pool,
                                                                        aws_credentials):
    stale = stored_client(name="shop", client_secret="stalesecret0123456789abcdef")
    response = admin_client.post(IMPORT, import_form(cognito_pool), follow=True)
    stale.refresh_from_db()
    assert stale.name == "shop"
    assert (stale.client_secret, stale.previous_client_secret) == (cognito_pool.client_secret,
                                                                   "stalesecret0123456789abcdef")
    assert any("kept as the previous secret" in text for _, text in shown_messages(response))


def test_import_of_an_unknown_client_is_a_form_error(admin_client, cognito_pool, aws_credentials):
    response = admin_client.post(IMPORT, import_form(cognito_pool, client_id="nosuchclient0123"))
    assert response.status_code == 200
    assert "has no app client nosuchclient0123" in response.content.decode()
    assert not AppClient.objects.exists()


def test_import_needs_add_and_change_permission(client, db):
    staff = get_user_model().objects.create_user("viewer", password="Viewer-pass-1", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_appclient"))
    client.force_login(staff)
    assert client.get(IMPORT).status_code == 403


def test_a_new_secret_keeps_the_old_one_as_previous_until_removed(admin_client, stored_client):
    app_client = stored_client(client_secret="oldsecret0123456789abcdefgh")
    post_change(admin_client, app_client, new_client_secret="newsecret0123456789abcdefgh")
    app_client.refresh_from_db()
    assert (app_client.client_secret, app_client.previous_client_secret) == (
        "newsecret0123456789abcdefgh", "oldsecret0123456789abcdefgh")
    page = admin_client.get(change_url(app_client)).content.decode()
    assert "oldsecret0123456789abcdefgh" not in page and "newsecret0123456789abcdefgh" not in page
    assert app_client.encrypted_previous_client_secret not in page
    assert "a rotation is under way" in page and 'name="new_previous_client_secret"' in page

    post_change(admin_client, app_client, clear_previous_client_secret="on")
    app_client.refresh_from_db()
    assert (app_client.client_secret, app_client.has_previous_secret) == ("newsecret0123456789abcdefgh", False)


def test_the_previous_secret_can_be_entered_and_goes_with_the_secret(admin_client, stored_client):
    app_client = stored_client(client_secret="oldsecret0123456789abcdefgh")
    post_change(admin_client, app_client, new_previous_client_secret="incoming0123456789abcdefgh")
    app_client.refresh_from_db()
    assert app_client.previous_client_secret == "incoming0123456789abcdefgh"
    post_change(admin_client, app_client, clear_client_secret="on")
    app_client.refresh_from_db()
    assert not app_client.has_secret and not app_client.has_previous_secret


def post_change(admin_client, app_client: AppClient, **changes) -> None:
    data = {
        "name": app_client.name, "region": app_client.region, "user_pool_id": app_client.user_pool_id,
        "client_id": app_client.client_id, "endpoint_url": app_client.endpoint_url, "hosts": app_client.hosts,
        "auth_flow": app_client.auth_flow,
        **changes,
    }
    response = admin_client.post(change_url(app_client), data)
    assert response.status_code == 302, response.content.decode()


def test_the_last_failure_shows_in_the_list_and_on_the_change_page(admin_client, stored_client):
    app_client = stored_client()
    app_client.record_failure("SecretHashError (mismatch) on initiate_auth: check the secret")
    assert app_client.last_failure_at <= timezone.now()
    listing = admin_client.get(CHANGELIST).content.decode()
    assert "column-last_failure_at" in listing
    page = admin_client.get(change_url(app_client)).content.decode()
    assert "SecretHashError (mismatch) on initiate_auth: check the secret" in page
    assert 'name="last_failure_reason"' not in page  # read-only


def test_import_after_a_secret_key_change_drops_the_unreadable_previous_secret(
    admin_client, stored_client, cognito_pool, aws_credentials, settings,
):
    """Both secrets were saved under a SECRET_KEY since replaced (no fallback). Import
    brings Cognito's secret; the previous secret nobody can read must go, or every call
    fails on it and sign-ins never recover."""
    import pytest

    from cognito_auth.client import CognitoClient
    from cognito_auth.encryption import UndecryptableSecret

    cognito_pool.create_user("alice", "Correct-Horse-7-battery", {"email": "alice@example.com"})
    current = settings.SECRET_KEY
    settings.SECRET_KEY = "the-key-before-the-change-" + "k" * 40
    stale = stored_client(name="shop", client_secret="stalesecret0123456789abcdef",
                          previous_client_secret="oldersecret0123456789abcdef")
    settings.SECRET_KEY = current
    stale.refresh_from_db()
    with pytest.raises(UndecryptableSecret):
        stale.previous_client_secret  # noqa: B018 - reading is the check

    response = admin_client.post(IMPORT, import_form(cognito_pool), follow=True)
    assert response.status_code == 200
    stale.refresh_from_db()
    assert stale.client_secret == cognito_pool.client_secret
    assert not stale.has_previous_secret
    assert not any("kept as the previous secret" in text for _, text in shown_messages(response))
    result = CognitoClient(stale).initiate_password_auth("alice", "Correct-Horse-7-battery")
    assert result.access_token
