"""SECRET_HASH parity: the library function and the command against AWS's script and openssl."""

import base64
import hashlib
import hmac
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest.mock import patch

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cognito_auth.client import secret_hash

ROOT = Path(__file__).resolve().parent.parent
AWS_SCRIPT = Path(__file__).with_name("aws_knowledge_center_secret_hash.py")

# Any Unicode text that UTF-8 can carry (surrogates cannot be encoded at all).
utf8_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)
# argv cannot carry NUL, so the command-line comparisons leave it out.
argv_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=20)

SAMPLES = [
    ("alice", "3p4k1m0l9s8d7f6g5h4j3k2l1", "s3cr3t-s3cr3t-s3cr3t"),
    ("zoë.müller@example.com", "1example23456789", "Zm9vYmFyYmF6cXV4"),
    ("用户🙂", "client+id", "ẞecret with spaces"),
    ("e\u0301", "id", "key"),  # combining accent: hashed as sent, never normalised
    ("+15555550100", "abc", "-leading-dash"),
    ("-alice", "-client", "--secret"),  # values that look like options are values
]


def aws_formula(username: str, client_id: str, secret: str) -> str:
    """The knowledge-center script's expression, character for character in effect."""
    digest = hmac.new(bytes(secret, "utf-8"), bytes(username + client_id, "utf-8"), digestmod=hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def openssl_secret_hash(username: str, client_id: str, secret: str) -> str:
    """An independent computation: OpenSSL's own HMAC and base64, through its CLI."""
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=(username + client_id).encode("utf-8"), capture_output=True, check=True,
    ).stdout
    return base64.b64encode(digest).decode()


@pytest.mark.parametrize(("username", "client_id", "secret"), SAMPLES)
def test_secret_hash_matches_openssl(username, client_id, secret):
    assert secret_hash(username, client_id, secret) == openssl_secret_hash(username, client_id, secret)


def test_secret_hash_is_over_username_then_client_id():
    # A swapped message (client id + username) is the classic bug; the two must differ.
    assert secret_hash("alice", "client", "k") != openssl_secret_hash("client", "alice", "k")
    assert secret_hash("alice", "client", "k") == openssl_secret_hash("alice", "client", "k")


@settings(max_examples=300, deadline=None)
@given(utf8_text, utf8_text, utf8_text)
def test_secret_hash_matches_aws_formula_for_any_utf8(username, client_id, secret):
    assert secret_hash(username, client_id, secret) == aws_formula(username, client_id, secret)


def run_command(*args: str, stdin: str | None = None) -> bytes:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "cognito_secret_hash", *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True, check=True, cwd=ROOT,
    ).stdout


def run_aws_script(*args: str) -> bytes:
    return subprocess.run([sys.executable, str(AWS_SCRIPT), *args], capture_output=True, check=True).stdout


@pytest.mark.parametrize(("username", "client_id", "secret"), SAMPLES)
def test_command_output_is_byte_identical_to_aws_script(username, client_id, secret):
    expected = run_aws_script(username, client_id, secret)
    assert expected.startswith(b"SECRET HASH: ")
    assert run_command(username, client_id, secret) == expected


@settings(max_examples=40, deadline=None)
@given(argv_text, argv_text, argv_text)
@example("alice", "client", "-")  # the stdin marker: that secret itself goes through stdin
def test_command_prints_aws_line_for_any_text(username, client_id, secret):
    # The command's own output, through Django's OutputWrapper, for arbitrary text. A
    # secret of "-" on the command line means "read it from stdin", so the secret "-"
    # is given the only way the command takes it: "-" as the argument, the text on stdin.
    out = StringIO()
    with patch("sys.stdin", StringIO(f"{secret}\n" if secret == "-" else "")):
        call_command("cognito_secret_hash", "--", username, client_id, secret, stdout=out)
    assert out.getvalue() == f"SECRET HASH: {aws_formula(username, client_id, secret)}\n"


def test_command_reads_secret_from_stdin():
    assert run_command("alice", "client", "-", stdin="s3cret\n") == run_aws_script("alice", "client", "s3cret")


@pytest.mark.django_db
def test_command_uses_stored_client(app_client_factory):
    app_client_factory(name="shop", client_id="shopclient", client_secret="shop-secret")
    out = StringIO()
    call_command("cognito_secret_hash", "bob", "--client", "shop", stdout=out)
    assert out.getvalue() == f"SECRET HASH: {openssl_secret_hash('bob', 'shopclient', 'shop-secret')}\n"


@pytest.mark.django_db
def test_command_explains_unknown_and_secretless_clients(app_client_factory):
    app_client_factory(name="public", client_secret="")
    with pytest.raises(CommandError, match=r"No app client named 'nope'.*public"):
        call_command("cognito_secret_hash", "bob", "--client", "nope")
    with pytest.raises(CommandError, match="has no client secret"):
        call_command("cognito_secret_hash", "bob", "--client", "public")
    with pytest.raises(CommandError, match="CLIENT_ID and CLIENT_SECRET"):
        call_command("cognito_secret_hash", "bob", "onlyid")


@pytest.mark.django_db
def test_command_explains_a_secret_no_key_reads(app_client_factory, settings):
    current = settings.SECRET_KEY
    settings.SECRET_KEY = "a-key-since-replaced-" + "z" * 40
    app_client_factory(name="shop", client_secret="shop-secret")
    settings.SECRET_KEY = current
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("cognito_secret_hash", "bob", "--client", "shop")
