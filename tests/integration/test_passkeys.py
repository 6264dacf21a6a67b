"""The Passkeys page over HTTP: list, register and remove passkeys with the session's
access token, against the emulator; a software authenticator plays the browser's part."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.contrib.auth import get_user_model

from cognito_auth.testing.authenticator import SoftwareAuthenticator, b64url

from .conftest import PASSWORD, Site
from .test_password_change import expire_access_token

pytestmark = pytest.mark.django_db(transaction=True)
LIST, REGISTER, DELETE = "/accounts/passkeys/", "/accounts/passkeys/register/", "/accounts/passkeys/delete/"
OPTIONS_BLOCK = re.compile(r'<script id="passkey-creation-options" type="application/json">(.*?)</script>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def passkey_site(site, alice, cognito_pool):
    cognito_pool.enable_passkeys("localhost")
    assert site.login("alice", PASSWORD).status_code == 302
    return site


def start(site: Site) -> tuple[dict, str]:
    """The register page's CredentialCreationOptions and CSRF token."""
    page = site.get(REGISTER)
    assert page.status_code == 200, page.text
    options = OPTIONS_BLOCK.search(page.text)
    assert options, page.text
    return json.loads(options.group(1)), CSRF.search(page.text).group(1)


def post(site: Site, path: str, token: str, data: dict):
    return site.http.post(
        site.base_url + path, data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": site.base_url + path}, allow_redirects=False, timeout=30,
    )


def register(site: Site, authenticator: SoftwareAuthenticator, **overrides):
    options, token = start(site)
    credential = authenticator.register(options, **overrides)
    return post(site, REGISTER, token, {"credential": json.dumps(credential)}), credential


def delete(site: Site, credential_id: str):
    # The CSRF cookie: the list offers no form while there is no passkey to remove.
    return post(site, DELETE, site.http.cookies["csrftoken"], {"credential_id": credential_id})


def calls(emulator) -> list[tuple[str, str]]:
    return [(call["action"], call["outcome"]) for call in emulator.calls()]


def test_register_list_and_remove(passkey_site, cognito_emulator):
    site = passkey_site
    assert "You have no passkeys yet." in site.get(LIST).text
    cognito_emulator.reset_log()
    response, credential = register(site, SoftwareAuthenticator(site.base_url))
    assert (response.status_code, response.headers["Location"]) == (302, LIST)
    assert calls(cognito_emulator) == [("StartWebAuthnRegistration", "ok"), ("CompleteWebAuthnRegistration", "ok")]
    page = site.get(LIST).text
    assert "Your passkey was added." in page and credential["id"] in page and 'class="passkey-name">Passkey<' in page
    response = delete(site, credential["id"])
    assert (response.status_code, response.headers["Location"]) == (302, LIST)
    page = site.get(LIST).text
    assert "Your passkey was removed." in page and credential["id"] not in page


def test_page_and_script_are_served_without_inline_script(passkey_site):
    page = passkey_site.get(REGISTER)
    assert page.headers["Cache-Control"].startswith("max-age=0") and "no-cache" in page.headers["Cache-Control"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert [attributes for attributes, body in scripts if body.strip()] == [
        ' id="passkey-creation-options" type="application/json"'
    ]
    sources = re.findall(r'<script src="([^"]+)"', page.text)
    served = [passkey_site.get(source) for source in sources]
    assert all(script.status_code == 200 for script in served)
    assert any("navigator.credentials.create" in script.text for script in served)


def test_anonymous_people_are_sent_to_sign_in(site):
    for path in (LIST, REGISTER):
        response = site.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def test_a_forged_post_is_refused(passkey_site, cognito_emulator):
    cognito_emulator.reset_log()
    response = passkey_site.http.post(passkey_site.base_url + DELETE, data={"credential_id": "abc"}, timeout=30)
    assert response.status_code == 403 and calls(cognito_emulator) == []


def _garble(credential: dict) -> dict:
    credential["response"]["attestationObject"] = b64url(b"\xa0not cbor")
    return credential


def test_tampered_response_is_a_form_error(passkey_site, cognito_emulator):
    site = passkey_site
    options, token = start(site)
    credential = _garble(SoftwareAuthenticator(site.base_url).register(options))
    cognito_emulator.reset_log()
    response = post(site, REGISTER, token, {"credential": json.dumps(credential)})
    assert response.status_code == 200
    assert "The passkey was not accepted" in response.text
    assert OPTIONS_BLOCK.search(response.text), "a new registration to try again with"
    assert ("CompleteWebAuthnRegistration", "InvalidParameterException") in calls(cognito_emulator)
    assert "You have no passkeys yet." in site.get(LIST).text


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        ("", "This field is required."),
        ("{", "answer could not be read."),
        ("[]", "answer could not be read."),
        ('{"type": "public-key", "id": "a", "rawId": "a", "response": {"clientDataJSON": "%%%", '
         '"attestationObject": "a"}}', "answer could not be read."),
        ("x" * 70_000, "Ensure this value has at most"),
        ("\x00\U0001f600", "Null characters are not allowed"),
        ("\U0001f600", "answer could not be read."),
    ],
)
def test_bad_input_is_a_form_error(passkey_site, cognito_emulator, credential, expected):
    _, token = start(passkey_site)
    cognito_emulator.reset_log()
    response = post(passkey_site, REGISTER, token, {"credential": credential})
    assert response.status_code == 200 and expected in response.text
    assert ("CompleteWebAuthnRegistration", "ok") not in calls(cognito_emulator)


