"""Three user models unlike Django's: one that signs in by email, one without an email
field, one with an extra required field. Without PermissionsMixin, so the three can live
in one app without clashing reverse relations."""

from __future__ import annotations

import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class EmailUserManager(BaseUserManager):
    def create_user(self, email, password=None, **extra_fields):
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class EmailUser(AbstractBaseUser):
    """Signs in by email: the email is USERNAME_FIELD and EMAIL_FIELD, unique."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    objects = EmailUserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"


class HandleUserManager(BaseUserManager):
    def create_user(self, handle, password=None, **extra_fields):
        user = self.model(handle=self.model.normalize_username(handle), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class HandleUser(AbstractBaseUser):
    """No email field at all."""

    handle = models.CharField(max_length=150, unique=True)
    is_active = models.BooleanField(default=True)

    objects = HandleUserManager()
    USERNAME_FIELD = "handle"


class DepartmentUserManager(BaseUserManager):
    def create_user(self, username, department, password=None, **extra_fields):
        if not department:
            raise ValueError("Every user needs a department")
        extra_fields.setdefault("joined_on", datetime.date.today())  # the manager's own default
        user = self.model(username=self.model.normalize_username(username), department=department, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class DepartmentUser(AbstractBaseUser):
    """Extra required fields: one the manager insists on, one only the manager fills."""

    username = models.CharField(max_length=150, unique=True)
    email = models.EmailField(blank=True)
    department = models.CharField(max_length=50)
    joined_on = models.DateField()  # required, and only the manager fills it in
    is_active = models.BooleanField(default=True)

    objects = DepartmentUserManager()
    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["department"]
