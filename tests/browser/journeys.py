"""The journeys of issue 12 §4, written once and walked on two servers of the example
project: pytest-django's live server (test_journeys.py and its neighbours) and the gunicorn
stack, 4 workers on PostgreSQL and Redis (test_stack_journeys.py).

Each walk takes the `page` (its context's base URL is the site), the `journey` (every page
screenshotted and checked, accessibility.py) and a `pool`: a CognitoPool in the site's
emulator, already the site's default app client. Users are made through the pool, as an
administrator or an app makes them; codes come from the emulator's outbox. A walk asserts
what a person would see at each step.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import zxingcpp

from cognito_auth.testing.pytest_plugin import CognitoPool

from .png import grey_pixels

PASSWORD = "Correct-Horse-7-battery"
NEW_PASSWORD = "Brand-New-Pass-42"
# CreateUserPool options for the invited-user walk: a required attribute the person supplies
# on the new-password page (NEW_PASSWORD_REQUIRED's requiredAttributes).
INVITED_USER_POOL = {"Schema": [
    {"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True},
    {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True},
]}
CONNECTION_CHECKED = ("Renamed · secret: Cognito expects a SECRET_HASH and accepts the one made with the stored "
                      "client secret.")


def hide_aws_credentials(monkeypatch, folder: Path) -> None:
    """No AWS credentials for the site's processes (this one, and those it starts from now
    on): the check's AWS-side probes then say so at once, with no instance-metadata lookup.
    `folder`: an empty directory, where the credentials and config files are not."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def shown(page) -> str:
    """What the page says, for a failed assertion's message."""
    return f"{page.url}: {page.locator('body').inner_text()}"


def assert_signed_in(page, username: str) -> None:
    assert page.locator("h1").inner_text() == f"Signed in as {username}", shown(page)


