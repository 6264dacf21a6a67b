"""Read-only views of moto's in-process Cognito state, for the emulator's checks.

Moto keeps every pool, client, user and token in `cognitoidp_backends`, keyed by account
and region. Unsigned calls (InitiateAuth, ForgotPassword...) carry no region, so moto
itself searches every backend for a client id; these helpers do the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from moto.cognitoidp.models import (
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
    cognitoidp_backends,
)


@dataclass(frozen=True)
class AppClient:
    """An app client together with its pool, as moto stores them."""

    pool: CognitoIdpUserPool
    client: CognitoIdpUserPoolClient

    @property
    def id(self) -> str:
        return self.client.id

    @property
    def secret(self) -> str | None:
        # Moto makes a secret for every client but only uses (and reveals) it when asked to.
        return self.client.secret if self.client.generate_secret else None

    @property
    def explicit_auth_flows(self) -> list[str]:
        # Stored verbatim from CreateUserPoolClient/UpdateUserPoolClient.
        return list(self.client.extended_config.get("ExplicitAuthFlows") or [])

    @property
    def prevents_user_existence_errors(self) -> bool:
        # Unset through the API means LEGACY (only the console defaults to ENABLED).
        return self.client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def iter_pools() -> Iterator[CognitoIdpUserPool]:
    # list() copies: another request thread may create a pool or backend meanwhile.
    for account_backends in list(cognitoidp_backends.values()):
        for backend in list(account_backends.values()):
            yield from list(backend.user_pools.values())


def find_app_client(client_id: str | None) -> AppClient | None:
    for pool in iter_pools():
        client = pool.clients.get(client_id or "")
        if client is not None:
            return AppClient(pool, client)
    return None


def find_pool(pool_id: str | None) -> CognitoIdpUserPool | None:
    return next((pool for pool in iter_pools() if pool.id == pool_id), None)


def find_pool_by_access_token(access_token: str | None) -> CognitoIdpUserPool | None:
    return next((pool for pool in iter_pools() if (access_token or "") in pool.access_tokens), None)


def find_user(pool: CognitoIdpUserPool, username: str | None) -> CognitoIdpUser | None:
    """The user `username` signs in as: the username itself or a UsernameAttributes value.

    This is moto's own lookup; like moto it is case-sensitive and ignores AliasAttributes.
    """
    if not username:
        return None
    return pool._get_user(username)


def password_policy(pool: CognitoIdpUserPool) -> dict:
    return pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
