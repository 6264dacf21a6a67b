"""pytest fixtures for testing against the strict local Cognito.

Load them from the project's root conftest::

    pytest_plugins = ["cognito_auth.testing.pytest_plugin"]

`cognito_emulator` is one emulator process for the whole session; `cognito_pool` is a
fresh pool per test with an app client that has a secret, as a production one would.
`cognito_pool_factory` makes more such pools, with other sign-in options::

    def test_sign_in_by_email(cognito_pool_factory):
        pool = cognito_pool_factory(alias_attributes=["email"], case_sensitive=False)
        pool.create_user("alice", "Correct-horse-7", {"email": "alice@example.com"})
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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


class CognitoPoolFactory(Protocol):
    def __call__(
        self,
        *,
        alias_attributes: Sequence[str] = (),
        username_attributes: Sequence[str] = (),
        case_sensitive: bool | None = None,
        **pool_options: Any,
    ) -> CognitoPool: ...


@pytest.fixture
def cognito_pool_factory(
    cognito_emulator: EmulatorProcess, request: pytest.FixtureRequest
) -> Iterator[CognitoPoolFactory]:
    """Make fresh pools, each with a secret-holding app client allowing password sign-in
    and refresh; all are deleted after the test.

    Keywords: `alias_attributes` (e.g. ["email", "preferred_username"]: a verified email
    or phone, or a preferred_username, signs the user in too), `username_attributes`
    (["email"] and/or "phone_number": they sign in instead of a username, and the
    internal username is the sub), `case_sensitive` (False: usernames and aliases match
    in any letter case), and any other CreateUserPool parameter.
    """
    pool_ids: list[str] = []

    def create(
        *,
        alias_attributes: Sequence[str] = (),
        username_attributes: Sequence[str] = (),
        case_sensitive: bool | None = None,
        **pool_options: Any,
    ) -> CognitoPool:
        pool_id = cognito_emulator.create_user_pool(
            _pool_name(request.node.name),
            alias_attributes=alias_attributes,
            username_attributes=username_attributes,
            case_sensitive=case_sensitive,
            **pool_options,
        )
        pool_ids.append(pool_id)
        client_id, client_secret = cognito_emulator.create_app_client(
            pool_id, "pytest-app-client", secret=True, flows=POOL_CLIENT_FLOWS
        )
        return CognitoPool(
            pool_id=pool_id,
            client_id=client_id,
            client_secret=client_secret,
            region=cognito_emulator.region,
            endpoint_url=cognito_emulator.endpoint_url,
            emulator=cognito_emulator,
        )

    yield create
    cognito_emulator.release_late()  # answers a test asked to hold, to a client long gone
    for pool_id in pool_ids:
        cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=pool_id)


@pytest.fixture
def cognito_pool(cognito_pool_factory: CognitoPoolFactory) -> CognitoPool:
    """A fresh pool with a secret-holding app client allowing password sign-in and refresh."""
    return cognito_pool_factory()


def _pool_name(test_name: str) -> str:
    # Named after the test, to tell pools apart when debugging; in Cognito's pool-name alphabet.
    return re.sub(r"[^\w\s+=,.@-]", "-", f"pytest-{test_name}")[:128]
