"""The journeys of issue 12 §4 in a real browser without JavaScript, each page screenshotted
(at the browser's width and at 320 px) and checked for accessibility (accessibility.py)."""

from __future__ import annotations

import pytest

from cognito_auth.models import AppClient

PASSWORD = "Correct-Horse-7-battery"
NEW_PASSWORD = "Brand-New-Pass-42"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_wrong_password_sign_out(page, journey, cognito_pool, app_client_for_pool):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    page.goto("/accounts/login/")
    journey.step("login")
    sign_in(page, "alice", "not-the-password")
    assert page.url.endswith("/accounts/login/")
    assert "Please enter a correct username and password" in page.content()
    journey.step("login-wrong-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as alice"
    journey.step("signed-in")
    page.get_by_role("button", name="Sign out", exact=True).click()
    assert page.url.endswith("/accounts/login/")  # the example project's LOGOUT_REDIRECT_URL
    journey.step("signed-out")
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")


def test_sign_out_everywhere(page, journey, browser, site_url, cognito_pool, app_client_for_pool):
    cognito_pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    sign_in(page, "alice", PASSWORD)
    assert page.locator("h1").inner_text() == "Signed in as alice"
    journey.step("signed-in")
    page.get_by_role("button", name="Sign out everywhere").click()
    assert page.url.endswith("/accounts/login/")
    journey.step("signed-out-everywhere")
    assert "GlobalSignOut" in [call["action"] for call in cognito_pool.calls()]
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")


def test_invited_user_chooses_a_password(page, journey, cognito_pool_factory, db):
    pool = cognito_pool_factory(Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True},
        {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True},
    ])
    AppClient.objects.create(
        name="emulated", region=pool.region, user_pool_id=pool.pool_id, client_id=pool.client_id,
        client_secret=pool.client_secret, endpoint_url=pool.endpoint_url, is_default=True,
    )
    pool.create_invited_user("ivy", "Temporary-Pass-1", {"email": "ivy@example.com"})
    sign_in(page, "ivy", "Temporary-Pass-1")
    assert page.url.endswith("/accounts/login/new_password/")
    journey.step("new-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("Another-Pass-43")
    page.get_by_role("button", name="Set password and sign in").click()
    assert page.url.endswith("/accounts/login/new_password/")
    journey.step("new-password-errors")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_label("Given name").fill("Ivy")
    page.get_by_role("button", name="Set password and sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as ivy"
    journey.step("signed-in")


def test_totp_sign_in(page, journey, cognito_pool, app_client_for_pool):
    totp = cognito_pool.create_totp_user("tom", PASSWORD)
    sign_in(page, "tom", PASSWORD)
    assert page.url.endswith("/accounts/login/code/")
    journey.step("code")
    page.get_by_label("Code").fill("12")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    journey.step("code-malformed")
    page.get_by_label("Code").fill(totp.code())
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as tom"
    journey.step("signed-in")


def test_sms_code_sign_in(page, journey, cognito_pool, app_client_for_pool):
    internal = cognito_pool.create_sms_mfa_user("sam", PASSWORD, "+15555550100")
    sign_in(page, "sam", PASSWORD)
    assert page.url.endswith("/accounts/login/code/")
    assert "+*******0100" in page.content()
    journey.step("code")
    page.get_by_label("Code").fill(cognito_pool.latest_code(internal, "sms_mfa"))
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as sam"
    journey.step("signed-in")


def test_admin_edits_an_app_client_and_checks_the_connection(
    page, journey, cognito_pool, app_client_for_pool, django_user_model, monkeypatch, tmp_path
):
    # No AWS credentials: the check's AWS-side probes say so at once (no metadata lookup).
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    page.goto(f"/admin/cognito_auth/appclient/{app_client_for_pool.pk}/change/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url.endswith(f"/appclient/{app_client_for_pool.pk}/change/")
    journey.step("admin-change", ours=False)
    page.get_by_label("Name").fill("renamed")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.url.endswith("/admin/cognito_auth/appclient/")
    assert "was changed successfully" in page.content()
    journey.step("admin-changelist", ours=False)
    # By its row: Django 4.2's action checkboxes have no accessible name (5.0 added one).
    page.locator("tr", has_text="renamed").locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("check_connection")
    page.get_by_role("button", name="Go").click()
    shown = page.locator("ul.messagelist li.success").all_inner_texts()  # Django's admin capitalises them
    assert "Renamed · secret: Cognito expects a SECRET_HASH and accepts the one made with the stored client " \
           "secret." in shown
    journey.step("admin-check-connection", ours=False)
    # Import from Cognito is our own admin page: its form passes our checks.
    page.get_by_role("link", name="Import from Cognito").click()
    page.get_by_role("button", name="Import").click()
    assert page.get_by_label("Region").get_attribute("aria-invalid") == "true"
    assert journey.step("admin-import-errors", ours=False).problems == []
    reports = journey.admin_reports
    findings = sorted({(v["id"], v["impact"]) for _name, report in reports for v in report.blocking})
    print("Django admin's serious or critical axe findings:", findings or "none")
    print("Django admin's widths at 320 px:", {name: report.scroll_width for name, report in reports})
