"""The encrypted session copy of the tokens. (The ID token checks: tests/test_verifier.py.)"""

import json
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore

from cognito_auth import encryption
from cognito_auth.sessions import SESSION_KEY, SESSION_PURPOSE, SessionTokens


@pytest.mark.django_db
def test_session_copy_is_encrypted_and_round_trips():
    tokens = SessionTokens(app_client_pk=1, cognito_username="alice",
                           access_token="acc.ess.tok", refresh_token="refresh-secret", expires_at=time.time() + 60)
    session = SessionStore()
    tokens.save(session)
    session.save()
    raw = SessionStore.get_model_class().objects.get(session_key=session.session_key)
    assert "refresh-secret" not in raw.session_data
    assert "refresh-secret" not in json.dumps(dict(session))
    assert SessionTokens.load(SessionStore(session.session_key)) == tokens


GOOD_FIELDS = {"app_client_pk": 1, "cognito_username": "alice", "access_token": "a.b.c",
               "refresh_token": "r", "expires_at": 2e9}


def encrypted(value) -> str:
    return encryption.encrypt(json.dumps(value), SESSION_PURPOSE)


# What a store migration, an older release or a bug may leave under the key.
UNEXPECTED_VALUES = {
    "int": 42,
    "float": 1.5,
    "true": True,
    "dict": {"access_token": "a.b.c"},
    "list": ["a", "b"],
    "bytes": b"gAAAAA-bytes",
    "garbage": "gAAAAAnot-a-valid-token",
    "non-ascii": "gAAAAA\u00e9\u2603",
    "encrypted-list": encrypted([1, 2]),
    "encrypted-string": encrypted("alice"),
    "encrypted-missing-field": encrypted({k: v for k, v in GOOD_FIELDS.items() if k != "refresh_token"}),
    "encrypted-extra-field": encrypted({**GOOD_FIELDS, "id_token": "x"}),
    "encrypted-expiry-as-text": encrypted({**GOOD_FIELDS, "expires_at": "tomorrow"}),
    "encrypted-expiry-null": encrypted({**GOOD_FIELDS, "expires_at": None}),
    "encrypted-pk-as-text": encrypted({**GOOD_FIELDS, "app_client_pk": "1"}),
    "encrypted-pk-as-bool": encrypted({**GOOD_FIELDS, "app_client_pk": True}),
    "encrypted-token-as-dict": encrypted({**GOOD_FIELDS, "access_token": {"a": 1}}),
    "encrypted-username-as-int": encrypted({**GOOD_FIELDS, "cognito_username": 7}),
}


@pytest.mark.parametrize("value", UNEXPECTED_VALUES.values(), ids=UNEXPECTED_VALUES.keys())
def test_session_value_of_an_unexpected_type_reads_as_not_signed_in_to_cognito(value):
    assert SessionTokens.load({SESSION_KEY: value}) is None


def test_the_expected_shape_still_loads():
    assert SessionTokens.load({SESSION_KEY: encrypted(GOOD_FIELDS)}) == SessionTokens(**GOOD_FIELDS)
