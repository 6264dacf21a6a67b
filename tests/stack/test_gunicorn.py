"""Four gunicorn workers on PostgreSQL and Redis share everything that matters (issue 12 §1).

The stack (example_project.stack) serves the example project with 4 sync workers behind
one listening socket, as a load balancer sees one site. A sync worker serves one request
at a time, so concurrent requests spread over the workers; each response names its worker
(``X-Worker-Pid``, a test-only middleware), and a check repeats until every live worker
has answered, bounded in count, never in time.
"""

from __future__ import annotations

import html.parser
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from integration.conftest import PASSWORD, Site

from example_project.stack import Stack
from example_project.worker_pid import HEADER

pytestmark = pytest.mark.stack
CONCURRENCY = 8
EVERY_WORKER_LIMIT = 240  # requests a check may make to reach every worker
RACE_ROUNDS = 20
RACE_ATTEMPTS = 80  # rounds tried to get RACE_ROUNDS whose two sign-ins met on two workers
BURST = 20
RENEWALS = {"InitiateAuth": "REFRESH_TOKEN_AUTH", "GetTokensFromRefreshToken": None}


def worker_of(response: requests.Response) -> int:
    return int(response.headers[HEADER])


def on_every_worker(stack: Stack, request: Callable[[int], requests.Response]) -> list[requests.Response]:
    """`request(n)` in rounds of CONCURRENCY parallel calls until every live worker has
    answered one; all the responses. Fails when EVERY_WORKER_LIMIT calls do not reach them."""
    workers = stack.worker_pids()
    assert len(workers) == stack.workers
    responses: list[requests.Response] = []
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        while {worker_of(r) for r in responses} < workers and len(responses) < EVERY_WORKER_LIMIT:
            responses += pool.map(request, range(len(responses), len(responses) + CONCURRENCY))
    answered = {worker_of(r) for r in responses}
    assert answered == workers, f"{len(responses)} requests reached workers {answered} of {workers}"
    return responses


def browser(stack: Stack) -> Site:
    return Site(stack.base_url.rstrip("/"))


def signs_in(stack: Stack, username: str, password: str = PASSWORD) -> Callable[[int], requests.Response]:
    """A fresh browser's sign-in POST (the page before it may come from any worker)."""
    def sign_in(_n: int) -> requests.Response:
        return browser(stack).login(username, password)

    return sign_in


