"""Whatever an endpoint answers reaches a log line bounded and on one line.

A fake Cognito on loopback (allowed by host, as an emulator is) answers with a challenge
name of 100,000 characters, an error code and text of that size with newlines and
terminal escapes: the kind of answer a hostile or broken endpoint gives. Every
``cognito_auth`` log record stays one line of bounded size, and so does the client's
*last failure* the admin shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from loopback import LoopbackServer, QuietHandler

from cognito_auth.models import AppClient

from .conftest import Site

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = 100_000
FORGED = "\n2026-01-01 00:00:00 ERROR cognito_auth: FORGED LINE \x1b[2J"
# Each kind of hostile answer, as (HTTP status, JSON body).
ANSWERS = {
    "challenge_name": (200, {"ChallengeName": "X" * HUGE + FORGED, "Session": "s"}),
    "configuration_error": (400, {"__type": "NotAuthorizedException",
                                  "message": "Unable to verify secret hash for client c" + "Z" * HUGE + FORGED}),
    "unknown_error": (500, {"__type": "InternalErrorException" + "Y" * HUGE + FORGED,
                            "message": "W" * HUGE + FORGED}),
    "hidden_refusal": (400, {"__type": "NotAuthorizedException", "message": "V" * HUGE + FORGED}),
}


class FakeCognito(LoopbackServer):
    """Answers every call with ``self.answer``; loopback only."""

    def __init__(self) -> None:
        fake = self
        self.answer: tuple[int, dict] = (200, {})

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, body = fake.answer
                self.send_json(body, status, content_type="application/x-amz-json-1.1")

        super().__init__(Handler)


@pytest.fixture
def fake_cognito() -> Iterator[FakeCognito]:
    server = FakeCognito()
    yield server
    server.close()


@pytest.mark.parametrize("kind", ANSWERS)
def test_a_hostile_answer_reaches_the_log_bounded_and_on_one_line(site, fake_cognito, caplog, kind):
    app_client = AppClient.objects.create(
        name="hostile", region="us-east-1", user_pool_id="us-east-1_Hostile1", client_id="hostileclient",
        client_secret="hostile-secret", endpoint_url=fake_cognito.url, is_default=True,
    )
    fake_cognito.answer = ANSWERS[kind]
    with caplog.at_level(logging.DEBUG, logger="cognito_auth"):
        login = site.login("victim", "victims-Password-1")
        reset = Site(site.base_url).post_form("/accounts/password_reset/confirm/", {
            "username": "victim", "code": "123456", "new_password1": "New-password-1",
            "new_password2": "New-password-1",
        })
    assert login.status_code == 200 and reset.status_code in (200, 302)
    for response in (login, reset):
        assert "FORGED" not in response.text and "X" * 1000 not in response.text
    records = [r for r in caplog.records if r.name.startswith("cognito_auth")]
    assert records or kind == "unknown_error"  # an error this app does not know is not logged
    for record in records:
        line = record.getMessage()
        assert "\n" not in line and "\x1b" not in line, line[:300]
        assert len(line) < 2000, line[:300]
    app_client.refresh_from_db()
    assert "\n" not in app_client.last_failure_reason and len(app_client.last_failure_reason) < 2000
