"""Cognito groups in Django (issue 10 §4): CognitoBackend.sync_groups through the backend's
own linking path (user_for_claims: first sign-in, later sign-ins; update_user: renewal),
driven by COGNITO_AUTH_MIRROR_GROUPS, COGNITO_AUTH_STAFF_GROUPS and
COGNITO_AUTH_SUPERUSER_GROUPS."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from cognito_auth.backends import CognitoBackend
from cognito_auth.models import AppClient

pytestmark = pytest.mark.django_db
SUB = "11111111-2222-3333-4444-555555555555"
APP_CLIENT = AppClient(name="groups", region="eu-west-1", user_pool_id="eu-west-1_Groups", client_id="groupsclient")


def sign_in(*groups: str, sub: str = SUB, username: str = "alice"):
    """The linked user after a sign-in whose ID token lists ``groups``."""
    claims = {"sub": sub, "cognito:username": username, "token_use": "id"}
    if groups:
        claims["cognito:groups"] = list(groups)
    user = CognitoBackend().user_for_claims(None, claims, APP_CLIENT)
    user.refresh_from_db()
    return user


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_off_by_default_nothing_follows_the_groups():
    user = sign_in("staff", "editors")
    assert (user.is_staff, user.is_superuser, group_names(user)) == (False, False, set())
    assert not Group.objects.exists()


def test_named_groups_are_mirrored_and_others_left_as_django_has_them(settings):
    settings.COGNITO_AUTH_MIRROR_GROUPS = ["editors", "authors"]
    user = sign_in("editors", "not-mirrored")  # the first sign-in, which creates the user
    assert group_names(user) == {"editors"}
    assert not Group.objects.filter(name="not-mirrored").exists()
    user.groups.add(Group.objects.create(name="local"))  # given in Django's admin

    user = sign_in("authors")  # removed from editors, added to authors in Cognito
    assert group_names(user) == {"authors", "local"}


def test_all_groups_make_django_membership_follow_cognito_exactly(settings):
    settings.COGNITO_AUTH_MIRROR_GROUPS = "__all__"
    user = sign_in("editors", "authors")
    assert group_names(user) == {"editors", "authors"}
    user.groups.add(Group.objects.create(name="local"))
    assert group_names(sign_in("authors")) == {"authors"}
    assert group_names(sign_in()) == set()
    assert set(Group.objects.values_list("name", flat=True)) == {"editors", "authors", "local"}


def test_staff_and_superuser_groups_grant_the_flags_and_removal_drops_them(settings):
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff", "admins"]
    settings.COGNITO_AUTH_SUPERUSER_GROUPS = ["admins"]
    user = sign_in("staff")
    assert (user.is_staff, user.is_superuser) == (True, False)
    user = sign_in("admins")
    assert (user.is_staff, user.is_superuser) == (True, True)
    user = sign_in("editors")  # removed from both in Cognito: the next sign-in drops both
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_a_flag_whose_setting_is_none_is_left_alone(settings):
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff"]
    user = sign_in()
    get_user_model().objects.filter(pk=user.pk).update(is_superuser=True)
    user = sign_in("staff")
    assert (user.is_staff, user.is_superuser) == (True, True)


def test_renewal_through_update_user_drops_the_flag(settings):
    """The path a session renewal takes: update_user with the new ID token's claims, then
    a save of the fields it names."""
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff"]
    settings.COGNITO_AUTH_MIRROR_GROUPS = ["staff"]
    user = sign_in("staff")
    assert user.is_staff and group_names(user) == {"staff"}
    changed = CognitoBackend().update_user(user, {"sub": SUB, "cognito:username": "alice"})
    assert changed == ["is_staff"]
    user.save(update_fields=changed)
    user.refresh_from_db()
    assert not user.is_staff and group_names(user) == set()


def test_a_django_only_account_is_never_demoted(settings):
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff"]
    settings.COGNITO_AUTH_SUPERUSER_GROUPS = ["admins"]
    settings.COGNITO_AUTH_MIRROR_GROUPS = "__all__"
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "django-only-7")
    admin.groups.add(Group.objects.create(name="local"))
    assert CognitoBackend().update_user(admin, {"sub": SUB, "cognito:username": "root"}) == []
    assert CognitoBackend().sync_groups(admin, {"sub": SUB}) == []
    admin.refresh_from_db()
    assert (admin.is_staff, admin.is_superuser, group_names(admin)) == (True, True, {"local"})


@pytest.mark.parametrize(
    ("setting", "value"),
    [("MIRROR_GROUPS", "staff"), ("MIRROR_GROUPS", [1]), ("STAFF_GROUPS", "__all__"), ("SUPERUSER_GROUPS", 5)],
)
def test_a_setting_of_another_shape_is_a_configuration_error(settings, setting, value):
    setattr(settings, f"COGNITO_AUTH_{setting}", value)
    with pytest.raises(ImproperlyConfigured, match=setting):
        sign_in("staff")


def test_the_system_check_names_a_malformed_setting(settings):
    from django.core.checks import run_checks

    assert not [m for m in run_checks() if m.id == "cognito_auth.E006"]
    settings.COGNITO_AUTH_STAFF_GROUPS = "staff"
    settings.COGNITO_AUTH_MIRROR_GROUPS = "__all__"
    assert [m.msg.split()[0] for m in run_checks() if m.id == "cognito_auth.E006"] == ["COGNITO_AUTH_STAFF_GROUPS"]
