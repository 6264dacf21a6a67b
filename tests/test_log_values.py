"""``loggable``: text from outside, bounded and with no control characters."""

import pytest

from cognito_auth.log_values import loggable


@pytest.mark.parametrize(("value", "expected"), [
    ("SMS_MFA", "SMS_MFA"),
    (None, ""),
    (42, "42"),
    ("a\nb\r\x1b[31m", "a\\x0ab\\x0d\\x1b[31m"),
    ("left\u202eright\u200b", "left\\u202eright\\u200b"),  # bidi override, zero-width space
    ("\U000e0001tag", "\\U000e0001tag"),
    ("caf\u00e9 \U0001f642", "caf\u00e9 \U0001f642"),  # letters and symbols stay as they are
])
def test_control_and_format_characters_are_escaped(value, expected):
    assert loggable(value) == expected


def test_long_text_is_cut_with_a_count():
    assert loggable("X" * 100_000) == "X" * 100 + "… (99900 more characters)"
    assert loggable("X" * 600, limit=500) == "X" * 500 + "… (100 more characters)"
    assert loggable("X" * 100) == "X" * 100
