"""No page open to anonymous visitors tells whether an account exists.

One row per kind of account, one column per page. Each cell probes the page with a name
of that kind the way a visitor without the password or the code would, and records what
the visitor sees: status codes, redirect targets, the pages (minus the name typed and
the masked address a code went to) and which cookies each answer sets. Every row must
read exactly as the row of a name nobody has.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from cognito_auth.client import secret_hash
from cognito_auth.models import AppClient

from .conftest import PASSWORD, Site

pytestmark = pytest.mark.django_db(transaction=True)
WRONG_PASSWORD = "Not-the-password-1"
NEW_PASSWORD = "Brand-New-Pass-42"
WRONG_CODE = "000000"


# Kinds of account ---------------------------------------------------------------------


def unknown(pool, site, name):
    pass


def confirmed(pool, site, name):
    pool.create_user(name, PASSWORD, {"email": f"{name}@example.com"})


def unconfirmed(pool, site, name):
    pool.emulator.boto3_admin_client().sign_up(
        ClientId=pool.client_id, Username=name, Password=PASSWORD,
        SecretHash=secret_hash(name, pool.client_id, pool.client_secret),
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
    )


def disabled(pool, site, name):
    pool.create_user(name, PASSWORD, {"email": f"{name}@example.com"}, enabled=False)


def without_verified_contact(pool, site, name):
    pool.create_user(name, PASSWORD, {"email": f"{name}@example.com", "email_verified": "false"})


def invited(pool, site, name):
    # AdminCreateUser with a temporary password, never signed in: FORCE_CHANGE_PASSWORD.
    pool.emulator.boto3_admin_client().admin_create_user(
        UserPoolId=pool.pool_id, Username=name, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                        {"Name": "email_verified", "Value": "true"}],
    )


def linked(pool, site, name):
    confirmed(pool, site, name)
    assert Site(site.base_url).login(name, PASSWORD).status_code == 302  # now a Django user too


KINDS = [unknown, confirmed, unconfirmed, disabled, without_verified_contact, invited, linked]


# Pages ----------------------------------------------------------------------------------

Visit = Callable[[Site, str], list]


def login(site, name):
    return [site.login(name, WRONG_PASSWORD)]


def reset_request(site, name):
    return [site.post_form("/accounts/password_reset/", {"username": name}),
            site.get("/accounts/password_reset/confirm/")]


def reset_confirm(site, name):
    return [site.post_form("/accounts/password_reset/confirm/", {
        "username": name, "code": WRONG_CODE, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})]


def reset_resend(site, name):
    return [post_without_page(site, "/accounts/password_reset/resend/", {"username": name}),
            site.get("/accounts/password_reset/confirm/")]


def sign_up(site, name):
    return [post_without_page(site, "/accounts/signup/", {  # the page may be off (404)
        "username": name, "email": "probe@example.com", "password1": PASSWORD, "password2": PASSWORD}),
        site.get("/accounts/signup/confirm/")]


def sign_up_confirm(site, name):
    return [site.post_form("/accounts/signup/confirm/", {"username": name, "code": WRONG_CODE})]


def sign_up_resend(site, name):
    return [post_without_page(site, "/accounts/signup/resend/", {"username": name}),
            site.get("/accounts/signup/confirm/")]


PAGES = [login, reset_request, reset_confirm, reset_resend, sign_up, sign_up_confirm, sign_up_resend]


def post_without_page(site, path, data):
    """A POST-only page: the CSRF cookie comes from the login page."""
    site.get("/accounts/login/")
    token = site.http.cookies["csrftoken"]
    return site.http.post(site.base_url + path, data={"csrfmiddlewaretoken": token, **data},
                          headers={"Referer": site.base_url + path}, allow_redirects=False, timeout=30)


def seen(responses, name: str) -> list[tuple]:
    """What a visitor sees of each answer, minus what differs per request or per name."""
    return [(r.status_code, r.headers.get("Location"), sorted(r.cookies.keys()), page_shape(r.text, name))
            for r in responses]


def page_shape(html: str, name: str) -> str:
    html = html.replace(name, "NAME")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)
    # Where a code went: a masked address, never predictable from the name.
    return re.sub(r"\b[a-z0-9]\*\*\*@[a-z0-9]\*\*\*", "x***@y***", html)


# The table ------------------------------------------------------------------------------


@pytest.fixture(params=["ENABLED", "LEGACY"])
def pool_kind(request, cognito_pool, cognito_emulator, db):
    """The site's app client hides unknown users (ENABLED) or lets Cognito reveal them."""
    if request.param == "ENABLED":
        client_id, secret = cognito_pool.client_id, cognito_pool.client_secret
    else:
        client_id, secret = cognito_emulator.create_app_client(
            cognito_pool.pool_id, "legacy", secret=True, prevent_user_existence_errors=None,
            flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        )
    AppClient.objects.create(name=request.param, region=cognito_pool.region, user_pool_id=cognito_pool.pool_id,
                             client_id=client_id, client_secret=secret, endpoint_url=cognito_pool.endpoint_url,
                             is_default=True)
    return request.param


@pytest.mark.parametrize("sign_up_enabled", [True, False], ids=["sign-up-on", "sign-up-off"])
def test_every_kind_of_account_reads_as_an_unknown_name_on_every_anonymous_page(
    site, cognito_pool, pool_kind, settings, sign_up_enabled,
):
    settings.COGNITO_AUTH_SIGN_UP_ENABLED = sign_up_enabled
    table: dict[str, dict[str, list]] = {}
    for kind in KINDS:
        for page in PAGES:
            # A name of its own per cell: a probe (a sign-up, say) must not change the next.
            name = f"{kind.__name__.replace('_', '-')}-{page.__name__.replace('_', '-')}"
            kind(cognito_pool, site, name)
            table.setdefault(page.__name__, {})[kind.__name__] = seen(page(Site(site.base_url), name), name)
    for page, row in table.items():
        for kind, observed in row.items():
            assert observed == row["unknown"], f"{page}: a {kind} account reads differently from an unknown name"
    # The probes did reach Cognito's refusals, rather than stopping at a form error.
    assert table["reset_request"]["unknown"][0][:2] == (302, "/accounts/password_reset/confirm/")
    assert table["sign_up"]["unknown"][0][0] == (302 if sign_up_enabled else 404)
