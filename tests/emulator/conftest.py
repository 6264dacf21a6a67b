"""Fixtures for the emulator's own tests.

`cognito_emulator` and `cognito_pool` come from the emulator's pytest plugin, which the
suite's root conftest loads.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError


@pytest.fixture(scope="session")
def public_client(cognito_emulator: Any) -> Any:
    """An unsigned cognito-idp client, as the app makes for InitiateAuth and friends."""
    return boto3.client(
        "cognito-idp",
        region_name=cognito_emulator.region,
        endpoint_url=cognito_emulator.endpoint_url,
        config=Config(signature_version=UNSIGNED),
    )


def _openssl_secret_hash(secret: str, client_id: str, username: str) -> str:
    """SECRET_HASH by `openssl dgst -sha256 -hmac <secret> -binary | base64`, not by Python."""
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=(username + client_id).encode("utf-8"),
        capture_output=True,
        check=True,
    ).stdout
    encoded = subprocess.run(["base64"], input=digest, capture_output=True, check=True).stdout
    return encoded.decode("ascii").strip()


@pytest.fixture(scope="session")
def openssl_hash() -> Callable[[str, str, str], str]:
    """openssl_hash(secret, client_id, username): an independent SECRET_HASH."""
    if shutil.which("openssl") is None or shutil.which("base64") is None:
        pytest.skip("needs the openssl and base64 commands")
    return _openssl_secret_hash


@pytest.fixture
def pool_hash(cognito_pool: Any, openssl_hash: Callable[[str, str, str], str]) -> Callable[[str], str]:
    """pool_hash(username): the right SECRET_HASH for the cognito_pool's app client."""
    return lambda username: openssl_hash(cognito_pool.client_secret, cognito_pool.client_id, username)


@pytest.fixture
def sign_in(public_client: Any, cognito_pool: Any, pool_hash: Callable[[str], str]) -> Callable[..., Any]:
    """sign_in(username, password): USER_PASSWORD_AUTH with the right SECRET_HASH."""

    def sign_in(username: str, password: str) -> Any:
        return public_client.initiate_auth(
            ClientId=cognito_pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password, "SECRET_HASH": pool_hash(username)},
        )

    return sign_in


@pytest.fixture(scope="session")
def expect_error() -> Callable[..., dict[str, str]]:
    """expect_error(call, code, message=None): assert `call` fails with that Cognito error."""

    def expect(call: Callable[[], Any], code: str, message: str | None = None) -> dict[str, str]:
        with pytest.raises(ClientError) as info:
            call()
        error = info.value.response["Error"]
        assert error["Code"] == code, error
        if message is not None:
            assert error["Message"] == message, error
        return error

    return expect
