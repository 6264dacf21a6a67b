"""Threat protection's device data ({% cognito_user_context_data %}, off by default): with
COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT on, the login page loads Cognito's advanced-security
script for the pool's region and a static script of ours (no inline script) beside a
hidden EncodedData field, and the value posted reaches Cognito as
UserContextData.EncodedData beside IpAddress (the emulator's log records only that it
came); off, nothing is loaded and nothing is forwarded."""

from __future__ import annotations

import re

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
AWS_SCRIPT = "https://amazon-cognito-assets.{region}.amazoncognito.com/amazon-cognito-advanced-security-data.min.js"
DEVICE_DATA = "eyJwYXlsb2FkIjoiZGV2aWNlLWRhdGEifQ=="


def sign_in_with_device_data(site, cognito_emulator, value: str = DEVICE_DATA) -> dict:
    cognito_emulator.reset_log()
    response = site.login("alice", PASSWORD, EncodedData=value)
    assert response.status_code == 302
    (call,) = [call for call in cognito_emulator.calls() if call["action"] == "InitiateAuth"]
    return call


def test_off_by_default_nothing_loaded_nothing_forwarded(site, alice, cognito_emulator):
    page = site.get("/accounts/login/").text
    assert "amazoncognito.com" not in page and "user_context_data.js" not in page and "EncodedData" not in page
    call = sign_in_with_device_data(site, cognito_emulator)
    assert call["encoded_data"] == "absent" and call["ip_address"] == "127.0.0.1"


def test_on_loads_the_pools_script_and_forwards_the_field(site, alice, cognito_pool, cognito_emulator, settings):
    settings.COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT = True
    page = site.get("/accounts/login/").text
    field = re.search(r'<input type="hidden" name="EncodedData"[^>]*>', page).group(0)
    assert f'data-user-pool-id="{cognito_pool.pool_id}"' in field
    assert f'data-client-id="{cognito_pool.client_id}"' in field
    assert f'<script src="{AWS_SCRIPT.format(region=cognito_pool.region)}" defer></script>' in page
    assert '<script src="/static/cognito_auth/user_context_data.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    call = sign_in_with_device_data(site, cognito_emulator)
    assert call["encoded_data"] == "present" and call["ip_address"] == "127.0.0.1"
    assert DEVICE_DATA not in str(cognito_emulator.calls())  # the log keeps presence only


def test_a_hosted_copy_of_the_script(site, alice, settings):
    settings.COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT = "/static/vendor/asf.min.js"
    page = site.get("/accounts/login/").text
    assert '<script src="/static/vendor/asf.min.js" defer></script>' in page and "amazoncognito.com" not in page


@pytest.mark.parametrize("value", ["x" * (16 * 1024 + 1), "line\nbreak", "ünïcode"])
def test_what_the_script_never_sends_is_not_forwarded(site, alice, cognito_emulator, settings, value):
    settings.COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT = True
    assert sign_in_with_device_data(site, cognito_emulator, value)["encoded_data"] == "absent"
