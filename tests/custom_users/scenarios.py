"""Sign-in with a custom user model; run by tests/test_custom_user_models.py under
custom_users.settings, one model per process (not collected by the main run)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from in_process import PASSWORD, login

from cognito_auth.models import AppClient, CognitoIdentity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("testserver_allowed")]


def admin_finds(query: str) -> list[CognitoIdentity]:
    """The Cognito identities admin's search (it named user__username and user__email)."""
    model_admin = admin.site._registry[CognitoIdentity]
    found, _ = model_admin.get_search_results(RequestFactory().get("/"), CognitoIdentity.objects.all(), query)
    return list(found)


@pytest.mark.skipif(get_user_model().__name__ != "EmailUser", reason="the email model")
def test_a_model_that_signs_in_by_email(cognito_emulator):
    pool_id = cognito_emulator.create_user_pool("email-pool", UsernameAttributes=["email"])
    client_id, secret = cognito_emulator.create_app_client(pool_id, "site", secret=True)
    internal = cognito_emulator.create_user(pool_id, "zoe@example.com", PASSWORD,
                                            {"email_verified": "true", "given_name": "Zoe"})
    AppClient.objects.create(name="email", region=pool_id.split("_")[0], user_pool_id=pool_id, client_id=client_id,
                             client_secret=secret, endpoint_url=cognito_emulator.endpoint_url, is_default=True)
    assert login("zoe@example.com")[1].status_code == 302
    assert login("zoe@example.com")[1].status_code == 302  # the same user again
    user = get_user_model().objects.get()
    assert (user.email, user.first_name, user.has_usable_password()) == ("zoe@example.com", "Zoe", False)
    assert CognitoIdentity.objects.get().sub == internal
    identity = CognitoIdentity.objects.get()
    assert admin_finds("zoe@") == [identity]


@pytest.mark.skipif(get_user_model().__name__ != "HandleUser", reason="the model without email")
def test_a_model_without_an_email_field(cognito_pool, app_client_for_pool):
    cognito_pool.create_user("hal", PASSWORD, {"email": "hal@example.com", "email_verified": "true"})
    assert login("hal")[1].status_code == 302
    assert login("hal")[1].status_code == 302
    user = get_user_model().objects.get()
    assert user.handle == "hal" and not user.has_usable_password()
    assert [i.user for i in admin_finds("hal")] == [user]


@pytest.mark.skipif(get_user_model().__name__ != "DepartmentUser", reason="the model with a required field")
def test_a_model_with_an_extra_required_field(cognito_emulator, db):
    pool_id = cognito_emulator.create_user_pool(
        "dept-pool", Schema=[{"Name": "department", "AttributeDataType": "String", "Mutable": True}],
    )
    client_id, secret = cognito_emulator.create_app_client(pool_id, "site", secret=True)
    cognito_emulator.create_user(pool_id, "dora", PASSWORD, {"custom:department": "research"})
    AppClient.objects.create(name="dept", region=pool_id.split("_")[0], user_pool_id=pool_id, client_id=client_id,
                             client_secret=secret, endpoint_url=cognito_emulator.endpoint_url, is_default=True)
    assert login("dora")[1].status_code == 302
    user = get_user_model().objects.get()
    assert (user.username, user.department) == ("dora", "research")
    assert user.joined_on is not None  # built by the manager, not the model's constructor
    assert [i.user for i in admin_finds("dora")] == [user]
