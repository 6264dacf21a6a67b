"""TOTP set-up in a real browser without JavaScript: the QR code must be on screen and
scannable. The screenshot is decoded with zxing-cpp, and what it reads must be the
otpauth:// URI naming the site and the person, with the key shown as text."""

from __future__ import annotations

import pytest

from . import journeys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_totp_set_up_shows_a_scannable_qr_code(page, journey, cognito_pool, app_client_for_pool):
    journeys.totp_set_up(page, journey, cognito_pool)
