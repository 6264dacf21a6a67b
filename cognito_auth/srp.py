"""The client side of Amazon Cognito's SRP sign-in: ``USER_SRP_AUTH``, then ``PASSWORD_VERIFIER``.

With SRP the password never leaves this server: InitiateAuth carries ``SRP_A``, Cognito
answers the PASSWORD_VERIFIER challenge (``SALT``, ``SRP_B``, ``SECRET_BLOCK``,
``USER_ID_FOR_SRP``), and RespondToAuthChallenge carries a signature made with a key that
only someone who knows the password can derive. Use::

    srp = SrpSession(app_client.user_pool_id)
    auth_parameters = {"USERNAME": username, "SRP_A": srp.start(), ...}
    # InitiateAuth(AuthFlow="USER_SRP_AUTH") -> ChallengeParameters
    responses = srp.password_claim(params["USER_ID_FOR_SRP"], password, params)
    # + USERNAME and SECRET_HASH, both over USER_ID_FOR_SRP -> RespondToAuthChallenge

Cognito's variant of SRP-6a (RFC 5054), as AWS's own clients compute it
(amazon-cognito-identity-js ``AuthenticationHelper``, the Amplify ``srp`` module):

- the 3072-bit group of RFC 3526 section 4 (RFC 5054 appendix A) and g = 2;
- numbers hashed in their shortest big-endian two's-complement form (a leading zero byte
  when the top bit is set), never padded to the length of N;
- k = H(N | g), u = H(A | B), x = H(salt | H(pool name | USER_ID_FOR_SRP | ":" | password)),
  where H is SHA-256 and the pool name is the user pool id without its region prefix;
- the key: HKDF-SHA256 (RFC 5869) of S with salt u and info "Caldera Derived Key", 16 bytes;
- PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, pool name | USER_ID_FOR_SRP |
  Base64-decoded SECRET_BLOCK | TIMESTAMP)), TIMESTAMP as "Mon Nov 3 10:51:39 UTC 2026".

The cost is big-number arithmetic modulo a 3072-bit prime. It goes through gmpy2 when it
is installed (the ``fast`` extra) and through Python's ``pow`` otherwise.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

try:
    import gmpy2
except ImportError:  # the optional `fast` extra
    gmpy2 = None

#: The 3072-bit MODP prime of RFC 3526 section 4 (RFC 5054 appendix A), Cognito's N.
N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22"
    "514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6"
    "F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E8603"
    "9B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7D"
    "B3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
HKDF_INFO = b"Caldera Derived Key"
KEY_LENGTH = 16  # bytes of HKDF output Cognito uses as the HMAC key

# Random bits of the secret exponents a (and the server's b). RFC 5054 section 2.5.4 asks
# for at least 256; NIST SP 800-56A rev. 3 asks for twice the group's 128-bit strength, the
# same 256. 512 keeps a margin at half the cost of the 1024 bits AWS's JavaScript client
# draws: exponentiation time grows with the exponent's length.
SECRET_EXPONENT_BITS = 512
# No valid SRP_B or SALT is longer; bounding them keeps a hostile answer from costing CPU.
_MAX_HEX_DIGITS = 2048

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP = re.compile(
    r"(?P<weekday>[A-Z][a-z]{2}) (?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2}) "
    r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d) UTC (?P<year>\d{4})"
)
_HEX = re.compile(r"[0-9a-fA-F]+")

Arithmetic = Literal["gmpy2", "python"]
PowMod = Callable[[int, int, int], int]


class SrpError(ValueError):
    """A value the SRP protocol forbids: a malformed or unsafe challenge, or a bad claim.

    Messages name the parameter and never carry a password, key or signature.
    """


def powmod_for(arithmetic: Arithmetic | None = None) -> PowMod:
    """The modular exponentiation to use: gmpy2's when installed, else Python's ``pow``.

    :param arithmetic: ``"gmpy2"`` or ``"python"`` to force one (benchmarks, tests);
        ``None`` picks gmpy2 when it is installed.
    :raises ImportError: ``"gmpy2"`` was asked for and is not installed.
    :raises ValueError: an unknown name.
    """
    if arithmetic is None:
        arithmetic = "python" if gmpy2 is None else "gmpy2"
    if arithmetic == "gmpy2":
        if gmpy2 is None:
            raise ImportError("gmpy2 is not installed: pip install 'django-cognito-auth[fast]'")
        powmod = gmpy2.powmod
        return lambda base, exponent, modulus: int(powmod(base, exponent, modulus))
    if arithmetic == "python":
        return pow
    raise ValueError(f"arithmetic must be 'gmpy2' or 'python', not {arithmetic!r}")


def to_bytes(number: int) -> bytes:
    """``number`` as Cognito hashes it: big-endian, shortest two's-complement form.

    That is Amplify's ``padHex``: a leading zero byte when the top bit is set, so 0x80 is
    ``b"\\x00\\x80"`` and N takes 385 bytes, not 384.
    """
    return number.to_bytes(number.bit_length() // 8 + 1, "big")


def _hash(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _hash_to_int(*parts: bytes) -> int:
    return int.from_bytes(_hash(*parts), "big")


#: The multiplier k = H(N | g) of SRP-6a (RFC 5054 section 2.5.3), as Cognito computes it.
K = _hash_to_int(to_bytes(N), to_bytes(G))


def pool_name(user_pool_id: str) -> str:
    """The part of a user pool id after the region prefix: ``"us-east-1_AbC123"`` -> ``"AbC123"``.

    :raises ValueError: not a user pool id.
    """
    region, _, name = user_pool_id.partition("_")
    if not region or not name:
        raise ValueError("a user pool id looks like 'us-east-1_AbCdEf123'")
    return name


def scrambling_parameter(srp_a: int, srp_b: int) -> int:
    """u = H(A | B) (RFC 5054 section 2.6)."""
    return _hash_to_int(to_bytes(srp_a), to_bytes(srp_b))


def private_key(salt: int, pool: str, user_id_for_srp: str, password: str) -> int:
    """x = H(salt | H(pool name | USER_ID_FOR_SRP | ":" | password)), all text in UTF-8.

    Cognito puts the pool name in front of the RFC 5054 identity.
    """
    identity = _hash(f"{pool}{user_id_for_srp}:{password}".encode())
    return _hash_to_int(to_bytes(salt), identity)


def derive_key(premaster_secret: int, scrambling: int) -> bytes:
    """The 16-byte HMAC key: HKDF-SHA256 (RFC 5869) of S, salt u, info "Caldera Derived Key"."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_LENGTH, salt=to_bytes(scrambling), info=HKDF_INFO)
    return hkdf.derive(to_bytes(premaster_secret))


