"""budget.py: one deadline per request, timeouts cut to fit it, follow-ups skipped."""

import logging

import pytest

from cognito_auth import budget
from cognito_auth.exceptions import ServiceUnavailable


def test_outside_a_request_there_is_no_deadline_and_timeouts_are_the_settings():
    assert budget.remaining() is None
    assert budget.timeouts(1.0, 6.0) == (1.0, 6.0)
    assert budget.allows_follow_up("anything")


def test_the_outer_budget_holds_and_ends_with_its_block(settings):
    settings.COGNITO_AUTH_REQUEST_BUDGET = 9.0
    with budget.request_budget():
        outer = budget.remaining()
        settings.COGNITO_AUTH_REQUEST_BUDGET = 100.0
        with budget.request_budget():
            assert budget.remaining() <= outer <= 9.0
    assert budget.remaining() is None


def test_a_full_budget_keeps_the_settings_timeouts(settings):
    # So a healthy request uses the same (cached) boto3 client as one without a budget.
    settings.COGNITO_AUTH_REQUEST_BUDGET = 9.0
    with budget.request_budget():
        assert budget.timeouts(1.0, 6.0) == (1.0, 6.0)


@pytest.mark.parametrize("seconds", [1.2, 1.7, 2.5, 4.0, 8.9])
def test_cut_timeouts_fit_what_is_left_in_tiers(settings, seconds):
    settings.COGNITO_AUTH_REQUEST_BUDGET = seconds
    with budget.request_budget():
        connect, read = budget.timeouts(1.0, 6.0)
    assert connect + read <= seconds
    assert connect >= budget.TIER and read >= budget.TIER
    assert (connect / budget.TIER).is_integer() and (read / budget.TIER).is_integer()


def test_too_little_time_is_not_sent_and_a_follow_up_is_skipped_with_a_warning(settings, caplog):
    settings.COGNITO_AUTH_REQUEST_BUDGET = 0.5
    with budget.request_budget():
        with pytest.raises(ServiceUnavailable, match="not sent"):
            budget.timeouts(1.0, 6.0, "InitiateAuth")
        with caplog.at_level(logging.WARNING, logger="cognito_auth"):
            assert not budget.allows_follow_up("RevokeToken")
    assert "Skipped RevokeToken" in caplog.text


def test_none_turns_the_budget_off(settings):
    settings.COGNITO_AUTH_REQUEST_BUDGET = None
    with budget.request_budget():
        assert budget.remaining() is None
