"""pytest fixtures for testing against the strict local Cognito.

Load them from the project's root conftest::

    pytest_plugins = ["cognito_auth.testing.pytest_plugin"]

`cognito_emulator` is one emulator process for the whole session; `cognito_pool` is a
fresh pool per test with an app client that has a secret, as a production one would.
`cognito_pool_factory` makes more such pools, with other sign-in options::

    def test_sign_in_by_email(cognito_pool_factory):
        pool = cognito_pool_factory(alias_attributes=["email"], case_sensitive=False)
        pool.create_user("alice", "Correct-horse-7", {"email": "alice@example.com"})

Users for every sign-in step, made through the same APIs an administrator or app uses::

    def test_sign_in_steps(cognito_pool):
        cognito_pool.create_invited_user("ivy", "Temporary-pass-1")    # NEW_PASSWORD_REQUIRED
        cognito_pool.create_sms_mfa_user("sam", "Correct-horse-7", "+15555550100")  # SMS_MFA
        totp = cognito_pool.create_totp_user("tom", "Correct-horse-7")  # SOFTWARE_TOKEN_MFA
        totp.code()                                                     # the current code
        cognito_pool.create_mfa_setup_user("una", "Correct-horse-7")    # MFA_SETUP (MFA now ON)
        cognito_pool.latest_code("sam", kind="sms_mfa")                 # the code sent
        cognito_pool.expire_sign_in_sessions()                          # as after 3 minutes

Passkeys: on for the pool (WEB_AUTHN a first factor, relying party "localhost"), then
registered through the public API with cognito_auth.testing.authenticator::

    cognito_pool.enable_passkeys()

Groups, listed in the ID and access tokens' ``cognito:groups``::

    cognito_pool.set_groups("alice", "staff", "editors")   # exactly these groups
    cognito_pool.set_groups("alice")                       # in no group
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyotp
import pytest

from cognito_auth.testing.process import EmulatorClient, EmulatorProcess

POOL_CLIENT_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
# An app client for choice-based sign-in (USER_AUTH), SRP too (PASSWORD_SRP needs no other flag).
USER_AUTH_CLIENT_FLOWS = ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
# CreateUserPool's Policies for a pool that allows every first factor the emulator has.
PASSWORDLESS_POLICIES = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}}


@dataclass(frozen=True)
class TotpUser:
    """A user with a verified TOTP authenticator: their internal username and its secret."""

    username: str
    secret: str = field(repr=False)

    def code(self) -> str:
        """The authenticator's code for now (RFC 6238, 30-second steps, 6 digits)."""
        return pyotp.TOTP(self.secret).now()


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

    def configure_app_client(
        self, *, token_validity: int | None = None, rotation: bool | None = None, grace_period: int = 0,
        flows: Sequence[str] = POOL_CLIENT_FLOWS,
    ) -> None:
        """UpdateUserPoolClient for this pool's app client, keeping its sign-in flows.

        `token_validity`: seconds the access and ID tokens are valid (the seconds unit,
        which the emulator accepts below Cognito's five-minute floor for tests). `rotation`:
        RefreshTokenRotation ENABLED or DISABLED, with `grace_period` seconds
        (RetryGracePeriodSeconds, 0 to 60) for a rotated-out refresh token. `flows`: its
        ExplicitAuthFlows (``USER_AUTH_CLIENT_FLOWS`` for choice-based sign-in).
        """
        options: dict[str, Any] = {"ExplicitAuthFlows": list(flows)}
        if token_validity is not None:
            options.update(
                AccessTokenValidity=token_validity, IdTokenValidity=token_validity,
                TokenValidityUnits={"AccessToken": "seconds", "IdToken": "seconds"},
            )
        if rotation is not None:
            options["RefreshTokenRotation"] = {
                "Feature": "ENABLED" if rotation else "DISABLED", "RetryGracePeriodSeconds": grace_period,
            }
        self.emulator.boto3_admin_client().update_user_pool_client(
            UserPoolId=self.pool_id, ClientId=self.client_id, **options
        )

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

    def set_groups(self, username: str, *groups: str) -> None:
        """Make the user a member of exactly these groups of this pool (created when
        missing; none: out of every group). Tokens issued from then on carry them in
        ``cognito:groups``."""
        self.emulator.set_user_groups(self.pool_id, username, groups)

    # Sign-in steps ---------------------------------------------------------------------

    def create_invited_user(
        self, username: str, temporary_password: str, attributes: Mapping[str, str] | None = None
    ) -> str:
        """A user an administrator invited (FORCE_CHANGE_PASSWORD): signing in with the
        temporary password gets NEW_PASSWORD_REQUIRED. Returns the internal username."""
        return self.emulator.create_invited_user(self.pool_id, username, temporary_password, attributes)

    def configure_mfa(
        self, mfa_configuration: str = "OPTIONAL", *, sms: bool = False, totp: bool = False, email: bool = False
    ) -> None:
        """SetUserPoolMfaConfig: "OFF", "ON" (required) or "OPTIONAL", and the factors allowed."""
        self.emulator.set_mfa_config(self.pool_id, mfa_configuration, sms=sms, totp=totp, email=email)

    def enable_passkeys(self, relying_party_id: str | None = "localhost", **webauthn: str) -> None:
        """Passkeys on for this pool, with this relying party ID (see EmulatorClient.enable_passkeys)."""
        self.emulator.enable_passkeys(self.pool_id, relying_party_id, **webauthn)

    def create_sms_mfa_user(
        self, username: str, password: str, phone_number: str, attributes: Mapping[str, str] | None = None
    ) -> str:
        """A user whose sign-in asks for a code texted to `phone_number` (SMS_MFA, on and
        preferred); the pool allows SMS MFA from now on. Returns the internal username."""
        self.emulator.allow_mfa(self.pool_id, sms=True)
        internal = self.create_user(username, password, {**(attributes or {}), "phone_number": phone_number})
        self.emulator.set_user_mfa(self.pool_id, internal, sms=True, preferred="SMS_MFA")
        return internal

    def create_email_mfa_user(
        self, username: str, password: str, email: str, attributes: Mapping[str, str] | None = None
    ) -> str:
        """A user whose sign-in asks for a code emailed to `email` (EMAIL_OTP, on and
        preferred); the pool allows email MFA from now on. Returns the internal username."""
        self.emulator.allow_mfa(self.pool_id, email=True)
        internal = self.create_user(username, password, {**(attributes or {}), "email": email})
        self.emulator.set_user_mfa(self.pool_id, internal, email=True, preferred="EMAIL_OTP")
        return internal

    def create_totp_user(
        self, username: str, password: str, attributes: Mapping[str, str] | None = None
    ) -> TotpUser:
        """A user with a verified authenticator app (SOFTWARE_TOKEN_MFA, on and preferred),
        registered through AssociateSoftwareToken / VerifySoftwareToken; the pool allows TOTP
        MFA from now on. `.code()` gives the current code."""
        self.emulator.allow_mfa(self.pool_id, totp=True)
        internal = self.create_user(username, password, attributes)
        secret = self.emulator.register_totp(self.client_id, self.client_secret, internal, password)
        return TotpUser(internal, secret)

    def create_mfa_setup_user(
        self, username: str, password: str, attributes: Mapping[str, str] | None = None
    ) -> str:
        """A user with no MFA in a pool that requires it (MFA "ON", TOTP allowed): signing
        in gets MFA_SETUP. Turns MFA on for the whole pool. Give the user no phone number
        or email when the pool also allows SMS or email MFA, or Cognito texts them a code
        instead. Returns the internal username."""
        self.emulator.allow_mfa(self.pool_id, totp=True)
        config = self.emulator.mfa_config(self.pool_id)
        self.emulator.set_mfa_config(
            self.pool_id,
            "ON",
            sms=bool(config.get("SmsMfaConfiguration")),
            totp=True,
            email=bool(config.get("EmailMfaConfiguration")),
        )
        return self.create_user(username, password, attributes)

    def expire_sign_in_sessions(self) -> int:
        """Expire this pool's open challenge sessions, as if 3 minutes had passed."""
        return self.emulator.expire_sessions(pool_id=self.pool_id)


