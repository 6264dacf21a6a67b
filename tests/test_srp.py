"""Cognito's SRP: our client against pycognito's independent one, and against our emulator's
server side, which must refuse every claim that does not prove the password."""

from __future__ import annotations

import base64
import hashlib
import locale
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycognito import aws_srp

from cognito_auth import srp
from cognito_auth.testing._srp_server import PasswordClaimRefused, start_password_verifier

POOL_ID = "eu-west-1_AbCdEf123"
USER_ID_FOR_SRP = "7f3b2c1e-5a4d-4e8f-9b0a-1c2d3e4f5a6b"
PASSWORD = "Corr3ct horse, battery staple! é"
# Fixed secrets: 1024 bits for a as pycognito draws them, 512 for b.
A_EXPONENT = int.from_bytes(hashlib.sha512(b"client").digest() * 2, "big")
B_EXPONENT = int.from_bytes(hashlib.sha512(b"server").digest(), "big")
SECRET_BLOCK = hashlib.sha512(b"secret block").digest() * 4
SALT = bytes.fromhex("9c4e0b7d2a18f6e35c0d4b8a7e61f209")
# A single-digit day: Cognito's format does not pad it. 3 November 2026 is a Tuesday.
NOW = datetime(2026, 11, 3, 10, 51, 39, tzinfo=timezone.utc)
TIMESTAMP = "Tue Nov 3 10:51:39 UTC 2026"

ARITHMETICS = [pytest.param("gmpy2", id="gmpy2"), pytest.param("python", id="python")]


def issue_challenge(password=PASSWORD, *, salt=SALT, **kwargs):
    """What the emulator answers to InitiateAuth: the server side, with fixed b and block."""
    client = srp.SrpSession(POOL_ID, secret_exponent=A_EXPONENT)
    challenge = start_password_verifier(
        POOL_ID,
        USER_ID_FOR_SRP,
        password,
        client.start(),
        salt=salt,
        secret_exponent=B_EXPONENT,
        secret_block=SECRET_BLOCK,
        **kwargs,
    )
    return client, challenge


def pycognito_client(password=PASSWORD):
    """pycognito's AWSSRP with our fixed a; a placeholder boto3 client, as it makes no call here."""
    theirs = aws_srp.AWSSRP("typed-alias", password, POOL_ID, "client-id", client=object())
    theirs.small_a_value = A_EXPONENT
    theirs.large_a_value = theirs.calculate_a()
    return theirs


def pycognito_claim(theirs, challenge_parameters, when=NOW):
    """pycognito's PASSWORD_VERIFIER answer, its clock (datetime.utcnow) fixed at `when`."""
    clock = mock.Mock(wraps=aws_srp.datetime)
    clock.datetime.utcnow.return_value = when.replace(tzinfo=None)
    with mock.patch.object(aws_srp, "datetime", clock):
        return theirs.process_challenge(challenge_parameters, {"USERNAME": "typed-alias"})


# --- Agreement with pycognito -------------------------------------------------------------


@pytest.mark.parametrize("arithmetic", ARITHMETICS)
@pytest.mark.parametrize(
    "salt_hex",
    [
        pytest.param("9c4e0b7d2a18f6e35c0d4b8a7e61f209", id="salt-top-bit-set"),
        pytest.param("3c4e0b7d2a18f6e35c0d4b8a7e61f209", id="salt-top-bit-clear"),
    ],
)
def test_agrees_with_pycognito_on_fixed_inputs(arithmetic, salt_hex):
    ours = srp.SrpSession(POOL_ID, arithmetic=arithmetic, secret_exponent=A_EXPONENT)
    theirs = pycognito_client()
    _, challenge = issue_challenge(salt=bytes.fromhex(salt_hex), arithmetic=arithmetic)
    params = challenge.challenge_parameters
    assert params["SALT"] == salt_hex
    srp_b = int(params["SRP_B"], 16)

    # A, k, u, x.
    srp_a = ours.start()
    assert srp_a == aws_srp.long_to_hex(theirs.large_a_value)
    assert theirs.val_k == srp.K
    assert srp.scrambling_parameter(int(srp_a, 16), srp_b) == aws_srp.calculate_u(theirs.large_a_value, srp_b)
    identity = aws_srp.hash_sha256(f"AbCdEf123{USER_ID_FOR_SRP}:{PASSWORD}".encode())
    their_x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + identity))
    assert srp.private_key(int(salt_hex, 16), "AbCdEf123", USER_ID_FOR_SRP, PASSWORD) == their_x

    # S and the HKDF key: pycognito's, from the client's formula, equals the one our server
    # derived from (A * v^u)^b.
    their_key = theirs.get_password_authentication_key(USER_ID_FOR_SRP, PASSWORD, srp_b, salt_hex)
    assert their_key == challenge.key

    # The signature and TIMESTAMP.
    their_answer = pycognito_claim(theirs, params)
    our_answer = ours.password_claim(USER_ID_FOR_SRP, PASSWORD, params, NOW)
    assert our_answer == {
        "PASSWORD_CLAIM_SECRET_BLOCK": their_answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": their_answer["PASSWORD_CLAIM_SIGNATURE"],
        "TIMESTAMP": TIMESTAMP,
    }
    assert their_answer["TIMESTAMP"] == TIMESTAMP


