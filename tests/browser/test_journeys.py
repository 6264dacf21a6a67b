"""The journeys of issue 12 §4 in a real browser without JavaScript, on pytest-django's live
server, each page screenshotted (at the browser's width and at 320 px) and checked for
accessibility (accessibility.py). The walks are in journeys.py; test_stack_journeys.py walks
them on the gunicorn stack."""

from __future__ import annotations

import pytest

from cognito_auth.models import AppClient

from . import journeys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_wrong_password_sign_out(page, journey, cognito_pool, app_client_for_pool):
    journeys.sign_in_wrong_password_sign_out(page, journey, cognito_pool)


def test_sign_out_everywhere(page, journey, cognito_pool, app_client_for_pool):
    journeys.sign_out_everywhere(page, journey, cognito_pool)


def test_invited_user_chooses_a_password(page, journey, cognito_pool_factory, db):
    pool = cognito_pool_factory(**journeys.INVITED_USER_POOL)
    AppClient.objects.create(
        name="emulated", region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
        client_secret=pool.client_secret, endpoint_url=pool.endpoint_url, is_default=True,
    )
    journeys.invited_user_chooses_a_password(page, journey, pool)


def test_totp_sign_in(page, journey, cognito_pool, app_client_for_pool):
    journeys.totp_sign_in(page, journey, cognito_pool)


def test_sms_code_sign_in(page, journey, cognito_pool, app_client_for_pool):
    journeys.sms_code_sign_in(page, journey, cognito_pool)


def test_admin_edits_an_app_client_and_checks_the_connection(
    page, journey, cognito_pool, app_client_for_pool, django_user_model, monkeypatch, tmp_path
):
    journeys.hide_aws_credentials(monkeypatch, tmp_path)
    django_user_model.objects.create_superuser("root", "root@example.com", journeys.PASSWORD)
    journeys.admin_edits_an_app_client_and_checks_the_connection(
        page, journey, app_client_for_pool.pk, "root", journeys.PASSWORD
    )