def create_pool(
    emulator: EmulatorClient,
    name: str,
    *,
    alias_attributes: Sequence[str] = (),
    username_attributes: Sequence[str] = (),
    case_sensitive: bool | None = None,
    **pool_options: Any,
) -> CognitoPool:
    """A fresh pool named `name` in `emulator` (any emulator process: the session's, or a
    service stack's own), with a secret-holding app client allowing password sign-in and
    refresh. The keywords are `cognito_pool_factory`'s. Nothing deletes it: the caller does,
    or the emulator's end does.

    :raises botocore.exceptions.ClientError: CreateUserPool refused an option.
    """
    pool_id = emulator.create_user_pool(
        name,
        alias_attributes=alias_attributes,
        username_attributes=username_attributes,
        case_sensitive=case_sensitive,
        **pool_options,
    )
    client_id, client_secret = emulator.create_app_client(
        pool_id, "pytest-app-client", secret=True, flows=POOL_CLIENT_FLOWS
    )
    return CognitoPool(
        pool_id=pool_id,
        client_id=client_id,
        client_secret=client_secret,
        region=emulator.region,
        endpoint_url=emulator.endpoint_url,
        emulator=emulator,
    )


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

    def create(**options: Any) -> CognitoPool:  # CognitoPoolFactory's keywords
        pool = create_pool(cognito_emulator, _pool_name(request.node.name), **options)
        pool_ids.append(pool.pool_id)
        return pool

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