def test_server_accepts_pycognitos_claim_and_refuses_its_wrong_password():
    _, challenge = issue_challenge()
    challenge.verify(pycognito_claim(pycognito_client(), challenge.challenge_parameters), NOW)
    wrong = pycognito_claim(pycognito_client("Wrong-password-1"), challenge.challenge_parameters)
    with pytest.raises(PasswordClaimRefused, match="SIGNATURE"):
        challenge.verify(wrong, NOW)


# --- Our client against our server ---------------------------------------------------------


@pytest.mark.parametrize("arithmetic", ARITHMETICS)
def test_client_signs_in_against_server_with_random_values(arithmetic):
    client = srp.SrpSession(POOL_ID, arithmetic=arithmetic)
    challenge = start_password_verifier(POOL_ID, USER_ID_FOR_SRP, PASSWORD, client.start(), arithmetic=arithmetic)
    now = datetime.now(timezone.utc)
    challenge.verify(client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge.challenge_parameters), now)


def test_wrong_password_is_refused():
    client, challenge = issue_challenge()
    answer = client.password_claim(USER_ID_FOR_SRP, PASSWORD + "x", challenge.challenge_parameters, NOW)
    with pytest.raises(PasswordClaimRefused, match="SIGNATURE"):
        challenge.verify(answer, NOW)


def test_claim_for_another_user_id_is_refused():
    client, challenge = issue_challenge()
    answer = client.password_claim("someone-else", PASSWORD, challenge.challenge_parameters, NOW)
    with pytest.raises(PasswordClaimRefused, match="SIGNATURE"):
        challenge.verify(answer, NOW)


def test_tampered_secret_block_is_refused():
    tampered = base64.b64encode(b"\x00" + SECRET_BLOCK[1:]).decode()

    # Signed over a block of its own making and sent along: not the block issued.
    client, challenge = issue_challenge()
    params = {**challenge.challenge_parameters, "SECRET_BLOCK": tampered}
    answer = client.password_claim(USER_ID_FOR_SRP, PASSWORD, params, NOW)
    with pytest.raises(PasswordClaimRefused, match="SECRET_BLOCK"):
        challenge.verify(answer, NOW)

    # The issued block sent, another one signed.
    answer["PASSWORD_CLAIM_SECRET_BLOCK"] = challenge.secret_block
    with pytest.raises(PasswordClaimRefused, match="SIGNATURE"):
        challenge.verify(answer, NOW)

    # A missing block.
    del answer["PASSWORD_CLAIM_SECRET_BLOCK"]
    with pytest.raises(PasswordClaimRefused, match="SECRET_BLOCK"):
        challenge.verify(answer, NOW)


@pytest.mark.parametrize(
    ("server_clock", "accepted"),
    [
        pytest.param(NOW + timedelta(minutes=4), True, id="4-min-late"),
        pytest.param(NOW - timedelta(minutes=4), True, id="4-min-early"),
        pytest.param(NOW + timedelta(minutes=6), False, id="stale"),
        pytest.param(NOW - timedelta(minutes=6), False, id="from-the-future"),
        pytest.param(NOW + timedelta(days=1), False, id="a-day-old"),
    ],
)
def test_timestamp_far_from_the_servers_clock_is_refused(server_clock, accepted):
    client, challenge = issue_challenge()
    answer = client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge.challenge_parameters, NOW)
    if accepted:
        challenge.verify(answer, server_clock)
    else:
        with pytest.raises(PasswordClaimRefused, match="TIMESTAMP"):
            challenge.verify(answer, server_clock)


