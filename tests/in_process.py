"""Signing in through Django's test client, in this process (no live server)."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import Client

PASSWORD = "Correct-Horse-7-battery"


def login(username: str, password: str = PASSWORD) -> tuple[Client, HttpResponse]:
    """POST the example project's login page; the client (its session) and the answer."""
    client = Client()
    return client, client.post("/accounts/login/", {"username": username, "password": password})
