"""AppClient.sign_in_methods: what a USER_AUTH login page offers, checked as the admin saves it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cognito_auth.models import AppClient, parse_sign_in_methods


def client(**fields: str) -> AppClient:
    return AppClient(
        name="c", region="eu-west-1", user_pool_id="eu-west-1_AbC123", client_id="abc123", **fields,
    )


def test_parse_keeps_known_methods_in_order_and_one_password() -> None:
    assert parse_sign_in_methods("sms_otp, PASSWORD EMAIL_OTP") == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert parse_sign_in_methods("PASSWORD PASSWORD_SRP") == ["PASSWORD_SRP"]
    assert parse_sign_in_methods("") == []


def test_only_user_auth_offers_more_than_the_password() -> None:
    assert client(sign_in_methods="EMAIL_OTP").offered_sign_in_methods == ["PASSWORD"]
    offered = client(auth_flow="USER_AUTH", sign_in_methods="EMAIL_OTP")
    assert offered.offered_sign_in_methods == ["EMAIL_OTP"]
    assert offered.password_method == ""
    assert client(auth_flow="USER_AUTH", sign_in_methods="PASSWORD_SRP").password_method == "PASSWORD_SRP"


@pytest.mark.django_db
@pytest.mark.parametrize("methods", ["EMAIL_OTP BOGUS", "", "  ,"])
def test_unknown_or_no_method_is_refused_for_user_auth(methods: str) -> None:
    with pytest.raises(ValidationError) as info:
        client(auth_flow="USER_AUTH", sign_in_methods=methods).full_clean()
    assert "sign_in_methods" in info.value.message_dict