def test_wrong_origin_is_refused_before_cognito(passkey_site, cognito_emulator):
    cognito_emulator.reset_log()
    response, _ = register(passkey_site, SoftwareAuthenticator("http://localhost.evil.test"))
    assert response.status_code == 200 and "made for another website" in response.text
    assert [action for action, _ in calls(cognito_emulator)] == ["StartWebAuthnRegistration"] * 2


def test_replayed_registration_is_refused(passkey_site, cognito_emulator):
    site = passkey_site
    response, credential = register(site, SoftwareAuthenticator(site.base_url))
    assert response.status_code == 302
    _, token = start(site)
    cognito_emulator.reset_log()
    replay = post(site, REGISTER, token, {"credential": json.dumps(credential)})
    assert replay.status_code == 200 and "expired or was already used" in replay.text
    assert "CompleteWebAuthnRegistration" not in [action for action, _ in calls(cognito_emulator)]
    assert site.get(LIST).text.count('class="passkey-name"') == 1


def test_registration_cognito_ended_is_a_form_error(passkey_site, cognito_emulator):
    # The same person starts a registration in another browser: Cognito holds only the
    # newer challenge, while this session still names its own.
    site = passkey_site
    options, token = start(site)
    credential = SoftwareAuthenticator(site.base_url).register(options)
    elsewhere = Site(site.base_url)
    assert elsewhere.login("alice", PASSWORD).status_code == 302
    start(elsewhere)
    cognito_emulator.reset_log()
    response = post(site, REGISTER, token, {"credential": json.dumps(credential)})
    assert response.status_code == 200 and "expired or was already used" in response.text
    assert ("CompleteWebAuthnRegistration", "WebAuthnChallengeNotFoundException") in calls(cognito_emulator)


def test_another_users_passkey_cannot_be_removed(passkey_site, cognito_pool, cognito_emulator):
    _, credential = register(passkey_site, SoftwareAuthenticator(passkey_site.base_url))
    cognito_pool.create_user("bob", PASSWORD)
    bob = Site(passkey_site.base_url)
    assert bob.login("bob", PASSWORD).status_code == 302
    assert credential["id"] not in bob.get(LIST).text
    cognito_emulator.reset_log()
    response = delete(bob, credential["id"])
    assert response.status_code == 302
    assert "That passkey was not found." in bob.get(LIST).text
    assert ("DeleteWebAuthnCredential", "ResourceNotFoundException") in calls(cognito_emulator)
    assert credential["id"] in passkey_site.get(LIST).text


@pytest.mark.parametrize("credential_id", ["", "not base64url!", "x" * 2000, "\x00"])
def test_bad_credential_id_is_a_message(passkey_site, cognito_emulator, credential_id):
    cognito_emulator.reset_log()
    response = delete(passkey_site, credential_id)
    assert response.status_code == 302
    assert "errorlist" in passkey_site.get(LIST).text or "error" in passkey_site.get(LIST).text
    assert "DeleteWebAuthnCredential" not in [action for action, _ in calls(cognito_emulator)]


def test_expired_access_token_is_renewed_first(passkey_site, cognito_emulator):
    before = expire_access_token(passkey_site)
    cognito_emulator.reset_log()
    assert passkey_site.get(LIST).status_code == 200
    assert [(c["action"], c["auth_flow"], c["outcome"]) for c in cognito_emulator.calls()] == [
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "ok"), ("ListWebAuthnCredentials", None, "ok"),
    ]
    assert before.access_token not in json.dumps(cognito_emulator.calls())


def test_revoked_session_signs_the_person_out(passkey_site, cognito_pool):
    cognito_pool.emulator.boto3_admin_client().admin_user_global_sign_out(
        UserPoolId=cognito_pool.pool_id, Username="alice"
    )
    expire_access_token(passkey_site)
    response = passkey_site.get(LIST)
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def test_pool_without_passkeys_is_explained(site, alice, caplog):
    assert site.login("alice", PASSWORD).status_code == 302
    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        page = site.get(REGISTER)
    assert page.status_code == 200 and "Passkeys are not available on this site" in page.text
    assert "WEB_AUTHN" in caplog.text and "WebAuthnNotEnabledException" in caplog.text


def test_relying_party_not_covering_the_host_is_explained(site, alice, cognito_pool, caplog):
    cognito_pool.enable_passkeys("example.test")
    assert site.login("alice", PASSWORD).status_code == 302
    with caplog.at_level(logging.ERROR, logger="cognito_auth"):
        page = site.get(REGISTER)
    assert "Passkeys are not available on this site" in page.text and not OPTIONS_BLOCK.search(page.text)
    assert "'example.test' does not cover this site's host" in caplog.text


def test_settings_name_the_relying_party_and_origin(passkey_site, settings):
    settings.COGNITO_AUTH_WEBAUTHN_ORIGIN = "https://www.example.test"
    response, _ = register(passkey_site, SoftwareAuthenticator(passkey_site.base_url))
    assert "made for another website" in response.text  # the browser's origin is not the one set
    settings.COGNITO_AUTH_WEBAUTHN_RP_ID = "other.test"
    assert "not available on this site" in passkey_site.get(REGISTER).text


def test_django_only_account_is_told(site, db):
    get_user_model().objects.create_user("local", password=PASSWORD)
    assert site.login("local", PASSWORD).status_code == 302
    assert "only for accounts that sign in through Cognito" in site.get(LIST).text

