"""The example project with one of the custom user models (CUSTOM_USER_MODEL names it)."""

import os

from example_project.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "custom_users"]  # noqa: F405
AUTH_USER_MODEL = os.environ["CUSTOM_USER_MODEL"]
if AUTH_USER_MODEL == "custom_users.DepartmentUser":
    AUTHENTICATION_BACKENDS = ["custom_users.backends.DepartmentBackend", "django.contrib.auth.backends.ModelBackend"]
