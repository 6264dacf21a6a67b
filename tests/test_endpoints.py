"""Where an app client may send passwords (and, for the admin's import, signed requests)."""

import logging

import pytest
from django.core.exceptions import ValidationError

from cognito_auth.client import CognitoAdmin, CognitoClient
from cognito_auth.exceptions import EndpointNotAllowed
from cognito_auth.models import AppClient
from cognito_auth.validators import endpoint_allowed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("", True),
        ("https://cognito-idp.eu-west-1.amazonaws.com", True),
        ("https://cognito-idp.cn-north-1.amazonaws.com.cn", True),
        ("http://cognito-idp.eu-west-1.amazonaws.com", False),  # not over plain HTTP
        ("https://amazonaws.com.evil.example", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("https://intranet.example", False),
        ("http://127.0.0.1:9229", True),  # listed below
        ("ftp://127.0.0.1", False),
    ],
)
def test_endpoint_rules(url, allowed, settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1"]
    assert endpoint_allowed(url) is allowed


def test_allowlist_entries_with_a_dot_allow_subdomains(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = [".vpce.example.internal"]
    assert endpoint_allowed("https://cognito.vpce.example.internal")
    assert not endpoint_allowed("https://vpce.example.internal.evil")


@pytest.mark.django_db
def test_model_validation_refuses_an_unlisted_endpoint(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = []
    client = AppClient(name="x", region="eu-west-1", user_pool_id="eu-west-1_Abc", client_id="abc",
                       endpoint_url="http://169.254.169.254/")
    with pytest.raises(ValidationError, match="COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS"):
        client.full_clean(validate_unique=False)


def test_no_call_goes_to_an_unlisted_endpoint_even_from_a_row_made_in_code(settings, caplog):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = []
    client = AppClient(name="rogue", region="eu-west-1", user_pool_id="eu-west-1_Abc", client_id="abc",
                       client_secret="s3cret", endpoint_url="http://127.0.0.1:1")
    with caplog.at_level(logging.ERROR, logger="cognito_auth"), pytest.raises(EndpointNotAllowed):
        CognitoClient(client).initiate_password_auth("alice", "password-1")
    assert "'rogue'" in caplog.text and "ALLOWED_ENDPOINT_HOSTS" in caplog.text
    with pytest.raises(EndpointNotAllowed):
        CognitoAdmin("eu-west-1", "eu-west-1_Abc", "http://169.254.169.254").describe_user_pool()


def test_an_admin_answer_without_its_part_is_a_service_fault():
    from cognito_auth.client import _answer_part
    from cognito_auth.exceptions import ServiceUnavailable

    assert _answer_part({"UserPool": {"Id": "x"}}, "UserPool") == {"Id": "x"}
    with pytest.raises(ServiceUnavailable, match="no UserPool"):
        _answer_part({}, "UserPool")