def claim_signature(key: bytes, pool: str, user_id_for_srp: str, secret_block: bytes, timestamp: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE: Base64(HMAC-SHA256(key, pool | user id | secret block | timestamp))."""
    message = pool.encode() + user_id_for_srp.encode() + secret_block + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def cognito_timestamp(now: datetime) -> str:
    """TIMESTAMP in Cognito's format, e.g. ``"Mon Nov 3 10:51:39 UTC 2026"``.

    The day of the month is not zero-padded and the names are English whatever the locale:
    Cognito refuses a claim signed over ``"Nov 03"``, and ``strftime("%a")`` follows the
    locale.

    :param now: an aware datetime; it is converted to UTC.
    :raises ValueError: ``now`` is naive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(timezone.utc)
    return (
        f"{_WEEKDAYS[now.weekday()]} {_MONTHS[now.month - 1]} {now.day} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} UTC {now.year}"
    )


def parse_cognito_timestamp(text: str) -> datetime:
    """The aware UTC datetime of a TIMESTAMP, accepted only in Cognito's exact format.

    A zero-padded day or a weekday that does not fit the date is refused, as Cognito does.

    :raises SrpError: anything but the exact format.
    """
    match = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None or match["month"] not in _MONTHS:
        raise SrpError("TIMESTAMP is not in Cognito's format")
    try:
        moment = datetime(
            int(match["year"]),
            _MONTHS.index(match["month"]) + 1,
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            tzinfo=timezone.utc,
        )
    except ValueError as exc:
        raise SrpError("TIMESTAMP is not a date") from exc
    if cognito_timestamp(moment) != text:
        raise SrpError("TIMESTAMP is not in Cognito's format")
    return moment


def parse_hex(name: str, value: object) -> int:
    """A hexadecimal parameter (``SRP_A``, ``SRP_B``, ``SALT``) as a non-negative int.

    Stricter than ``int(value, 16)``, which also takes signs, ``0x``, ``_`` and spaces.

    :raises SrpError: not a string of 1 to 2048 hexadecimal digits.
    """
    if not isinstance(value, str) or len(value) > _MAX_HEX_DIGITS or not _HEX.fullmatch(value):
        raise SrpError(f"{name} is not a hexadecimal number")
    return int(value, 16)


def parse_secret_block(value: object) -> bytes:
    """SECRET_BLOCK decoded from standard Base64.

    :raises SrpError: missing or not Base64.
    """
    if not isinstance(value, str) or not value:
        raise SrpError("SECRET_BLOCK is missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SrpError("SECRET_BLOCK is not Base64") from exc


class SrpSession:
    """One SRP sign-in, client side: :meth:`start`, then :meth:`password_claim`, once.

    Both calls happen while one sign-in request is handled (Cognito answers USER_SRP_AUTH
    with PASSWORD_VERIFIER at once), so the secret exponent ``a`` lives in memory only and
    is dropped after the claim. Not for sharing between threads.
    """

    __slots__ = ("_a", "_pool", "_powmod", "_srp_a")

    def __init__(
        self, user_pool_id: str, *, arithmetic: Arithmetic | None = None, secret_exponent: int | None = None
    ) -> None:
        """
        :param user_pool_id: e.g. ``"us-east-1_AbCdEf123"``.
        :param arithmetic: force ``"gmpy2"`` or ``"python"``; default: gmpy2 when installed.
        :param secret_exponent: a fixed ``a``, for known-answer tests only; default: 512
            random bits from :mod:`secrets`.
        :raises ValueError: a malformed pool id, an unknown arithmetic, or ``a`` not in 1..N-1.
        :raises ImportError: gmpy2 forced but not installed.
        """
        self._pool = pool_name(user_pool_id)
        self._powmod = powmod_for(arithmetic)
        if secret_exponent is not None and not 0 < secret_exponent < N:
            raise ValueError("the secret exponent must be in 1..N-1")
        self._a = secret_exponent
        self._srp_a: int | None = None

    def __repr__(self) -> str:  # never shows a
        return f"<SrpSession pool={self._pool!r}>"

    def start(self) -> str:
        """SRP_A = g^a mod N as lowercase hexadecimal, for InitiateAuth's AuthParameters.

        :returns: the same value on every call.
        :raises RuntimeError: the claim was already made.
        """
        if self._srp_a is None:
            if self._a is None:
                # Odd, so never zero; far below N.
                self._a = secrets.randbits(SECRET_EXPONENT_BITS) | 1
            self._srp_a = self._powmod(G, self._a, N)
        elif self._a is None:
            raise RuntimeError("this SRP session has made its claim; start a new one")
        return format(self._srp_a, "x")

    def password_claim(
        self,
        user_id_for_srp: str,
        password: str,
        challenge_parameters: Mapping[str, str],
        now: datetime | None = None,
    ) -> dict[str, str]:
        """The PASSWORD_VERIFIER answer's SRP parts.

        :param user_id_for_srp: the challenge's ``USER_ID_FOR_SRP`` (Cognito's internal
            username, which the caller also keeps for USERNAME and SECRET_HASH).
        :param challenge_parameters: the challenge's ``SRP_B``, ``SALT`` and ``SECRET_BLOCK``.
        :param now: an aware datetime for TIMESTAMP; default: the current time.
        :returns: ``PASSWORD_CLAIM_SECRET_BLOCK``, ``PASSWORD_CLAIM_SIGNATURE`` and
            ``TIMESTAMP``; the caller adds ``USERNAME`` and ``SECRET_HASH``.
        :raises SrpError: a missing or malformed parameter, B mod N = 0, or u = 0 (RFC 5054
            section 2.5.4: the client must abort).
        :raises RuntimeError: :meth:`start` was not called, or the claim was already made.
        """
        if self._srp_a is None or self._a is None:
            raise RuntimeError("call start() once before password_claim()")
        if not isinstance(user_id_for_srp, str) or not user_id_for_srp:
            raise SrpError("USER_ID_FOR_SRP is missing")
        srp_b = parse_hex("SRP_B", challenge_parameters.get("SRP_B"))
        salt = parse_hex("SALT", challenge_parameters.get("SALT"))
        secret_block = parse_secret_block(challenge_parameters.get("SECRET_BLOCK"))
        if srp_b % N == 0:
            raise SrpError("SRP_B is zero modulo N")
        scrambling = scrambling_parameter(self._srp_a, srp_b)
        if scrambling == 0:
            raise SrpError("the scrambling parameter u is zero")
        timestamp = cognito_timestamp(now or datetime.now(timezone.utc))

        a, self._a = self._a, None  # single use
        x = private_key(salt, self._pool, user_id_for_srp, password)
        base = (srp_b - K * self._powmod(G, x, N)) % N
        premaster_secret = self._powmod(base, a + scrambling * x, N)
        key = derive_key(premaster_secret, scrambling)
        return {
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge_parameters["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": claim_signature(key, self._pool, user_id_for_srp, secret_block, timestamp),
            "TIMESTAMP": timestamp,
        }
