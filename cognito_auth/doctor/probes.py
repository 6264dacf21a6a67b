"""Probing Cognito without side effects: InitiateAuth for a made-up user who does not
exist, and what each answer says about the SECRET_HASH it carried."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from ..client import accepted_the_hash, get_cognito_client
from ..exceptions import (
    CognitoError,
    FeatureUnavailable,
    FlowNotEnabled,
    SecretHashError,
    ServiceUnavailable,
    UnknownClient,
)
from ..srp import G, N

if TYPE_CHECKING:
    from ..models import AppClient

PASSWORD_FLOW, SRP_FLOW, REFRESH_FLOW = "USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH"
# Choice-based sign-in, probed with a made-up name and no preference: Cognito answers
# UserNotFoundException or, preventing user existence errors, SELECT_CHALLENGE for a
# simulated user; it sends no code, proves no password and counts no failed attempt.
USER_AUTH_FLOW = "USER_AUTH"
# The made-up user's name: recognisable in Cognito's logs, never anyone's.
PROBE_USERNAME_PREFIX = "cognito-check-"


# What a probe's answer says about the SECRET_HASH.
ACCEPTED, MISSING, MISMATCH, UNEXPECTED = "accepted", "missing", "mismatch", "unexpected"
FLOW_DISABLED, UNKNOWN_CLIENT, UNREACHABLE, UNDECIDED = "flow_disabled", "unknown_client", "unreachable", "undecided"
# The user pool's feature plan lacks the flow (USER_AUTH on the Lite plan).
PLAN_LACKS_FLOW = "plan_lacks_flow"


def verdict_on(error: CognitoError | None) -> str:
    """What a probe's answer says about the hash it carried."""
    if error is None or accepted_the_hash(error):
        return ACCEPTED
    if isinstance(error, SecretHashError):
        return error.problem
    if isinstance(error, FlowNotEnabled):
        return FLOW_DISABLED
    if isinstance(error, FeatureUnavailable):
        return PLAN_LACKS_FLOW
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
            # A genuine SRP_A = g^a mod N in Cognito's group (RFC 5054's 3072-bit prime, g = 2).
            SRP_FLOW: lambda: {"USERNAME": username, "SRP_A": format(pow(G, secrets.randbits(256), N), "x")},
            REFRESH_FLOW: lambda: {"REFRESH_TOKEN": f"cognito-check.{secrets.token_urlsafe(48)}"},
            USER_AUTH_FLOW: lambda: {"USERNAME": username},
        }[flow]()
        try:
            self.cognito.probe_initiate_auth(flow, parameters, username=username, secret=secret)
        except CognitoError as error:
            return error
        return None
