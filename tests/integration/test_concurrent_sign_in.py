"""Two first sign-ins of one new Cognito user at the same moment both succeed."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from django.test import RequestFactory

from cognito_auth.models import CognitoIdentity

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 20


def test_simultaneous_first_sign_ins_both_succeed_with_one_user_and_one_identity(cognito_pool, app_client_for_pool,
                                                                                 caplog):
    def sign_in(username: str, start: threading.Barrier):
        try:
            start.wait()  # both threads leave together: the race this is about
            return authenticate(RequestFactory().post("/accounts/login/"), username=username, password=PASSWORD)
        finally:
            connection.close()  # each thread has its own connection

    with caplog.at_level(logging.WARNING, logger="cognito_auth"), ThreadPoolExecutor(2) as pool:
        for n in range(ROUNDS):
            username = f"racer{n}"
            cognito_pool.create_user(username, PASSWORD)
            start = threading.Barrier(2)
            users = [f.result() for f in [pool.submit(sign_in, username, start) for _ in range(2)]]
            assert all(users), f"round {n}: a sign-in was refused"
            assert users[0].pk == users[1].pk
            assert get_user_model().objects.filter(username=username).count() == 1
            assert CognitoIdentity.objects.filter(cognito_username=username).count() == 1
    assert not caplog.records  # no false "account conflict"
