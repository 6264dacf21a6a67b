"""The typed results that replace Cognito's CodeDeliveryDetails and SignUp answers."""

import json

import pytest

from cognito_auth.results import CodeDelivery, SignUpResult

DETAILS = {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def test_code_delivery_reads_cognito_details():
    assert CodeDelivery.from_response(DETAILS) == CodeDelivery("a***@e***", "EMAIL", "email")


@pytest.mark.parametrize("details", [None, "", [], {"Destination": 7, "DeliveryMedium": None}, {}])
def test_odd_details_read_as_unknown_never_as_an_error(details):
    assert CodeDelivery.from_response(details) == CodeDelivery()


def test_stored_form_is_json_and_reads_back():
    delivery = CodeDelivery.from_response(DETAILS)
    stored = json.loads(json.dumps({"username": "alice", **delivery.stored()}))
    assert CodeDelivery.from_stored(stored) == delivery


def test_session_data_from_before_attribute_name_reads_back():
    # What sessions hold from before the dataclass: username, destination and medium only.
    stored = {"username": "alice", "destination": "+*******0100", "medium": "SMS"}
    assert CodeDelivery.from_stored(stored) == CodeDelivery("+*******0100", "SMS", "")


def test_challenge_parameters():
    parameters = {"CODE_DELIVERY_DESTINATION": "+*******0100", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS"}
    assert CodeDelivery.from_challenge(parameters) == CodeDelivery("+*******0100", "SMS")


def test_masked_email_as_cognito_masks_it():
    assert CodeDelivery.masked_email("newcomer@example.com").destination == "n***@e***"


def test_pretend_delivery_is_stable_per_name_and_looks_masked():
    first = CodeDelivery.pretend("Someone")
    assert first == CodeDelivery.pretend("someone")  # the same answer for the same name
    assert first.medium == "EMAIL" and first.attribute_name == "email"
    assert len(first.destination) == len("a***@b***") and first.destination.endswith("***")


def test_sign_up_result():
    result = SignUpResult.from_response({"UserConfirmed": False, "UserSub": "abc", "CodeDeliveryDetails": DETAILS})
    assert result == SignUpResult(False, "abc", CodeDelivery("a***@e***", "EMAIL", "email"))
    # Only Cognito's boolean confirms: anything else goes on to the code page.
    assert SignUpResult.from_response({"UserConfirmed": "true"}).user_confirmed is False
