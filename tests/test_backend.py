"""CognitoBackend against the strict emulator, through Django's test client (in process)."""

from __future__ import annotations

import logging

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from django.contrib.auth import get_user_model
from django.test import Client
from in_process import PASSWORD, login

from cognito_auth.client import secret_hash
from cognito_auth.models import AppClient, CognitoIdentity
from cognito_auth.sessions import SessionTokens

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("testserver_allowed")]


def public_api(pool) -> object:
    return boto3.client("cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url,
                        config=Config(signature_version=UNSIGNED))


def test_session_keeps_tokens_for_the_internal_username(cognito_pool, app_client_for_pool):
    cognito_pool.create_user("alice", PASSWORD)
    client, response = login("alice")
    assert response.status_code == 302
    tokens = SessionTokens.load(client.session)
    assert tokens is not None and tokens.is_fresh
    assert tokens.cognito_username == "alice" and tokens.app_client_pk == app_client_for_pool.pk
    assert tokens.refresh_token and tokens.access_token.count(".") == 2


def test_email_as_username_pool_links_by_sub(cognito_emulator, db):
    pool_id = cognito_emulator.create_user_pool("email-pool", UsernameAttributes=["email"])
    client_id, secret = cognito_emulator.create_app_client(pool_id, "site", secret=True)
    internal = cognito_emulator.create_user(pool_id, "zoe@example.com", PASSWORD)
    AppClient.objects.create(name="email", region=pool_id.split("_")[0], user_pool_id=pool_id, client_id=client_id,
                             client_secret=secret, endpoint_url=cognito_emulator.endpoint_url, is_default=True)
    client, response = login("zoe@example.com")
    assert response.status_code == 302
    identity = CognitoIdentity.objects.get()
    assert identity.cognito_username == internal == identity.sub  # the sub, not the alias typed
    assert identity.user.username == internal
    assert SessionTokens.load(client.session).cognito_username == internal


def test_temporary_password_goes_to_the_new_password_step(cognito_pool, cognito_emulator, app_client_for_pool):
    cognito_emulator.boto3_admin_client().admin_create_user(
        UserPoolId=cognito_pool.pool_id, Username="newbie", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
    )
    client, response = login("newbie")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/new_password/")
    assert not get_user_model().objects.filter(username="newbie").exists()
    assert "_auth_user_id" not in client.session  # nobody is signed in before the step


def test_unconfirmed_user_gets_the_common_failure_with_the_way_to_confirm(cognito_pool, app_client_for_pool):
    public_api(cognito_pool).sign_up(
        ClientId=cognito_pool.client_id, Username="fresh", Password=PASSWORD,
        SecretHash=secret_hash("fresh", cognito_pool.client_id, cognito_pool.client_secret),
        UserAttributes=[{"Name": "email", "Value": "fresh@example.com"}],
    )
    client, response = login("fresh")
    # Cognito says "not confirmed" whatever the password: a redirect would tell anyone
    # that the name exists. Every failure offers the confirm page instead.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert 'href="/accounts/signup/confirm/"' in page
    assert "_auth_user_id" not in client.session


def test_existing_django_user_is_never_taken_over(cognito_pool, app_client_for_pool, caplog):
    local = get_user_model().objects.create_user("alice", password="Local-only-1")
    cognito_pool.create_user("alice", PASSWORD)
    with caplog.at_level(logging.WARNING, logger="cognito_auth"):
        client, response = login("alice")
    assert response.status_code == 200
    page = response.content.decode()  # tells nobody that a Django "alice" exists
    assert "Please enter a correct username and password" in page and "cannot be signed in" not in page
    assert "_auth_user_id" not in client.session
    assert not CognitoIdentity.objects.exists()
    assert "exists and is not linked" in caplog.text
    # The local account still signs in with its own password.
    assert login("alice", "Local-only-1")[1].status_code == 302
    local.refresh_from_db()
    assert local.check_password("Local-only-1")