@pytest.mark.parametrize(
    "timestamp",
    [
        "Tue Nov 03 10:51:39 UTC 2026",  # zero-padded day: refused by Cognito
        "Mon Nov 3 10:51:39 UTC 2026",  # a weekday that does not fit the date
        "Tue Nov  3 10:51:39 UTC 2026",  # asctime's space padding
        "Tue Nov 3 10:51:39 GMT 2026",
        "tue nov 3 10:51:39 UTC 2026",
        "Tue Nov 31 10:51:39 UTC 2026",
        "Tue Nov 3 10:51:39 UTC 2026\n",
        "",
    ],
)
def test_timestamp_not_in_cognitos_exact_format_is_refused(timestamp):
    client, challenge = issue_challenge()
    answer = client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge.challenge_parameters, NOW)
    # Signed correctly over the odd TIMESTAMP, so only the format check can refuse it.
    answer["TIMESTAMP"] = timestamp
    answer["PASSWORD_CLAIM_SIGNATURE"] = srp.claim_signature(
        challenge.key, "AbCdEf123", USER_ID_FOR_SRP, SECRET_BLOCK, timestamp
    )
    with pytest.raises(PasswordClaimRefused, match="TIMESTAMP"):
        challenge.verify(answer, NOW)


def test_missing_signature_is_refused():
    client, challenge = issue_challenge()
    answer = client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge.challenge_parameters, NOW)
    del answer["PASSWORD_CLAIM_SIGNATURE"]
    with pytest.raises(PasswordClaimRefused, match="SIGNATURE"):
        challenge.verify(answer, NOW)


@pytest.mark.parametrize("srp_a", ["0", format(srp.N, "x"), format(2 * srp.N, "x"), "xyz", "", "-1"])
def test_server_refuses_a_zero_or_malformed_srp_a(srp_a):
    with pytest.raises(srp.SrpError, match="SRP_A"):
        start_password_verifier(POOL_ID, USER_ID_FOR_SRP, PASSWORD, srp_a)


def test_the_challenge_keeps_no_password_and_shows_no_key():
    _, challenge = issue_challenge()
    assert PASSWORD not in repr(challenge)
    assert repr(challenge.key) not in repr(challenge)
    assert set(challenge.challenge_parameters) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"}


@settings(max_examples=25, deadline=None)
@given(user_id=st.text(min_size=1, max_size=40), password=st.text(max_size=40), other=st.text(max_size=40))
def test_any_unicode_user_id_and_password_round_trip(user_id, password, other):
    client = srp.SrpSession(POOL_ID, arithmetic="gmpy2")
    challenge = start_password_verifier(POOL_ID, user_id, password, client.start(), arithmetic="gmpy2")
    answer = client.password_claim(user_id, password, challenge.challenge_parameters, NOW)
    challenge.verify(answer, NOW)
    if other != password:
        second = srp.SrpSession(POOL_ID, arithmetic="gmpy2")
        challenge = start_password_verifier(POOL_ID, user_id, password, second.start(), arithmetic="gmpy2")
        with pytest.raises(PasswordClaimRefused):
            challenge.verify(second.password_claim(user_id, other, challenge.challenge_parameters, NOW), NOW)


# --- The client refuses what SRP forbids ---------------------------------------------------


def challenge_parameters(**changes):
    _, challenge = issue_challenge()
    params = {**challenge.challenge_parameters, **changes}
    return {name: value for name, value in params.items() if value is not None}


@pytest.mark.parametrize(
    "srp_b", [pytest.param("0", id="B=0"), pytest.param(format(srp.N, "x"), id="B=N"), format(3 * srp.N, "x")]
)
def test_client_refuses_b_zero_modulo_n(srp_b):
    client = srp.SrpSession(POOL_ID, secret_exponent=A_EXPONENT)
    client.start()
    with pytest.raises(srp.SrpError, match="SRP_B is zero modulo N"):
        client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge_parameters(SRP_B=srp_b), NOW)


def test_client_refuses_a_zero_scrambling_parameter():
    client = srp.SrpSession(POOL_ID, secret_exponent=A_EXPONENT)
    client.start()
    with (
        mock.patch.object(srp, "scrambling_parameter", return_value=0),
        pytest.raises(srp.SrpError, match="scrambling parameter u is zero"),
    ):
        client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge_parameters(), NOW)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SRP_B": None}, "SRP_B"),
        ({"SRP_B": "0x1f"}, "SRP_B"),
        ({"SRP_B": "-1f"}, "SRP_B"),
        ({"SRP_B": " 1f"}, "SRP_B"),
        ({"SRP_B": "1_f"}, "SRP_B"),
        ({"SRP_B": "1" * 2049}, "SRP_B"),
        ({"SRP_B": "\uff11\uff12"}, "SRP_B"),  # full-width digits, which int() would take
        ({"SALT": ""}, "SALT"),
        ({"SALT": "g0"}, "SALT"),
        ({"SALT": None}, "SALT"),
        ({"SECRET_BLOCK": "not base64!"}, "SECRET_BLOCK"),
        ({"SECRET_BLOCK": "abc"}, "SECRET_BLOCK"),
        ({"SECRET_BLOCK": None}, "SECRET_BLOCK"),
    ],
)
def test_client_refuses_malformed_challenge_parameters(changes, message):
    client = srp.SrpSession(POOL_ID, secret_exponent=A_EXPONENT)
    client.start()
    with pytest.raises(srp.SrpError, match=message) as caught:
        client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge_parameters(**changes), NOW)
    assert PASSWORD not in str(caught.value)


