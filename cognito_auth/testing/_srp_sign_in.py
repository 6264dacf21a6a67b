"""USER_SRP_AUTH and its PASSWORD_VERIFIER answer, as the strict emulator answers them.

Moto answers USER_SRP_AUTH with made-up numbers and then accepts any claim, so a wrong
password signs in. `SrpSignIns` runs the server side of SRP (``_srp_server``) from the
password moto stores:

- InitiateAuth(USER_SRP_AUTH) answers PASSWORD_VERIFIER with a real SALT, SRP_B and
  SECRET_BLOCK, and USER_ID_FOR_SRP (also as USERNAME) naming the internal username.
  The salt stays the same while the password does, as Cognito keeps one per password.
- An unknown user gets UserNotFoundException, or, where the app client prevents user
  existence errors, a simulated challenge (the same salt and a UUID-form user id for the
  same name and pool) whose answer is refused as a wrong password.
- A disabled user is refused at once, and an unconfirmed one gets UserNotConfirmed
  before any password is proved, as with USER_PASSWORD_AUTH.
- RespondToAuthChallenge(PASSWORD_VERIFIER): the SECRET_HASH is checked over
  USER_ID_FOR_SRP (never the name typed), then the challenge is used up, its age checked
  against the app client's AuthSessionValidity, and the claim verified; every failed proof
  is NotAuthorizedException "Incorrect username or password.". A right one answers as a
  password sign-in does: the next step (NEW_PASSWORD_REQUIRED, MFA...) or tokens.

Cognito returns no Session with PASSWORD_VERIFIER (SECRET_BLOCK is its state), and AWS's
own clients and pycognito answer without one, so the challenge is found by its block.

Sources: Amazon Cognito Developer Guide, "Managing user existence error responses" (the
simulated SRP answer) and "User pool authentication flows"; API Reference, InitiateAuth
and RespondToAuthChallenge (PASSWORD_VERIFIER's parameters); RFC 5054.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.cognitoidp.models import UserStatus

from cognito_auth.srp import SrpError

from . import _cognito_rules as rules
from ._challenges import DEFAULT_SESSION_MINUTES, EXPIRED_SESSION, SignInSteps, VerifyHash, issue_tokens
from ._moto_state import AppClient, find_user
from ._srp_server import SALT_BYTES, PasswordClaimRefused, PasswordVerifierChallenge, start_password_verifier

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105 - a Cognito name, not a secret
INVALID_SRP_A = "SRP_A is not a valid SRP value."
CLAIM_RESPONSES = ("USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP")


@dataclass
class _PendingClaim:
    """One PASSWORD_VERIFIER challenge issued and not yet answered."""

    challenge: PasswordVerifierChallenge
    pool_id: str
    client_id: str
    # The user's internal username; "" for a simulated challenge (no such user).
    username: str
    # Which password the verifier was made from: a claim made after the password changed
    # proves an old one.
    password_digest: bytes = field(repr=False)
    expires_at: float


class SrpSignIns:
    """The SRP sign-ins of one emulator. Not thread-safe: the middleware's lock guards it.

    `clock` gives seconds (monotonic) for expiry; `now` the aware time TIMESTAMPs are
    judged against.
    """

    def __init__(
        self,
        steps: SignInSteps,
        verify_hash: VerifyHash,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._steps = steps
        self._verify_hash = verify_hash
        self._clock = clock
        self._now = now
        self._pending: dict[str, _PendingClaim] = {}
        # Keys the salts and the simulated user ids: stable within one emulator run.
        self._key = secrets.token_bytes(32)

    def start(self, app_client: AppClient, username: str, srp_a: Any) -> dict[str, Any]:
        """InitiateAuth(USER_SRP_AUTH) for ``username`` as typed (its SECRET_HASH checked).

        :raises rules.CognitoError: a missing or invalid SRP_A, an unknown user (unless the
            client prevents user existence errors), a disabled or unconfirmed user.
        """
        if not isinstance(srp_a, str) or not srp_a:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "Missing required parameter SRP_A")
        pool = app_client.pool
        user = find_user(pool, username)
        if user is None:
            if not app_client.prevents_user_existence_errors:
                raise rules.CognitoError(rules.USER_NOT_FOUND, rules.USER_DOES_NOT_EXIST)
            # A simulated answer, the same for the same name: nothing tells it from a real one.
            user_id, internal, password = self._simulated_user_id(pool.id, username), "", secrets.token_urlsafe(32)
            salted = ""  # a salt that never changes for this name
        else:
            if not user.enabled:
                raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
            if user.status is UserStatus.UNCONFIRMED:
                # As with USER_PASSWORD_AUTH: Cognito says so before any password is proved.
                raise rules.CognitoError(rules.NOT_CONFIRMED, rules.USER_NOT_CONFIRMED)
            # Moto keeps None for a user created without a password: no claim can match.
            user_id = internal = user.username
            password = user.password if user.password is not None else secrets.token_urlsafe(32)
            salted = password
        try:
            challenge = start_password_verifier(
                pool.id, user_id, password, srp_a, salt=self._salt(pool.id, user_id, salted),
            )
        except SrpError as exc:
            raise rules.CognitoError(rules.INVALID_PARAMETER, INVALID_SRP_A) from exc
        minutes = app_client.client.extended_config.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES
        self._drop_expired()
        self._pending[challenge.secret_block] = _PendingClaim(
            challenge=challenge,
            pool_id=pool.id,
            client_id=app_client.id,
            username=internal,
            password_digest=self._digest(password),
            expires_at=self._clock() + 60 * int(minutes),
        )
        return {
            "ChallengeName": PASSWORD_VERIFIER,
            "ChallengeParameters": {**challenge.challenge_parameters, "USERNAME": user_id},
        }

    def respond(self, app_client: AppClient, params: dict[str, Any]) -> dict[str, Any]:
        """RespondToAuthChallenge(PASSWORD_VERIFIER): the next step or tokens.

        :raises rules.CognitoError: a missing parameter, a SECRET_HASH not over
            USER_ID_FOR_SRP, an unknown, used or expired challenge, a claim that does not
            prove the password, a disabled user, or a password reset required.
        """
        responses = params.get("ChallengeResponses")
        responses = responses if isinstance(responses, dict) else {}
        for name in CLAIM_RESPONSES:
            if not isinstance(responses.get(name), str) or not responses[name]:
                raise rules.CognitoError(rules.INVALID_PARAMETER, f"Missing required parameter {name}")
        block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
        pending = self._pending.get(block)
        if pending is None or pending.client_id != app_client.id:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        # Checked before the challenge is used up: a hash Cognito refuses changes nothing,
        # so a client may send it again made with its other secret during a rotation.
        self._verify_hash(app_client, responses.get("SECRET_HASH"), pending.challenge.user_id_for_srp)
        del self._pending[block]  # single use, whatever comes next
        if pending.expires_at <= self._clock():
            raise rules.CognitoError(rules.NOT_AUTHORIZED, EXPIRED_SESSION)
        pool = app_client.pool
        user = pool.users.get(pending.username) if pending.username else None
        if user is None or find_user(pool, responses["USERNAME"]) is not user:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        try:
            pending.challenge.verify(responses, self._now())
        except PasswordClaimRefused:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS) from None
        if user.password is None or not hmac.compare_digest(pending.password_digest, self._digest(user.password)):
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        if user.status is UserStatus.RESET_REQUIRED:
            raise rules.CognitoError(rules.RESET_REQUIRED, rules.PASSWORD_RESET_REQUIRED)
        return self._steps.after_password(app_client, user) or issue_tokens(app_client, user)

    def expire(self, *, pool_id: str = "", client_id: str = "") -> int:
        """Make the open PASSWORD_VERIFIER challenges of a pool or app client (all, with
        neither) expired; the number expired."""
        now = self._clock()
        expired = 0
        for pending in self._pending.values():
            if (not pool_id or pending.pool_id == pool_id) and (not client_id or pending.client_id == client_id):
                pending.expires_at = min(pending.expires_at, now - 1)
                expired += 1
        return expired

    def _drop_expired(self) -> None:
        now = self._clock()
        for block in [block for block, pending in self._pending.items() if pending.expires_at <= now]:
            del self._pending[block]

    def _salt(self, pool_id: str, user_id: str, password: str) -> bytes:
        # One salt per (user, password), as Cognito stores one when a password is set.
        message = "\0".join((pool_id, user_id, password)).encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:SALT_BYTES]

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode(), hashlib.sha256).digest()

    def _simulated_user_id(self, pool_id: str, username: str) -> str:
        digest = hmac.new(self._key, f"{pool_id}\0{username}".encode(), hashlib.sha256).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))
