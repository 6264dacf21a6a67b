"""CognitoBackend's public hooks, each through a subclass, against the emulator."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cognito_auth.backends import CognitoBackend
from cognito_auth.models import CognitoIdentity

PASSWORD = "Correct-Horse-7-battery"
pytestmark = pytest.mark.django_db
calls: list[tuple] = []


class StaffGroupOnly(CognitoBackend):
    def verify_claims(self, claims, app_client):
        return "staff" in claims.get("cognito:groups", [])


class Recording(CognitoBackend):
    def create_user(self, request, claims, app_client):
        user = super().create_user(request, claims, app_client)
        user.is_staff = True  # say, everyone from this pool runs the site
        user.save(update_fields=["is_staff"])
        calls.append(("create_user", user.username, app_client.name))
        return user

    def update_user(self, user, claims):
        calls.append(("update_user", user.username))
        return super().update_user(user, claims)

    def configure_user(self, request, user, created=True, claims=None):
        calls.append(("configure_user", user.username, created))
        return user


class ByEmployeeNumber(CognitoBackend):
    """An adopter whose Django users are keyed by an attribute Cognito carries."""

    def filter_users_by_claims(self, claims, app_client):
        return get_user_model().objects.filter(last_name=claims.get("custom:employee", "-"))


class LinkByEmail(CognitoBackend):
    link_by_verified_email = True


def use(settings, backend: type) -> None:
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.{backend.__name__}", "django.contrib.auth.backends.ModelBackend"]


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    calls.clear()


def login(username: str, password: str = PASSWORD):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response, "_auth_user_id" in client.session


def test_verify_claims_admits_one_group(settings, cognito_pool, cognito_emulator, app_client_for_pool, caplog):
    use(settings, StaffGroupOnly)
    admin_api = cognito_emulator.boto3_admin_client()
    admin_api.create_group(GroupName="staff", UserPoolId=cognito_pool.pool_id)
    cognito_pool.create_user("insider", PASSWORD)
    cognito_pool.create_user("outsider", PASSWORD)
    admin_api.admin_add_user_to_group(UserPoolId=cognito_pool.pool_id, Username="insider", GroupName="staff")
    assert login("insider")[1]
    with caplog.at_level(logging.INFO, logger="cognito_auth"):
        response, signed_in = login("outsider")
    assert not signed_in and "Please enter a correct username and password" in response.content.decode()
    assert "verify_claims refused" in caplog.text
    assert not get_user_model().objects.filter(username="outsider").exists()  # refused before any user is made


def test_create_update_and_configure_user_are_called_in_order(settings, cognito_pool, app_client_for_pool):
    use(settings, Recording)
    cognito_pool.create_user("newbie", PASSWORD, {"given_name": "New"})
    assert login("newbie")[1] and login("newbie")[1]
    assert calls == [
        ("create_user", "newbie", app_client_for_pool.name), ("configure_user", "newbie", True),
        ("update_user", "newbie"), ("configure_user", "newbie", False),
    ]
    user = get_user_model().objects.get(username="newbie")
    assert user.is_staff and user.first_name == "New" and not user.has_usable_password()


def test_filter_users_by_claims_finds_and_links_the_adopters_user(settings, cognito_pool, cognito_emulator,
                                                                 app_client_for_pool):
    use(settings, ByEmployeeNumber)
    cognito_emulator.boto3_admin_client().add_custom_attributes(
        UserPoolId=cognito_pool.pool_id, CustomAttributes=[{"Name": "employee", "AttributeDataType": "String"}],
    )
    mine = get_user_model().objects.create_user("jsmith", last_name="E-1001", password="Local-only-pass-1")
    cognito_pool.create_user("john", PASSWORD, {"custom:employee": "E-1001"})
    assert login("john")[1]
    identity = CognitoIdentity.objects.get()
    assert (identity.user, identity.cognito_username) == (mine, "john")
    assert get_user_model().objects.count() == 1


def test_linking_by_email_is_off_by_default(cognito_pool, app_client_for_pool, caplog):
    get_user_model().objects.create_user("boss", email="boss@example.com", password="Local-only-pass-1")
    cognito_pool.create_user("intruder", PASSWORD, {"email": "boss@example.com", "email_verified": "true"})
    assert login("intruder")[1]
    assert CognitoIdentity.objects.get().user.username == "intruder"  # a new user, not "boss"


def test_linking_by_verified_email_when_turned_on(settings, cognito_pool, app_client_for_pool):
    use(settings, LinkByEmail)
    model = get_user_model()
    member = model.objects.create_user("member", email="Member@example.com", password="Local-only-pass-1")
    model.objects.create_superuser("root", email="root@example.com", password="Local-only-pass-1")
    cognito_pool.create_user("m", PASSWORD, {"email": "member@example.com", "email_verified": "true"})
    cognito_pool.create_user("unverified", PASSWORD, {"email": "member@example.com", "email_verified": "false"})
    cognito_pool.create_user("r", PASSWORD, {"email": "root@example.com", "email_verified": "true"})
    assert login("m")[1]
    assert CognitoIdentity.objects.get(cognito_username="m").user == member
    assert login("unverified")[1]  # an unverified email links nothing: a user of its own
    assert CognitoIdentity.objects.get(cognito_username="unverified").user.username == "unverified"
    assert login("r")[1]  # a superuser is never linked by email
    assert CognitoIdentity.objects.get(cognito_username="r").user.username == "r"

