"""The server side of Cognito's SRP sign-in, for the emulator: moto accepts any claim.

The emulator knows each user's plain password, so it builds what Cognito stores when a
password is set (salt and verifier v = g^x) on the fly. On InitiateAuth(USER_SRP_AUTH),
:func:`start_password_verifier` draws b, computes B = k*v + g^b and, already knowing A,
the key both sides derive; it returns the PASSWORD_VERIFIER challenge to keep with the
Cognito Session. On RespondToAuthChallenge, :meth:`PasswordVerifierChallenge.verify`
checks the claim, so a wrong password fails as it does on Cognito.

The arithmetic and encodings are the client's, from :mod:`cognito_auth.srp`; the
protocol is SRP-6a (RFC 5054 section 2.6) with Cognito's encodings described there.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cognito_auth.srp import (
    SECRET_EXPONENT_BITS,
    Arithmetic,
    G,
    K,
    N,
    SrpError,
    claim_signature,
    derive_key,
    parse_cognito_timestamp,
    parse_hex,
    pool_name,
    powmod_for,
    private_key,
    scrambling_parameter,
)

#: How far a claim's TIMESTAMP may stray from the emulator's clock. AWS documents no bound;
#: people report that Cognito refuses SRP sign-ins once a device's clock is more than about
#: five minutes off (amazon-cognito-auth-js issue 199), and the emulator follows that.
MAX_CLOCK_SKEW = timedelta(minutes=5)

SALT_BYTES = 16
# Cognito's SECRET_BLOCK is an opaque, encrypted blob of several hundred bytes; the client
# only decodes it and signs it, so random bytes of that order stand in for it.
SECRET_BLOCK_BYTES = 512


class PasswordClaimRefused(SrpError):
    """The PASSWORD_VERIFIER answer does not prove the password.

    The emulator answers every such case as Cognito does: NotAuthorizedException,
    "Incorrect username or password."; the message here says which check failed, for tests.
    """


@dataclass(frozen=True)
class PasswordVerifierChallenge:
    """One issued PASSWORD_VERIFIER challenge: what the emulator keeps until the answer.

    Holds the derived key, not the password, b or the verifier.
    """

    pool: str
    user_id_for_srp: str
    salt: str
    srp_b: str
    secret_block: str
    key: bytes = field(repr=False)

    @property
    def challenge_parameters(self) -> dict[str, str]:
        """ChallengeParameters of the PASSWORD_VERIFIER challenge, as Cognito names them.

        USERNAME is left out: the emulator adds the internal username it answers with.
        """
        return {
            "SALT": self.salt,
            "SRP_B": self.srp_b,
            "SECRET_BLOCK": self.secret_block,
            "USER_ID_FOR_SRP": self.user_id_for_srp,
        }

    def verify(self, challenge_responses: Mapping[str, str], now: datetime) -> None:
        """Check a RespondToAuthChallenge answer's PASSWORD_CLAIM_SIGNATURE.

        :param challenge_responses: the answer's ``PASSWORD_CLAIM_SECRET_BLOCK``,
            ``PASSWORD_CLAIM_SIGNATURE`` and ``TIMESTAMP``.
        :param now: the emulator's aware current time.
        :raises PasswordClaimRefused: another secret block than the one issued, a TIMESTAMP
            not in Cognito's exact format or more than :data:`MAX_CLOCK_SKEW` away from
            ``now``, or a signature that does not match (a wrong password among others).
        """
        sent_block = challenge_responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
        signature = challenge_responses.get("PASSWORD_CLAIM_SIGNATURE")
        timestamp = challenge_responses.get("TIMESTAMP", "")  # missing: refused as malformed
        if not isinstance(sent_block, str) or not hmac.compare_digest(sent_block.encode(), self.secret_block.encode()):
            raise PasswordClaimRefused("PASSWORD_CLAIM_SECRET_BLOCK is not the one issued")
        try:
            signed_at = parse_cognito_timestamp(timestamp)
        except SrpError as exc:
            raise PasswordClaimRefused(str(exc)) from exc
        if abs(now - signed_at) > MAX_CLOCK_SKEW:
            raise PasswordClaimRefused("TIMESTAMP is too far from the current time")
        expected = claim_signature(
            self.key, self.pool, self.user_id_for_srp, base64.b64decode(self.secret_block), timestamp
        )
        if not isinstance(signature, str) or not hmac.compare_digest(signature.encode(), expected.encode()):
            raise PasswordClaimRefused("PASSWORD_CLAIM_SIGNATURE does not match")


def start_password_verifier(
    user_pool_id: str,
    user_id_for_srp: str,
    password: str,
    srp_a: str,
    *,
    salt: bytes | None = None,
    secret_exponent: int | None = None,
    secret_block: bytes | None = None,
    arithmetic: Arithmetic | None = None,
) -> PasswordVerifierChallenge:
    """Answer InitiateAuth(USER_SRP_AUTH): the PASSWORD_VERIFIER challenge for one user.

    :param user_id_for_srp: the user's internal username, as Cognito names it in the
        challenge and as the client hashes it.
    :param password: the user's stored plain password.
    :param srp_a: the request's ``SRP_A`` (hexadecimal).
    :param salt: the user's salt; Cognito keeps one per password, so the emulator may pass
        a stored one. Default: 16 random bytes.
    :param secret_exponent: a fixed b, for known-answer tests only. Default: random.
    :param secret_block: a fixed SECRET_BLOCK, for tests only. Default: random bytes.
    :param arithmetic: force ``"gmpy2"`` or ``"python"``.
    :raises SrpError: SRP_A is not hexadecimal or is zero modulo N (RFC 5054 section 2.5.4:
        the server must abort); Cognito answers InvalidParameterException.
    """
    powmod = powmod_for(arithmetic)
    client_public = parse_hex("SRP_A", srp_a)
    if client_public % N == 0:
        raise SrpError("SRP_A is zero modulo N")
    pool = pool_name(user_pool_id)
    salt_number = int.from_bytes(salt if salt is not None else secrets.token_bytes(SALT_BYTES), "big")
    verifier = powmod(G, private_key(salt_number, pool, user_id_for_srp, password), N)
    b = secret_exponent if secret_exponent is not None else secrets.randbits(SECRET_EXPONENT_BITS) | 1
    server_public = (K * verifier + powmod(G, b, N)) % N
    scrambling = scrambling_parameter(client_public, server_public)
    # S = (A * v^u)^b: the same number the client reaches as (B - k*g^x)^(a + u*x).
    premaster_secret = powmod(client_public * powmod(verifier, scrambling, N) % N, b, N)
    block = secret_block if secret_block is not None else secrets.token_bytes(SECRET_BLOCK_BYTES)
    return PasswordVerifierChallenge(
        pool=pool,
        user_id_for_srp=user_id_for_srp,
        salt=format(salt_number, "x"),
        srp_b=format(server_public, "x"),
        secret_block=base64.b64encode(block).decode("ascii"),
        key=derive_key(premaster_secret, scrambling),
    )
