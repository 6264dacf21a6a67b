"""cognito_auth.api beyond what /api/me/ shows: the kind of token a view asks for, required
scopes and groups (403 insufficient_scope), async views, the backend's hooks, and a Django
user model that signs in by email meeting an access token (which carries no email)."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwks_server import CLIENT_ID, claims_for, mint

from cognito_auth.api import BearerRefused, authenticate_bearer, bearer_token_required
from cognito_auth.backends import CognitoBackend

pytestmark = pytest.mark.django_db


def request_with(token: str):
    return RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")


def run_async(coroutine):
    """Await in a thread of its own: another test may have left this thread's event loop running."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def refusal(token: str, **options) -> BearerRefused:
    with pytest.raises(BearerRefused) as refused:
        authenticate_bearer(request_with(token), **options)
    return refused.value


@pytest.mark.parametrize(("minted_as", "asked_for"), [("id", "access"), ("access", "id")])
def test_a_view_asking_for_one_kind_refuses_the_other(minted_client, minted_as, asked_for):
    token = mint(claims_for(minted_as, aud=CLIENT_ID, client_id=CLIENT_ID))
    refused = refusal(token, token_use=asked_for)
    assert (refused.status, refused.error) == (401, "invalid_token")
    assert authenticate_bearer(request_with(token), token_use=minted_as).token_use == minted_as


def test_required_scopes_must_all_be_present(minted_client):
    token = mint(claims_for("access", scope="orders/read orders/write"))
    refused = refusal(token, scopes=["orders/read", "orders/delete"])
    assert (refused.status, refused.error) == (403, "insufficient_scope")
    assert 'scope="orders/delete orders/read"' in refused.www_authenticate()
    # An ID token has no scopes at all.
    assert refusal(mint(claims_for("id")), scopes=["orders/read"]).status == 403
    assert not get_user_model().objects.exists()  # refused before any user is made
    assert authenticate_bearer(request_with(token), scopes=["orders/read"]).scopes >= {"orders/read"}


def test_required_groups_need_one_of_them(minted_client):
    editor = mint(claims_for("access", **{"cognito:groups": ["editors"]}))
    assert authenticate_bearer(request_with(editor), groups=["admins", "editors"]).groups == {"editors"}
    assert refusal(editor, groups=["admins"]).status == 403
    assert refusal(mint(claims_for("access")), groups=["editors"]).status == 403


@pytest.mark.django_db(transaction=True)  # the view's check runs in a thread, on its own connection
def test_the_decorator_serves_async_views(minted_client):
    @bearer_token_required(token_use="access")
    async def view(request):
        return JsonResponse({"user": request.user.get_username(), "kind": request.cognito_bearer.token_use})

    answer = run_async(view(request_with(mint(claims_for("access")))))
    assert (answer.status_code, json.loads(answer.content)) == (200, {"user": "alice", "kind": "access"})
    refused = run_async(view(RequestFactory().get("/")))
    assert (refused.status_code, refused["WWW-Authenticate"]) == (401, "Bearer")


def test_the_decorator_marks_the_view_csrf_exempt_and_open_to_anonymous_requests():
    @bearer_token_required
    def view(request):
        return JsonResponse({})

    assert view.csrf_exempt is True
    assert getattr(view, "login_required", False) is False


class OnlyStaffGroup(CognitoBackend):
    def verify_claims(self, claims, app_client):
        return "staff" in claims.get("cognito:groups", [])


def test_the_backends_verify_claims_hook_judges_bearer_tokens_too(minted_client, settings):
    settings.AUTHENTICATION_BACKENDS = ["test_api.OnlyStaffGroup"]
    assert refusal(mint(claims_for("access"))).status == 401
    staff = mint(claims_for("access", **{"cognito:groups": ["staff"]}))
    assert authenticate_bearer(request_with(staff)).user.get_username() == "alice"


def test_an_access_token_gives_the_hooks_the_internal_username(minted_client):
    seen = []

    class Recording(CognitoBackend):
        def create_user(self, request, claims, app_client):
            seen.append(self.cognito_username(claims))
            return super().create_user(request, claims, app_client)

    token = mint(claims_for("access", username="internal-name"))
    assert authenticate_bearer(request_with(token), backend=Recording()).user.get_username() == "internal-name"
    assert seen == ["internal-name"]


@pytest.fixture
def django_settings_groups(settings):
    """Group mirroring and the staff group on, so their code meets the odd claims too."""
    settings.COGNITO_AUTH_MIRROR_GROUPS = "__all__"
    settings.COGNITO_AUTH_STAFF_GROUPS = ["staff"]


# Any JSON value, as a hostile token may carry in place of a string.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
CLAIM_NAMES = ["token_use", "aud", "client_id", "iss", "sub", "exp", "username", "cognito:username",
               "cognito:groups", "scope", "email", "email_verified", "given_name"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token_use=st.sampled_from(["id", "access"]), name=st.sampled_from(CLAIM_NAMES), value=json_values)
def test_a_claim_of_any_json_shape_is_a_refusal_or_a_sign_in_never_an_error(
    minted_client, django_settings_groups, token_use, name, value,
):
    """Unverified (choosing the client) and verified (hooks, groups, scopes) alike: a claim
    of an unexpected type answers 401/403 or signs in, never raises anything else (a 500)."""
    claims = claims_for(token_use, aud=CLIENT_ID, client_id=CLIENT_ID)
    claims[name] = value
    try:
        authenticate_bearer(request_with(mint(claims)), scopes=(), groups=())
    except BearerRefused as refused:
        assert refused.status in (401, 403)
