"""Django's async entry points: ``aauthenticate`` in an async view, and the example site
served by an ASGI server (uvicorn), both against the emulator process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import django
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.test import AsyncClient
from django.urls import include, path

from cognito_auth.backends import FAILURE_ATTRIBUTE
from cognito_auth.sessions import SessionTokens

from .conftest import PASSWORD, Site

ROOT = Path(__file__).resolve().parents[2]
NOT_CONFIRMED = ("UserNotConfirmedException", "User is not confirmed.")
needs_async_auth = pytest.mark.skipif(django.VERSION < (5, 0), reason="aauthenticate and alogin came with Django 5.0")


async def async_sign_in(request: HttpRequest) -> JsonResponse:
    """What an adopter's async view does: Django's own aauthenticate and alogin."""
    from django.contrib.auth import aauthenticate, alogin

    user = await aauthenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return JsonResponse({"reason": getattr(request, FAILURE_ATTRIBUTE, None)}, status=401)
    await alogin(request, user)
    return JsonResponse({"username": user.get_username()})


urlpatterns = [path("async-sign-in/", async_sign_in), path("", include("example_project.urls"))]


@needs_async_auth
@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_aauthenticate_asks_cognito_from_an_async_view(alice, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client = AsyncClient()
    response = async_to_sync(client.post)("/async-sign-in/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200 and response.json() == {"username": "alice"}
    assert SessionTokens.load(client.session) is not None  # the tokens went with the session
    assert get_user_model().objects.get(username="alice").cognito_identities.count() == 1
    wrong = async_to_sync(client.post)("/async-sign-in/", {"username": "alice", "password": "Wrong-pass-1"})
    assert wrong.status_code == 401


@needs_async_auth
@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_aauthenticate_leaves_the_reason_and_lets_model_backend_try(cognito_pool, cognito_emulator,
                                                                    app_client_for_pool, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    get_user_model().objects.create_user("ops", password="Local-only-pass-1")
    cognito_emulator.fail_next("InitiateAuth", cognito_pool.client_id, *NOT_CONFIRMED)
    post = async_to_sync(AsyncClient().post)
    assert post("/async-sign-in/", {"username": "ops", "password": "Local-only-pass-1"}).json() == {"username": "ops"}
    cognito_emulator.fail_next("InitiateAuth", cognito_pool.client_id, *NOT_CONFIRMED)
    refused = post("/async-sign-in/", {"username": "ops", "password": "Not-it-1"})
    assert (refused.status_code, refused.json()) == (401, {"reason": "user_not_confirmed"})


@pytest.mark.django_db(transaction=True)
def test_the_example_site_signs_in_under_an_asgi_server(alice, tmp_path):
    """uvicorn serves example_project.asgi on a loopback socket this test opened."""
    database = django_settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        pytest.skip("the server process is given the SQLite file")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": f"sqlite:///{database['NAME']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS": "127.0.0.1",  # the emulator's port is any free one
    }
    log = (tmp_path / "uvicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "example_project.asgi:application", "--fd", str(listener.fileno()),
         "--lifespan", "off", "--no-access-log"],
        cwd=ROOT, env=env, pass_fds=[listener.fileno()], stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        # The socket already listens: requests wait in its backlog until uvicorn serves them.
        site = Site(f"http://127.0.0.1:{port}")
        response = site.login("alice", PASSWORD)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        assert "Signed in as alice" in site.get("/").text
        assert site.login("alice", "Wrong-pass-1").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
        listener.close()
        log.close()
    assert "Traceback" not in (tmp_path / "uvicorn.log").read_text()