def test_linked_inactive_user_cannot_sign_in(cognito_pool, app_client_for_pool):
    cognito_pool.create_user("bob", PASSWORD)
    assert login("bob")[1].status_code == 302
    get_user_model().objects.filter(username="bob").update(is_active=False)
    _, response = login("bob")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_unverified_email_is_not_copied(cognito_pool, app_client_for_pool):
    cognito_pool.create_user("mallory", PASSWORD, {"email": "ceo@example.com", "email_verified": "false"})
    assert login("mallory")[1].status_code == 302
    assert get_user_model().objects.get(username="mallory").email == ""


def test_no_app_client_leaves_it_to_model_backend(db):
    get_user_model().objects.create_user("local", password="Local-only-1")
    assert login("local", "Local-only-1")[1].status_code == 302
    _, response = login("someone", PASSWORD)
    assert "Please enter a correct username and password" in response.content.decode()


def test_required_password_reset_is_explained(cognito_pool, cognito_emulator, app_client_for_pool):
    cognito_pool.create_user("pat", PASSWORD, {"email": "pat@example.com"})
    cognito_emulator.boto3_admin_client().admin_reset_user_password(UserPoolId=cognito_pool.pool_id, Username="pat")
    client, response = login("pat")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/confirm/"
    page = client.get(response["Location"]).content.decode()
    assert "set a new password before you can sign in" in page
    assert 'name="username"' not in page and "pat" in page  # the name is filled in
    assert not get_user_model().objects.filter(username="pat").exists()


def test_nothing_secret_reaches_any_log_even_at_debug(cognito_pool, app_client_for_pool, caplog):
    cognito_pool.create_user("dana", PASSWORD)
    with caplog.at_level(logging.DEBUG):
        client, response = login("dana")
        assert response.status_code == 302
    tokens = SessionTokens.load(client.session)
    hashed = secret_hash("dana", cognito_pool.client_id, cognito_pool.client_secret)
    assert "withheld by cognito_auth" in caplog.text  # botocore did log, without bodies
    for value in (PASSWORD, hashed, cognito_pool.client_secret, tokens.access_token, tokens.refresh_token):
        assert value not in caplog.text


def test_unreadable_secret_is_a_logged_configuration_error_not_a_crash(cognito_pool, app_client_for_pool, settings,
                                                                      caplog):
    cognito_pool.create_user("erin", PASSWORD)
    get_user_model().objects.create_superuser("root", "root@example.com", "Local-only-pass-1")
    settings.SECRET_KEY = "a-rotated-key-without-fallbacks-" + "k" * 30  # the stored secret is now unreadable
    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        _, response = login("erin")
    assert response.status_code == 200
    assert "Sign-in is temporarily unavailable" in response.content.decode()
    assert "SecretUnreadable" in caplog.text and "SECRET_KEY_FALLBACKS" in caplog.text
    assert login("root", "Local-only-pass-1")[1].status_code == 302  # the admin can still get in to fix it


def test_a_unique_email_held_by_another_user_is_left_alone(cognito_pool, app_client_for_pool, monkeypatch, caplog):
    # As with a custom user model whose email is unique.
    email = get_user_model()._meta.get_field("email")
    monkeypatch.setattr(email, "_unique", True)  # Django 4.2: `unique` is a property over it
    monkeypatch.setitem(email.__dict__, "unique", True)  # Django 5: a cached_property
    get_user_model().objects.create_user("owner", email="shared@example.com", password="Local-only-1")
    cognito_pool.create_user("newbie", PASSWORD, {"email": "shared@example.com", "email_verified": "true"})
    with caplog.at_level(logging.WARNING, logger="cognito_auth"):
        assert login("newbie")[1].status_code == 302
    assert get_user_model().objects.get(username="newbie").email == ""
    assert "another Django user already has that value" in caplog.text


