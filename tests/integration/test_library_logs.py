"""With every logger at DEBUG, no record of botocore, boto3 or urllib3 made during this
app's calls carries a credential, a body, a token, a hash or a signature: neither the
signed administrator calls (botocore.auth logs the canonical request with the session
token, and the signature) nor the unsigned calls of the pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from cognito_auth.client import CognitoAdmin, secret_hash
from cognito_auth.library_logs import LIBRARY_LOGGERS, is_library_logger

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Changed-Pass-99"
ACCESS_KEY = "AKIDCOGNITOAUTHTEST1"
SECRET_KEY = "aws-secret-key-that-must-not-be-logged"
SESSION_TOKEN = "FwoGZXIvYXdzSessionTokenThatMustNotBeLogged"


@pytest.fixture
def everything_at_debug(caplog) -> Iterator[None]:
    """Every logger there is (and the root) at DEBUG, propagating to caplog's handler."""
    import boto3  # noqa: F401 - make sure the libraries' loggers exist before they are set

    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if is_library_logger(name) or name in LIBRARY_LOGGERS]
    saved = [(logger, logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.propagate = True
    with caplog.at_level(logging.DEBUG):
        yield
    for logger, level, propagate in saved:
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.fixture
def session_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)


def logged(caplog) -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_no_library_record_carries_a_secret(site, alice, cognito_pool, app_client_for_pool, cognito_emulator,
                                            session_credentials, everything_at_debug, caplog):
    # A signed administrator call whose answer holds the client secret.
    admin = CognitoAdmin(cognito_pool.region, cognito_pool.pool_id, cognito_pool.endpoint_url)
    assert admin.describe_user_pool_client(cognito_pool.client_id)["ClientSecret"] == cognito_pool.client_secret
    # Unsigned user calls: a password, tokens, a code, SECRET_HASHes.
    assert site.login("alice", PASSWORD).status_code == 302
    assert site.post_form("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    site.http.post(site.base_url + "/accounts/logout/", data={"csrfmiddlewaretoken": site.http.cookies["csrftoken"]},
                   headers={"Referer": site.base_url + "/"}, timeout=30)
    site.post_form("/accounts/password_reset/", {"username": "alice"})
    code = cognito_pool.latest_code("alice")
    site.post_form("/accounts/password_reset/confirm/",
                   {"code": code, "new_password1": "Reset-Pass-77", "new_password2": "Reset-Pass-77"})

    text = logged(caplog)
    names = {record.name for record in caplog.records}
    assert {"botocore.auth", "botocore.endpoint", "botocore.parsers"} <= names  # the test saw them all
    for secret in (SECRET_KEY, SESSION_TOKEN, cognito_pool.client_secret, PASSWORD, NEW_PASSWORD, "Reset-Pass-77",
                   code, secret_hash("alice", cognito_pool.client_id, cognito_pool.client_secret)):
        assert secret not in text
    assert "eyJ" not in text  # no JWT (ID, access or refresh token)
    assert "Signature=" not in text and "Credential=" not in text
    assert not re.search(r"\b[0-9a-f]{64}\b", text)  # no SigV4 signature or payload hash
    assert not any(record.exc_info for record in caplog.records if is_library_logger(record.name))