def sign_in_wrong_password_sign_out(page, journey, pool: CognitoPool) -> None:
    pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    page.goto("/accounts/login/")
    journey.step("login")
    sign_in(page, "alice", "not-the-password")
    assert page.url.endswith("/accounts/login/")
    assert "Please enter a correct username and password" in page.content(), shown(page)
    journey.step("login-wrong-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert_signed_in(page, "alice")
    journey.step("signed-in")
    page.get_by_role("button", name="Sign out", exact=True).click()
    assert page.url.endswith("/accounts/login/")  # the example project's LOGOUT_REDIRECT_URL
    journey.step("signed-out")
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")


def sign_out_everywhere(page, journey, pool: CognitoPool) -> None:
    pool.create_user("alice", PASSWORD, {"email": "alice@example.com"})
    sign_in(page, "alice", PASSWORD)
    assert_signed_in(page, "alice")
    journey.step("signed-in")
    page.get_by_role("button", name="Sign out everywhere").click()
    assert page.url.endswith("/accounts/login/")
    journey.step("signed-out-everywhere")
    assert "GlobalSignOut" in [call["action"] for call in pool.calls()]
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")


def forgot_password(page, journey, pool: CognitoPool) -> None:
    """Forgot password, a code by email, a mistyped second password, the new password, sign in."""
    pool.create_user("alice", PASSWORD, {"email": "alice@example.com", "given_name": "Alice"})
    page.goto("/accounts/login/")
    journey.step("login")
    page.get_by_role("link", name="Forgot your password?").click()
    journey.step("password-reset")
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Send me a code").click()
    assert page.url.endswith("/accounts/password_reset/confirm/")
    assert "We sent a code by email to a***@e***" in page.content()
    journey.step("password-reset-confirm")
    page.get_by_label("Code").fill("000000")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("Another-Pass-43")
    page.get_by_role("button", name="Set new password").click()
    assert page.get_by_label("Code").get_attribute("aria-invalid") is None
    assert page.get_by_label("New password again").get_attribute("aria-invalid") == "true"
    journey.step("password-reset-confirm-mismatch")
    page.get_by_label("Code").fill(pool.latest_code("alice"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    assert page.url.endswith("/accounts/password_reset/complete/")
    journey.step("password-reset-complete")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert_signed_in(page, "alice")
    journey.step("signed-in")


def change_password(page, journey, old_password: str) -> None:
    """From the signed-in home page: a wrong old password, then the right one."""
    page.get_by_role("link", name="Change password").click()
    journey.step("password-change")
    page.get_by_label("Old password").fill("Not-The-Old-Pass-1")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    assert page.get_by_label("Old password").get_attribute("aria-invalid") == "true"
    journey.step("password-change-wrong-old-password")
    page.get_by_label("Old password").fill(old_password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    assert page.url.endswith("/accounts/password_change/done/")
    journey.step("password-change-done")


def invited_user_chooses_a_password(page, journey, pool: CognitoPool) -> None:
    """`pool` made with INVITED_USER_POOL's options."""
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
    assert_signed_in(page, "ivy")
    journey.step("signed-in")


def totp_set_up(page, journey, pool: CognitoPool) -> None:
    """MFA required and no authenticator yet: the QR code on the page must be scannable
    (the screenshot decoded with zxing-cpp) and read the otpauth:// URI naming the site and
    the person, with the key shown as text (``#totp-secret``), which pyotp turns into codes."""
    pool.create_mfa_setup_user("una", PASSWORD)
    sign_in(page, "una", PASSWORD)
    assert page.url.endswith("/accounts/login/totp_setup/")
    secret = page.locator("#totp-secret").inner_text().strip()
    journey.step("totp-setup")
    shot = journey.last_screenshot
    qr = page.locator("svg.totp-qr")
    assert qr.is_visible()
    width, height, grey = grey_pixels(qr.screenshot())
    found = zxingcpp.read_barcodes(memoryview(grey).cast("B", (height, width)))
    assert [code.format for code in found] == [zxingcpp.BarcodeFormat.QRCode], shot
    uri = urlsplit(found[0].text)
    host = urlsplit(page.url).netloc  # the issuer is the site as the browser reached it
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/{host}:una"
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": [host]}
    page.get_by_label("Code").fill("")
    page.get_by_role("button", name="Verify and sign in").click()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    journey.step("totp-setup-no-code")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify and sign in").click()
    assert_signed_in(page, "una")
    journey.step("signed-in")


def totp_sign_in(page, journey, pool: CognitoPool) -> None:
    totp = pool.create_totp_user("tom", PASSWORD)
    sign_in(page, "tom", PASSWORD)
    assert page.url.endswith("/accounts/login/code/")
    journey.step("code")
    page.get_by_label("Code").fill("12")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    journey.step("code-malformed")
    page.get_by_label("Code").fill(totp.code())
    page.get_by_role("button", name="Sign in").click()
    assert_signed_in(page, "tom")
    journey.step("signed-in")


def sms_code_sign_in(page, journey, pool: CognitoPool) -> None:
    internal = pool.create_sms_mfa_user("sam", PASSWORD, "+15555550100")
    sign_in(page, "sam", PASSWORD)
    assert page.url.endswith("/accounts/login/code/")
    assert "+*******0100" in page.content()
    journey.step("code")
    page.get_by_label("Code").fill(pool.latest_code(internal, "sms_mfa"))
    page.get_by_role("button", name="Sign in").click()
    assert_signed_in(page, "sam")
    journey.step("signed-in")


def admin_edits_an_app_client_and_checks_the_connection(
    page, journey, app_client_pk: int, admin_username: str, admin_password: str
) -> None:
    """A superuser renames the app client, then runs the *Check connection* action on it,
    then opens our *Import from Cognito* page and submits it empty. The site's processes
    have no AWS credentials (hide_aws_credentials)."""
    page.goto(f"/admin/cognito_auth/appclient/{app_client_pk}/change/")
    page.get_by_label("Username").fill(admin_username)
    page.get_by_label("Password").fill(admin_password)
    page.get_by_role("button", name="Log in").click()
    assert page.url.endswith(f"/appclient/{app_client_pk}/change/")
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
    messages = page.locator("ul.messagelist li.success").all_inner_texts()  # Django's admin capitalises them
    assert CONNECTION_CHECKED in messages, shown(page)
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