def sign_up_in_cognito(pool, username: str, password: str = PASSWORD) -> None:
    """Anyone may do this through any client of a pool that allows sign-up."""
    public_api(pool).sign_up(
        ClientId=pool.client_id, Username=username, Password=password,
        SecretHash=secret_hash(username, pool.client_id, pool.client_secret),
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )


def test_an_unconfirmed_cognito_namesake_never_locks_out_the_django_superuser(cognito_pool, app_client_for_pool):
    get_user_model().objects.create_superuser("admin", "admin@example.com", "Local-only-pass-1")
    sign_up_in_cognito(cognito_pool, "admin")  # never confirmed
    client, response = login("admin", "Local-only-pass-1")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username="admin").pk)
    assert client.get("/admin/").status_code == 200
    # Without the Django password: the failure anyone gets, which tells nothing of the
    # unconfirmed Cognito account (Cognito says "not confirmed" whatever the password).
    _, response = login("admin", "Not-the-right-one-1")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.parametrize(("code", "message"), [
    ("UserNotConfirmedException", "User is not confirmed."),
    ("PasswordResetRequiredException", "Password reset required for the user"),
])
def test_no_cognito_refusal_stops_model_backend(cognito_pool, cognito_emulator, app_client_for_pool, code, message):
    get_user_model().objects.create_user("ops", password="Local-only-pass-1")
    cognito_emulator.fail_next("InitiateAuth", cognito_pool.client_id, code, message)
    client, response = login("ops", "Local-only-pass-1")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_full_width_look_alike_of_a_django_username_is_a_conflict(cognito_pool, app_client_for_pool, caplog):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "Local-only-pass-1")
    look_alike = "\uff41\uff44\uff4d\uff49\uff4e"  # "admin" in full-width letters; NFKC makes it "admin"
    cognito_pool.create_user(look_alike, PASSWORD)
    with caplog.at_level(logging.WARNING, logger="cognito_auth"):
        client, response = login(look_alike)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert list(get_user_model().objects.all()) == [admin]
    assert not CognitoIdentity.objects.exists()
    assert "is not linked to this Cognito user" in caplog.text


def test_a_name_differing_only_in_case_is_a_conflict(cognito_pool, app_client_for_pool):
    get_user_model().objects.create_user("Admin", password="Local-only-pass-1")
    cognito_pool.create_user("admin", PASSWORD)
    assert login("admin")[1].status_code == 200
    assert get_user_model().objects.count() == 1


def test_a_returning_users_sign_in_makes_only_the_queries_it_needs(cognito_pool, app_client_for_pool,
                                                                    django_assert_num_queries):
    cognito_pool.create_user("regular", PASSWORD)
    assert login("regular")[1].status_code == 302  # the first sign-in creates and links the user
    browser = Client()
    with django_assert_num_queries(0):  # the app client list comes from the cache
        assert browser.get("/accounts/login/").status_code == 200
    # One query of ours finds the user and reads its link (pool, sub, internal username) in
    # one join; the other 8 are Django's login(): the new session key's check, its INSERT
    # in a savepoint (3), last_login, the session's UPDATE in a savepoint (3).
    with django_assert_num_queries(9) as captured:
        response = browser.post("/accounts/login/", {"username": "regular", "password": PASSWORD})
    assert response.status_code == 302
    ours = [query["sql"] for query in captured.captured_queries if "cognito_auth_" in query["sql"]]
    assert len(ours) == 1 and "JOIN" in ours[0]


def test_a_link_holding_an_old_internal_username_is_brought_up_to_date(cognito_pool, app_client_for_pool):
    cognito_pool.create_user("renamed", PASSWORD)
    assert login("renamed")[1].status_code == 302
    CognitoIdentity.objects.update(cognito_username="before-the-rename")
    assert login("renamed")[1].status_code == 302
    assert CognitoIdentity.objects.get().cognito_username == "renamed"