def signed_in(response: requests.Response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/"


def refused(response: requests.Response) -> bool:
    """The login page again, with the form's error: a refusal, not an outage or a 500."""
    return response.status_code == 200 and "errorlist" in response.text


def client_calls(stack: Stack, client_id: str) -> list[dict]:
    return [call for call in stack.emulator.calls() if call["client_id"] == client_id]


# The admin, over HTTP like a person ------------------------------------------------------

class FormFields(html.parser.HTMLParser):
    """The values a browser would submit for the first form with a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.fields[name] = attributes.get("value", "on")
            elif kind not in {"submit", "button", "file"}:
                self.fields[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None:
            if "selected" in attributes or self._select not in self.fields:
                self.fields[self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data.lstrip("\n") if not self.fields[self._textarea] else data


class Admin:
    """A signed-in Django admin on the stack (the admin's own login, ModelBackend)."""

    def __init__(self, stack: Stack) -> None:
        self.site = browser(stack)
        answer = self.site.post_form(
            "/admin/login/", {"username": "admin", "password": stack.admin_password, "next": "/admin/"}
        )
        assert answer.status_code == 302, answer.status_code

    def submit(self, path: str, changes: dict[str, str | None]) -> requests.Response:
        """Post the form at `path` as a person would, with `changes` (None unticks)."""
        page = self.site.get(path)
        assert page.status_code == 200, (path, page.status_code)
        parser = FormFields()
        parser.feed(page.text)
        fields = {**parser.fields, **changes, "_save": "Save"}
        answer = self.site.http.post(
            self.site.base_url + path, data={k: v for k, v in fields.items() if v is not None},
            headers={"Referer": self.site.base_url + path}, allow_redirects=False, timeout=30,
        )
        assert answer.status_code == 302, re.findall(r'class="errorlist[^"]*">(.*?)</ul>', answer.text, re.S)
        return answer


def app_client_pk(stack: Stack, name: str) -> int:
    return stack.sql("SELECT id FROM cognito_auth_appclient WHERE name = %s", (name,))[0][0]


def test_every_worker_is_distinct_and_answers(gunicorn_stack):
    responses = on_every_worker(gunicorn_stack, lambda _n: requests.get(gunicorn_stack.base_url + "accounts/login/",
                                                                          timeout=30))
    assert {r.status_code for r in responses} == {200}


def test_admin_changes_to_app_clients_reach_every_worker_at_once(gunicorn_stack):
    stack, emulator = gunicorn_stack, gunicorn_stack.emulator
    emulator.create_user(stack.pool_id, "ann", PASSWORD)
    admin = Admin(stack)
    assert all(signed_in(r) for r in on_every_worker(stack, signs_in(stack, "ann")))  # every worker has it cached

    # A new secret: Cognito accepts only the new one, the admin enters it once.
    old_secret_id = emulator.client_secret_ids(stack.pool_id, stack.client_id)[0]
    _, new_secret = emulator.add_client_secret(stack.pool_id, stack.client_id)
    emulator.delete_client_secret(stack.pool_id, stack.client_id, old_secret_id)
    admin.submit(f"/admin/cognito_auth/appclient/{app_client_pk(stack, 'stack')}/change/",
                 {"new_client_secret": new_secret})
    emulator.reset_log()
    assert all(signed_in(r) for r in on_every_worker(stack, signs_in(stack, "ann")))
    # No worker tried the old secret first: every call was accepted.
    assert {call["outcome"] for call in client_calls(stack, stack.client_id)} == {"ok"}

    # A new default: a second pool's app client; its users sign in on every worker.
    second_pool = emulator.create_user_pool("stack-second-pool")
    second_client, second_secret = emulator.create_app_client(second_pool, "second-site", secret=True)
    emulator.create_user(second_pool, "bea", PASSWORD)
    admin.submit("/admin/cognito_auth/appclient/add/", {
        "name": "second", "region": second_pool.split("_", 1)[0], "user_pool_id": second_pool,
        "client_id": second_client, "new_client_secret": second_secret,
        "endpoint_url": emulator.endpoint_url, "is_default": "on",
    })
    assert all(signed_in(r) for r in on_every_worker(stack, signs_in(stack, "bea")))
    assert all(refused(r) for r in on_every_worker(stack, signs_in(stack, "ann")))

    # The default removed: the one client left serves again, everywhere.
    second_pk = app_client_pk(stack, "second")
    answer = admin.site.post_form(f"/admin/cognito_auth/appclient/{second_pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert all(refused(r) for r in on_every_worker(stack, signs_in(stack, "bea")))
    assert all(signed_in(r) for r in on_every_worker(stack, signs_in(stack, "ann")))


def make_due(stack: Stack, session_key: str) -> None:
    """Move the session's access-token expiry to now, in the session store every worker reads."""
    stack.shell(
        """
import time
from importlib import import_module
from django.conf import settings
from cognito_auth.sessions import CLOCK_KEY
session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=VALUES["key"])
expires_at, lifetime, confirmed_at = session[CLOCK_KEY]
session[CLOCK_KEY] = [time.time(), lifetime, confirmed_at]
session.save()
""",
        key=session_key,
    )


def renewals(stack: Stack) -> list[str]:
    return [call["action"] for call in client_calls(stack, stack.client_id)
            if call["action"] in RENEWALS and call.get("auth_flow") == RENEWALS[call["action"]]]


def test_a_session_and_its_renewed_tokens_are_valid_on_every_worker(gunicorn_stack):
    stack = gunicorn_stack
    stack.emulator.create_user(stack.pool_id, "cat", PASSWORD, {"given_name": "Cat"})
    person = browser(stack)
    assert signed_in(person.login("cat", PASSWORD))
    cookies = {"sessionid": person.http.cookies["sessionid"]}

    def home(_n: int) -> requests.Response:
        return requests.get(stack.base_url, cookies=cookies, allow_redirects=False, timeout=30)

    stack.emulator.reset_log()
    pages = on_every_worker(stack, home)
    assert {r.status_code for r in pages} == {200} and all("cat" in r.text for r in pages)
    assert client_calls(stack, stack.client_id) == []  # fresh tokens: no Cognito call anywhere

    for window in range(3):
        make_due(stack, cookies["sessionid"])
        stack.emulator.reset_log()
        with ThreadPoolExecutor(BURST) as pool:
            burst = list(pool.map(home, range(BURST)))
        assert [r.status_code for r in burst] == [200] * BURST, window
        assert len({worker_of(r) for r in burst}) > 1, "the burst reached one worker only"
        assert renewals(stack) == ["InitiateAuth"], window  # once per window, across the workers
        # The renewed tokens serve on every worker, with no further call.
        stack.emulator.reset_log()
        pages = on_every_worker(stack, home)
        assert {r.status_code for r in pages} == {200}
        assert client_calls(stack, stack.client_id) == []


def first_sign_ins_at_once(stack: Stack, username: str) -> list[requests.Response]:
    """Two browsers, their login pages loaded, post the same new person's sign-in together."""
    people = [browser(stack), browser(stack)]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', person.get("/accounts/login/").text).group(1)
              for person in people]
    start = threading.Barrier(2)

    def sign_in(n: int) -> requests.Response:
        person = people[n]
        start.wait()  # both leave together: the race this is about
        return person.http.post(
            person.base_url + "/accounts/login/",
            data={"csrfmiddlewaretoken": tokens[n], "username": username, "password": PASSWORD},
            headers={"Referer": person.base_url + "/accounts/login/"}, allow_redirects=False, timeout=30,
        )

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(sign_in, range(2)))


def test_first_sign_in_on_two_workers_at_once_makes_one_user_and_one_identity(gunicorn_stack):
    stack = gunicorn_stack
    raced = 0
    for attempt in range(RACE_ATTEMPTS):
        if raced == RACE_ROUNDS:
            break
        username = f"racer{attempt}"
        stack.emulator.create_user(stack.pool_id, username, PASSWORD)
        answers = first_sign_ins_at_once(stack, username)
        assert all(signed_in(answer) for answer in answers), (username, [a.status_code for a in answers])
        assert stack.sql("SELECT count(*) FROM auth_user WHERE username = %s", (username,)) == [(1,)]
        assert stack.sql(
            "SELECT count(*) FROM cognito_auth_cognitoidentity WHERE cognito_username = %s", (username,)
        ) == [(1,)]
        raced += worker_of(answers[0]) != worker_of(answers[1])
    assert raced == RACE_ROUNDS, f"only {raced} of {RACE_ATTEMPTS} rounds met on two workers"


def test_a_forwarded_scheme_from_a_client_is_not_believed(gunicorn_stack):
    # gunicorn believes X-Forwarded-Proto from 127.0.0.1 by default (forwarded_allow_ips):
    # a client on loopback, with no proxy in front, could make a plain-HTTP request pass as
    # HTTPS (HSTS sent, CSRF's Origin check against https://). The stack trusts no proxy.
    site = browser(gunicorn_stack)
    page = site.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    https_origin = gunicorn_stack.base_url.rstrip("/").replace("http://", "https://", 1)
    forged = site.http.post(
        site.base_url + "/accounts/login/", allow_redirects=False, timeout=30,
        data={"csrfmiddlewaretoken": token.group(1), "username": "demo", "password": gunicorn_stack.user_password},
        headers={"X-Forwarded-Proto": "https", "Origin": https_origin},
    )
    assert forged.status_code == 403  # the Origin does not match the plain-HTTP site
