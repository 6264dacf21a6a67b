"""Probing Cognito without side effects: InitiateAuth for a made-up user who does not
exist, and what each answer says about the SECRET_HASH it carried."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from ..client import accepted_the_hash, get_cognito_client
from ..exceptions import CognitoError, FlowNotEnabled, SecretHashError, ServiceUnavailable, UnknownClient

if TYPE_CHECKING:
    from ..models import AppClient

PASSWORD_FLOW, SRP_FLOW, REFRESH_FLOW = "USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH"
# The made-up user's name: recognisable in Cognito's logs, never anyone's.
PROBE_USERNAME_PREFIX = "cognito-check-"


# SRP's group: the 3072-bit prime of RFC 5054 (Appendix A) with generator 2, the one
# Cognito and the AWS SDKs use. A probe sends a genuine SRP_A = g^a mod N.
SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
SRP_G = 2

# What a probe's answer says about the SECRET_HASH.
ACCEPTED, MISSING, MISMATCH, UNEXPECTED = "accepted", "missing", "mismatch", "unexpected"
FLOW_DISABLED, UNKNOWN_CLIENT, UNREACHABLE, UNDECIDED = "flow_disabled", "unknown_client", "unreachable", "undecided"


def verdict_on(error: CognitoError | None) -> str:
    """What a probe's answer says about the hash it carried."""
    if error is None or accepted_the_hash(error):
        return ACCEPTED
    if isinstance(error, SecretHashError):
        return error.problem
    if isinstance(error, FlowNotEnabled):
        return FLOW_DISABLED
    if isinstance(error, UnknownClient):
        return UNKNOWN_CLIENT
    if isinstance(error, ServiceUnavailable):
        return UNREACHABLE
    return UNDECIDED


class Prober:
    """Probes Cognito with InitiateAuth for made-up users; each (flow, secret) once."""

    def __init__(self, app_client: AppClient) -> None:
        self.cognito = get_cognito_client(app_client)
        self._answers: dict[tuple[str, str | None], CognitoError | None] = {}

    def answer(self, flow: str, secret: str | None) -> CognitoError | None:
        """Cognito's refusal of a probe hashed with ``secret`` (None: no hash), or None."""
        key = (flow, secret)
        if key not in self._answers:
            self._answers[key] = self._probe(flow, secret)
        return self._answers[key]

    def _probe(self, flow: str, secret: str | None) -> CognitoError | None:
        username = PROBE_USERNAME_PREFIX + secrets.token_hex(8)
        parameters = {
            PASSWORD_FLOW: lambda: {"USERNAME": username, "PASSWORD": secrets.token_urlsafe(24)},
            SRP_FLOW: lambda: {"USERNAME": username, "SRP_A": format(pow(SRP_G, secrets.randbits(256), SRP_N), "x")},
            REFRESH_FLOW: lambda: {"REFRESH_TOKEN": f"cognito-check.{secrets.token_urlsafe(48)}"},
        }[flow]()
        try:
            self.cognito.probe_initiate_auth(flow, parameters, username=username, secret=secret)
        except CognitoError as error:
            return error
        return None
