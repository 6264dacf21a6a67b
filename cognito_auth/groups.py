"""Cognito groups in Django: mirrored groups and the staff and superuser flags.

A token's ``cognito:groups`` claim lists the user pool groups the user is in (absent when
they are in none; Amazon Cognito Developer Guide, "Understanding the identity token" and
"Understanding the access token"). Three settings, all off by default, say what Django
makes of it:

- ``COGNITO_AUTH_MIRROR_GROUPS``: None, a list of group names, or ``"__all__"``. The
  user's membership of each mirrored Django group (created when missing) follows Cognito;
  with a list, Django groups not named stay as Django has them.
- ``COGNITO_AUTH_STAFF_GROUPS`` / ``COGNITO_AUTH_SUPERUSER_GROUPS``: None, or a list of
  group names; the user is ``is_staff`` / ``is_superuser`` exactly when in one of them.

Only users linked to a Cognito identity are touched: a Django-only account (one with no
``CognitoIdentity``, such as the ``createsuperuser`` account) is never demoted.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import transaction

from .conf import app_settings
from .models import CognitoIdentity

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

ALL = "__all__"
# Flag field -> the setting naming the groups that grant it.
FLAG_SETTINGS = {"is_staff": "STAFF_GROUPS", "is_superuser": "SUPERUSER_GROUPS"}


def cognito_groups(claims: dict[str, Any]) -> set[str]:
    """The ``cognito:groups`` of a verified ID or access token: an empty set when absent."""
    groups = claims.get("cognito:groups")
    if not isinstance(groups, list):
        return set()
    return {name for name in groups if isinstance(name, str) and name}


def flag_changes(user: AbstractBaseUser, groups: Collection[str]) -> list[str]:
    """Set ``is_staff`` / ``is_superuser`` on ``user`` (unsaved) from the groups named by
    their settings; a flag whose setting is None, or that the user model lacks, is left.

    :returns: the names of the fields that changed, for the caller to save.
    :raises ImproperlyConfigured: a setting is neither None nor a list of names.
    """
    changed = []
    for field, setting in FLAG_SETTINGS.items():
        granting = _names(setting)
        if granting is None or not _has_field(user, field):
            continue
        value = bool(granting.intersection(groups))
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    return changed


def mirror_groups(user: AbstractBaseUser, groups: Collection[str]) -> None:
    """Make the user's membership of the mirrored Django groups follow ``groups``.

    Writes at once (a many-to-many relation): the user must be saved.

    :raises ImproperlyConfigured: ``COGNITO_AUTH_MIRROR_GROUPS`` is not None, ``"__all__"``
        or a list of names.
    """
    mirrored = _mirrored()
    if mirrored is None or not hasattr(user, "groups"):
        return
    wanted = set(groups) if isinstance(mirrored, str) else mirrored.intersection(groups)
    current = {group.name: group for group in user.groups.all()}
    managed = set(current) if isinstance(mirrored, str) else mirrored.intersection(current)
    to_remove = [current[name] for name in managed - wanted]
    to_add = sorted(wanted - set(current))
    if not to_remove and not to_add:
        return
    with transaction.atomic():
        if to_remove:
            user.groups.remove(*to_remove)
        if to_add:
            user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in to_add))


def sync_enabled() -> bool:
    """Whether any of the three settings is on (so a sign-in costs no query otherwise)."""
    return any(getattr(app_settings, name) is not None for name in ("MIRROR_GROUPS", *FLAG_SETTINGS.values()))


def is_linked(user: AbstractBaseUser) -> bool:
    """Whether the user has a Cognito identity, so Cognito governs their groups."""
    return user.pk is not None and CognitoIdentity.objects.filter(user_id=user.pk).exists()


def malformed_settings() -> list[str]:
    """The names of the group settings whose values have another shape (for the checks)."""
    malformed = []
    for name in ("MIRROR_GROUPS", *FLAG_SETTINGS.values()):
        try:
            _mirrored() if name == "MIRROR_GROUPS" else _names(name)
        except ImproperlyConfigured:
            malformed.append(f"COGNITO_AUTH_{name}")
    return malformed


def _mirrored() -> set[str] | str | None:
    value = app_settings.MIRROR_GROUPS
    if value == ALL:
        return ALL
    return _names("MIRROR_GROUPS")


def _names(setting: str) -> set[str] | None:
    value = getattr(app_settings, setting)
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Collection) or not all(isinstance(v, str) for v in value):
        hint = ', "__all__"' if setting == "MIRROR_GROUPS" else ""
        raise ImproperlyConfigured(f"COGNITO_AUTH_{setting} must be None{hint} or a list of group names.")
    return set(value)


def _has_field(user: AbstractBaseUser, name: str) -> bool:
    try:
        type(user)._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