def test_client_refuses_an_empty_user_id_for_srp():
    client = srp.SrpSession(POOL_ID)
    client.start()
    with pytest.raises(srp.SrpError, match="USER_ID_FOR_SRP"):
        client.password_claim("", PASSWORD, challenge_parameters(), NOW)


def test_a_session_makes_one_claim_and_hides_its_secret():
    client = srp.SrpSession(POOL_ID, secret_exponent=A_EXPONENT)
    assert str(A_EXPONENT) not in repr(client)
    with pytest.raises(RuntimeError, match="start"):
        client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge_parameters(), NOW)
    srp_a = client.start()
    assert client.start() == srp_a
    client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge_parameters(), NOW)
    with pytest.raises(RuntimeError):
        client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge_parameters(), NOW)
    with pytest.raises(RuntimeError):
        client.start()


@pytest.mark.parametrize("pool_id", ["AbCdEf123", "eu-west-1_", "_AbCdEf123", ""])
def test_a_malformed_user_pool_id_is_refused(pool_id):
    with pytest.raises(ValueError, match="user pool id"):
        srp.SrpSession(pool_id)


@pytest.mark.parametrize("exponent", [0, srp.N, -1])
def test_a_fixed_exponent_out_of_range_is_refused(exponent):
    with pytest.raises(ValueError, match="exponent"):
        srp.SrpSession(POOL_ID, secret_exponent=exponent)


# --- gmpy2 and Python's pow -----------------------------------------------------------------


def test_gmpy2_and_pure_python_give_identical_results():
    answers = {}
    for arithmetic in ("gmpy2", "python"):
        client, challenge = issue_challenge(arithmetic=arithmetic)
        client = srp.SrpSession(POOL_ID, arithmetic=arithmetic, secret_exponent=A_EXPONENT)
        answers[arithmetic] = (
            client.start(),
            challenge,
            client.password_claim(USER_ID_FOR_SRP, PASSWORD, challenge.challenge_parameters, NOW),
        )
    assert answers["gmpy2"] == answers["python"]
    assert srp.powmod_for("gmpy2")(7, srp.N - 2, srp.N) == pow(7, srp.N - 2, srp.N)


def test_gmpy2_is_used_when_installed_and_python_otherwise(monkeypatch):
    assert srp.powmod_for(None)(2, 10, 1000) == 24
    monkeypatch.setattr(srp, "gmpy2", None)
    assert srp.powmod_for(None) is pow
    with pytest.raises(ImportError, match=r"django-cognito-auth\[fast\]"):
        srp.powmod_for("gmpy2")
    with pytest.raises(ValueError, match="arithmetic"):
        srp.powmod_for("gmp")


# --- TIMESTAMP -----------------------------------------------------------------------------


def test_timestamp_day_of_month_is_not_zero_padded():
    assert srp.cognito_timestamp(NOW) == TIMESTAMP
    assert srp.cognito_timestamp(datetime(2027, 1, 1, 0, 0, 5, tzinfo=timezone.utc)) == "Fri Jan 1 00:00:05 UTC 2027"
    assert srp.cognito_timestamp(datetime(2026, 11, 23, 9, 5, 0, tzinfo=timezone.utc)) == "Mon Nov 23 09:05:00 UTC 2026"


def test_timestamp_is_in_utc_and_needs_an_aware_time():
    paris = timezone(timedelta(hours=1))
    assert srp.cognito_timestamp(datetime(2026, 11, 4, 0, 30, tzinfo=paris)) == "Tue Nov 3 23:30:00 UTC 2026"
    with pytest.raises(ValueError, match="aware"):
        srp.cognito_timestamp(datetime(2026, 11, 3))


def test_timestamp_names_are_english_whatever_the_locale():
    previous = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
            break
        except locale.Error:
            continue
    try:
        assert srp.cognito_timestamp(NOW) == TIMESTAMP
    finally:
        locale.setlocale(locale.LC_TIME, previous)


def test_timestamp_parses_back():
    assert srp.parse_cognito_timestamp(TIMESTAMP) == NOW
    moment = datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone.utc)
    assert srp.parse_cognito_timestamp(srp.cognito_timestamp(moment)) == moment
