"""Fixtures for the doctor, rotation and admin-tool tests, all against the strict emulator.

No test here sees AWS credentials from the machine it runs on: those that want some ask
for ``aws_credentials`` (the emulator accepts any).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cognito_auth.models import AppClient

AWS_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
)


@pytest.fixture(autouse=True)
def no_aws_credentials(monkeypatch, tmp_path):
    """boto3's credential chain finds nothing, at once (no instance-metadata lookup)."""
    for name in AWS_CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws_credentials(monkeypatch):
    """Credentials in the environment, as boto3's default chain finds them first."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture
def make_cognito_client(cognito_pool) -> Callable[..., tuple[str, str]]:
    """make_cognito_client(secret=..., **CreateUserPoolClient options): a further app
    client in cognito_pool's pool; returns (client id, secret or "")."""
    admin = cognito_pool.emulator.boto3_admin_client()

    def make(*, secret: bool = True, **options: Any) -> tuple[str, str]:
        options.setdefault("ExplicitAuthFlows", ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
        options.setdefault("PreventUserExistenceErrors", "ENABLED")
        created = admin.create_user_pool_client(
            UserPoolId=cognito_pool.pool_id, ClientName="doctor-test", GenerateSecret=secret, **options
        )["UserPoolClient"]
        return created["ClientId"], created.get("ClientSecret", "")

    return make


@pytest.fixture
def stored_client(db, cognito_pool) -> Callable[..., AppClient]:
    """stored_client(client_id=..., client_secret=..., **fields): an AppClient row for the
    emulator, by default for cognito_pool's own app client with its right secret."""
    counter = iter(range(1, 1000))

    def store(**fields: Any) -> AppClient:
        values = {
            "name": f"doctor-{next(counter)}",
            "region": cognito_pool.region,
            "user_pool_id": cognito_pool.pool_id,
            "client_id": cognito_pool.client_id,
            "client_secret": cognito_pool.client_secret,
            "endpoint_url": cognito_pool.endpoint_url,
        }
        return AppClient.objects.create(**{**values, **fields})

    return store
