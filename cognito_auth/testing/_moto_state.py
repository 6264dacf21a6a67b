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

from ._cognito_rules import SignInNames


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


def sign_in_names(pool: CognitoIdpUserPool) -> SignInNames:
    """The pool's sign-in options: UsernameAttributes, AliasAttributes, case sensitivity."""
    config = pool.extended_config
    case_sensitive = (config.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
    return SignInNames(
        username_attributes=config.get("UsernameAttributes") or (),
        alias_attributes=config.get("AliasAttributes") or (),
        case_sensitive=case_sensitive is not False,
    )


def user_attributes(pool: CognitoIdpUserPool) -> dict[str, dict[str, str]]:
    """Internal username -> attributes, for every user of the pool."""
    # list() copies: another request thread may add a user meanwhile.
    return {user.username: dict(user.attribute_lookup) for user in list(pool.users.values())}


def find_user(pool: CognitoIdpUserPool, username: str | None) -> CognitoIdpUser | None:
    """The user `username` signs in as, resolved as Cognito does (see SignInNames):
    the username, a UsernameAttributes value, a verified alias, in any letter case
    where the pool is case-insensitive. Moto's own lookup knows only the first two,
    and only in the exact letter case."""
    internal = sign_in_names(pool).find(username or "", user_attributes(pool))
    return pool.users.get(internal) if internal is not None else None


def password_policy(pool: CognitoIdpUserPool) -> dict:
    return pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
