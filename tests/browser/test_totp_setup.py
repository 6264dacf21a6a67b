"""TOTP set-up in a real browser without JavaScript: the QR code must be on screen and
scannable. The screenshot is decoded with zxing-cpp, and what it reads must be the
otpauth:// URI naming the site and the person, with the key shown as text."""

from __future__ import annotations

import struct
import zlib
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
import zxingcpp

PASSWORD = "Correct-Horse-7-battery"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def grey_pixels(png: bytes) -> tuple[int, int, bytes]:
    """(width, height, one byte of grey per pixel) of an 8-bit RGB(A), non-interlaced PNG,
    as chromium's screenshots are (RFC 2083: IHDR, IDAT, filters 0-4)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data = 8, b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    raw, stride = zlib.decompress(data), width * channels
    previous, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                nearest = min((abs(estimate - left), 0, left), (abs(estimate - up), 1, up),
                              (abs(estimate - corner), 2, corner))[2]
                line[i] = (line[i] + nearest) & 0xFF
        rows.append(bytes(line[i] * 30 // 100 + line[i + 1] * 59 // 100 + line[i + 2] * 11 // 100
                          for i in range(0, stride, channels)))
        previous = line
    return width, height, b"".join(rows)


def test_totp_set_up_shows_a_scannable_qr_code(page, journey, cognito_pool, app_client_for_pool, live_server):
    cognito_pool.create_mfa_setup_user("una", PASSWORD)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("una")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
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
    host = urlsplit(live_server.url).netloc
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/{host}:una"
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": [host]}
    page.get_by_label("Code").fill("")
    page.get_by_role("button", name="Verify and sign in").click()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    journey.step("totp-setup-no-code")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify and sign in").click()
    assert page.locator("h1").inner_text() == "Signed in as una"
    journey.step("signed-in")
