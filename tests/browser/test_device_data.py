"""The device-data script in chromium: with COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT on, the
login page's static user_context_data.js fills EncodedData from Cognito's
advanced-security script (played here by a stand-in served for AWS's URL, so nothing
leaves the machine), and the sign-in carries it to Cognito."""

from __future__ import annotations

import pytest

from tests.browser.test_passkeys import PASSWORD, js_context  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAND_IN = "window.AmazonCognitoAdvancedSecurityData = {getData: function (u, p, c) { return 'device-' + u.length; }};"


def test_script_fills_encoded_data_and_sign_in_forwards_it(
    js_context, cognito_pool, app_client_for_pool, cognito_emulator, settings,  # noqa: F811
):
    settings.COGNITO_AUTH_USER_CONTEXT_DATA_SCRIPT = True
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    page = js_context.new_page()
    page.route("https://amazon-cognito-assets.*.amazoncognito.com/**",
               lambda route: route.fulfill(body=STAND_IN, content_type="text/javascript"))
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    cognito_emulator.reset_log()
    assert page.locator("input[name=EncodedData]").input_value() == "device-0"  # filled on load
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/")
    (call,) = [call for call in cognito_emulator.calls() if call["action"] == "InitiateAuth"]
    assert call["encoded_data"] == "present"
