"""pytest fixtures for testing against the strict local Cognito.

Load them from the project's root conftest::

    pytest_plugins = ["cognito_auth.testing.pytest_plugin"]

`cognito_emulator` is one emulator process for the whole session; `cognito_pool` is a
fresh pool per test with an app client that has a secret, as a production one would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from cognito_auth.testing.process import EmulatorClient, EmulatorProcess

POOL_CLIENT_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


@dataclass(frozen=True)
class CognitoPool:
    """A user pool and its secret-holding app client in the emulator."""

    pool_id: str
    client_id: str
    client_secret: str
    region: str
    endpoint_url: str
    emulator: EmulatorClient = field(repr=False, compare=False)

    def create_user(
        self,
        username: str,
        password: str,
        attributes: Mapping[str, str] | None = None,
        enabled: bool = True,
    ) -> str:
        """A CONFIRMED user in this pool (see EmulatorClient.create_user); the internal username."""
        return self.emulator.create_user(self.pool_id, username, password, attributes, enabled)

    def latest_code(self, username: str, kind: str = "forgot_password") -> str:
        """The newest code of `kind` sent to `username` (internal username) in this pool."""
        return self.emulator.latest_code(username, kind, pool_id=self.pool_id)

    def calls(self) -> list[dict[str, Any]]:
        """The recorded calls made with this pool's app client."""
        return [call for call in self.emulator.calls() if call["client_id"] == self.client_id]

    def answer_late(self, action: str) -> None:
        """Do the work of this client's next `action` call, then hold its answer until the
        test ends (see EmulatorClient.answer_late)."""
        self.emulator.answer_late(action, self.client_id)


@pytest.fixture(scope="session")
def cognito_emulator() -> Iterator[EmulatorProcess]:
    """One strict local Cognito for the test session."""
    with EmulatorProcess() as emulator:
        yield emulator


@pytest.fixture
def cognito_pool(cognito_emulator: EmulatorProcess, request: pytest.FixtureRequest) -> Iterator[CognitoPool]:
    """A fresh pool with a secret-holding app client allowing password sign-in and refresh."""
    pool_id = cognito_emulator.create_user_pool(_pool_name(request.node.name))
    client_id, client_secret = cognito_emulator.create_app_client(
        pool_id, "pytest-app-client", secret=True, flows=POOL_CLIENT_FLOWS
    )
    yield CognitoPool(
        pool_id=pool_id,
        client_id=client_id,
        client_secret=client_secret,
        region=cognito_emulator.region,
        endpoint_url=cognito_emulator.endpoint_url,
        emulator=cognito_emulator,
    )
    cognito_emulator.release_late()  # answers a test asked to hold, to a client long gone
    cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=pool_id)


def _pool_name(test_name: str) -> str:
    # Named after the test, to tell pools apart when debugging; in Cognito's pool-name alphabet.
    return re.sub(r"[^\w\s+=,.@-]", "-", f"pytest-{test_name}")[:128]
