"""The journeys of issue 12 §4 on the gunicorn stack: the example project as production runs
it, 4 sync workers on a fresh PostgreSQL database and Redis, against the stack's own strict
emulator (example_project.stack). One stack serves the whole module; a browser's requests
land on whichever worker is free, so each walk also crosses workers.

The walks are the live server's (journeys.py), every page checked the same way and
screenshotted under ``test-artifacts/`` with names starting ``stack-``. Each test gets a
pool of its own in the stack's emulator, made the site's default app client through
``manage.py shell`` (the workers see the change at once, as an admin's would be seen).
Skipped, with the reason and how to start them, when PostgreSQL or Redis does not answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cognito_auth.testing.pytest_plugin import CognitoPool, create_pool
from example_project.stack import HOW_TO_START, Stack, unreachable

from . import journeys

pytestmark = [pytest.mark.stack, pytest.mark.browser]


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    for service in HOW_TO_START:
        if reason := unreachable(service):
            pytest.skip(reason)
    with pytest.MonkeyPatch.context() as monkeypatch:
        # Before the stack starts: its processes inherit this environment.
        journeys.hide_aws_credentials(monkeypatch, tmp_path_factory.mktemp("no-aws"))
        with Stack() as stack:
            yield stack


@pytest.fixture
def site_url(stack) -> str:
    """The browser's pages come from gunicorn's socket, not from a live server."""
    return stack.base_url


@pytest.fixture
def journey_prefix() -> str:
    return "stack-"


@pytest.fixture
def site_pool(stack, request) -> Callable[..., CognitoPool]:
    """Make a fresh pool in the stack's emulator (CreateUserPool `options`, as
    cognito_pool_factory takes them) and its app client the site's default one. The earlier
    tests' Django users and app clients go first, as the live server's flushed database
    loses them: each walk's "alice" is a new person, whom the site would rightly refuse to
    merge with an earlier pool's "alice" (an account conflict)."""
    def make(**options: Any) -> CognitoPool:
        pool = create_pool(stack.emulator, f"stack-{request.node.name}"[:128], **options)
        stack.shell(
            """
from django.contrib.auth import get_user_model
from cognito_auth.models import AppClient
get_user_model().objects.exclude(username="admin").delete()
AppClient.objects.exclude(name="stack").delete()
AppClient.objects.create(is_default=True, **VALUES)
""",
            name=request.node.name[:50], region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
            client_secret=pool.client_secret, endpoint_url=pool.endpoint_url,
        )
        return pool

    return make


def test_sign_in_wrong_password_sign_out(page, journey, site_pool):
    journeys.sign_in_wrong_password_sign_out(page, journey, site_pool())


def test_sign_out_everywhere(page, journey, site_pool):
    journeys.sign_out_everywhere(page, journey, site_pool())


def test_forgot_password(page, journey, site_pool):
    journeys.forgot_password(page, journey, site_pool())


def test_password_change(page, journey, site_pool):
    site_pool().create_user("alice", journeys.PASSWORD, {"email": "alice@example.com"})
    journeys.sign_in(page, "alice", journeys.PASSWORD)
    journeys.assert_signed_in(page, "alice")
    journeys.change_password(page, journey, journeys.PASSWORD)


def test_invited_user_chooses_a_password(page, journey, site_pool):
    journeys.invited_user_chooses_a_password(page, journey, site_pool(**journeys.INVITED_USER_POOL))


def test_totp_set_up(page, journey, site_pool):
    journeys.totp_set_up(page, journey, site_pool())


def test_totp_sign_in(page, journey, site_pool):
    journeys.totp_sign_in(page, journey, site_pool())


def test_sms_code_sign_in(page, journey, site_pool):
    journeys.sms_code_sign_in(page, journey, site_pool())


def test_admin_edits_an_app_client_and_checks_the_connection(page, journey, site_pool, stack):
    pool = site_pool()
    [(pk,)] = stack.sql("SELECT id FROM cognito_auth_appclient WHERE client_id = %s", (pool.client_id,))
    journeys.admin_edits_an_app_client_and_checks_the_connection(page, journey, pk, "admin", stack.admin_password)
