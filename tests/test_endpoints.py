"""Where an app client may send passwords (and, for the admin's import, signed requests)."""

import logging
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from cognito_auth.client import CognitoAdmin, CognitoClient
from cognito_auth.exceptions import EndpointNotAllowed
from cognito_auth.models import AppClient
from cognito_auth.validators import canonical_endpoint, endpoint_allowed, validate_endpoint_url


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("", True),
        ("https://cognito-idp.eu-west-1.amazonaws.com", True),
        ("https://cognito-idp.cn-north-1.amazonaws.com.cn", True),
        ("http://cognito-idp.eu-west-1.amazonaws.com", False),  # not over plain HTTP
        ("https://amazonaws.com.evil.example", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("https://intranet.example", False),
        ("http://127.0.0.1:9229", True),  # listed below
        ("ftp://127.0.0.1", False),
    ],
)
def test_endpoint_rules(url, allowed, settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["127.0.0.1"]
    assert endpoint_allowed(url) is allowed


def test_allowlist_entries_with_a_dot_allow_subdomains(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = [".vpce.example.internal"]
    assert endpoint_allowed("https://cognito.vpce.example.internal")
    assert not endpoint_allowed("https://vpce.example.internal.evil")


@pytest.mark.django_db
def test_model_validation_refuses_an_unlisted_endpoint(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = []
    client = AppClient(name="x", region="eu-west-1", user_pool_id="eu-west-1_Abc", client_id="abc",
                       endpoint_url="http://169.254.169.254/")
    with pytest.raises(ValidationError, match="COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS"):
        client.full_clean(validate_unique=False)


def test_no_call_goes_to_an_unlisted_endpoint_even_from_a_row_made_in_code(settings, caplog):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = []
    client = AppClient(name="rogue", region="eu-west-1", user_pool_id="eu-west-1_Abc", client_id="abc",
                       client_secret="s3cret", endpoint_url="http://127.0.0.1:1")
    with caplog.at_level(logging.ERROR, logger="cognito_auth"), pytest.raises(EndpointNotAllowed):
        CognitoClient(client).initiate_password_auth("alice", "password-1")
    assert "'rogue'" in caplog.text and "ALLOWED_ENDPOINT_HOSTS" in caplog.text
    with pytest.raises(EndpointNotAllowed):
        CognitoAdmin("eu-west-1", "eu-west-1_Abc", "http://169.254.169.254").describe_user_pool()


def test_an_admin_answer_without_its_part_is_a_service_fault():
    from cognito_auth.client import _answer_part
    from cognito_auth.exceptions import ServiceUnavailable

    assert _answer_part({"UserPool": {"Id": "x"}}, "UserPool") == {"Id": "x"}
    with pytest.raises(ServiceUnavailable, match="no UserPool"):
        _answer_part({}, "UserPool")


# --- The canonical-endpoint rule, against hostile URLs ------------------------------------
# Allowed below: localhost and 127.0.0.1 only. Each URL here would connect somewhere else
# than it reads, or carries something no endpoint needs; every one must be refused.
HOSTILE_ENDPOINTS = [
    # A backslash before "@": urlsplit reads localhost, urllib3 connects to 127.0.0.1:9501.
    "http://127.0.0.1:9501\\@localhost:9400",
    "https://attacker.example\\@cognito-idp.us-east-1.amazonaws.com",  # AWS's host after "@"
    "https://attacker.example\\@cognito-idp.us-east-1.amazonaws.com/",
    "http://attacker.example\\\\@localhost:9400",
    # Userinfo, in every position.
    "http://attacker.example@localhost:9400",
    "http://localhost:9400@attacker.example",
    "http://user:pass@localhost:9400",
    "https://cognito-idp.us-east-1.amazonaws.com@attacker.example",
    "http://@localhost:9400",
    # Percent-encoding, in the host and around it.
    "http://local%68ost:9400",
    "http://localhost%2f@attacker.example",
    "http://localhost:9400%2F",
    "http://%6c%6f%63%61%6c%68%6f%73%74:9400",
    # Whitespace and control characters (urlsplit silently drops tabs and newlines).
    "http://local\thost:9400",
    "http://localhost:9400\n",
    "http://localhost\r\n:9400",
    " http://localhost:9400",
    "http://localhost:9400 ",
    "http://localhost\x00.attacker.example:9400",
    "http://localhost\x7f:9400",
    # Paths, queries, fragments.
    "http://localhost:9400/path",
    "http://localhost:9400//",
    "http://localhost:9400/?",
    "http://localhost:9400?x=1",
    "http://localhost:9400#frag",
    "https://attacker.example/.amazonaws.com",
    "https://attacker.example?.amazonaws.com",
    "https://attacker.example#@cognito-idp.us-east-1.amazonaws.com",
    "http://localhost:9400;params",
    # Ports.
    "http://localhost:0",
    "http://localhost:65536",
    "http://localhost:99999999999",
    "http://localhost:-1",
    "http://localhost:+80",
    "http://localhost:",
    "http://localhost:9400:9500",
    # Hosts that are not what they seem: other spellings of an IPv4 address.
    "http://127.1:9400",
    "http://2130706433:9400",
    "http://0x7f.0.0.1:9400",
    "http://0177.0.0.1:9400",
    "http://127.0.0.01:9400",
    "http://127.0.0.1.:9400",
    "http://localhost.:9400",
    "http://.localhost:9400",
    "http://local..host:9400",
    "http://-localhost:9400",
    "http://" + "a" * 64 + ".localhost:9400",
    # IPv6 forms (none of them allowed here; zone ids and bare forms malformed anyway).
    "http://[::1]:9400",
    "http://[::ffff:127.0.0.1]:9400",
    "http://[fe80::1%25eth0]:9400",
    "http://::1:9400",
    "http://[::1:9400",
    "http://[localhost]:9400",
    # Unicode look-alikes: ideographic and full-width dots, full-width letters.
    "https://cognito-idp.us-east-1.amazonaws\u3002com",
    "https://cognito-idp.us-east-1.amazonaws\uff0ecom",
    "http://\uff4cocalhost:9400",
    "http://localhost\u2024:9400",
    # Other schemes and shapes.
    "ftp://localhost:9400",
    "file:///etc/passwd",
    "javascript://localhost:9400",
    "//localhost:9400",
    "localhost:9400",
    "http:/localhost:9400",
    "http:///localhost:9400",
    "http:\\\\localhost:9400",
    # Hosts under amazonaws.com that are not Cognito's, and look-alikes of it.
    "https://abc123.execute-api.us-east-1.amazonaws.com",
    "https://bucket.s3.amazonaws.com",
    "https://cognito-idp.us-east-1.amazonaws.com.attacker.example",
    "https://cognito-idp.us-east-1.amazonaws.com.cn.attacker.example",
    "http://cognito-idp.us-east-1.amazonaws.com",  # Cognito's, but plain HTTP
    "https://attacker.example",
]


@pytest.fixture
def localhost_allowed(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost", "127.0.0.1"]


@pytest.mark.usefixtures("localhost_allowed")
@pytest.mark.parametrize("url", HOSTILE_ENDPOINTS)
def test_a_hostile_endpoint_is_refused_by_the_rule_and_before_any_call(url):
    with pytest.raises(ValidationError):
        canonical_endpoint(url)
    with pytest.raises(ValidationError):
        validate_endpoint_url(url)
    assert endpoint_allowed(url) is False
    with pytest.raises(EndpointNotAllowed):
        CognitoClient(stand_in(url)).initiate_password_auth("alice", "password-1")
    with pytest.raises(EndpointNotAllowed):
        CognitoAdmin("us-east-1", "us-east-1_Abc", url).describe_user_pool()


@pytest.mark.usefixtures("localhost_allowed")
@pytest.mark.parametrize("url", HOSTILE_ENDPOINTS)
@pytest.mark.django_db
def test_a_hostile_endpoint_is_a_form_error_in_the_model_and_both_admin_forms(url):
    from cognito_auth.admin import AppClientForm
    from cognito_auth.admin_tools import ImportFromCognitoForm

    app_client = AppClient(name="x", region="us-east-1", user_pool_id="us-east-1_Abc", client_id="abc",
                           endpoint_url=url)
    with pytest.raises(ValidationError) as refused:
        app_client.full_clean()
    assert "endpoint_url" in refused.value.message_dict
    fields = {"name": "x", "region": "us-east-1", "user_pool_id": "us-east-1_Abc", "client_id": "abc",
              "endpoint_url": url, "hosts": ""}
    form = AppClientForm(data=fields)
    assert not form.is_valid() and "endpoint_url" in form.errors
    form = ImportFromCognitoForm(data=fields)
    assert not form.is_valid() and "endpoint_url" in form.errors  # before any call is made
    assert not AppClient.objects.exists()


@pytest.mark.parametrize(("url", "canonical"), [
    ("http://localhost:9400", "http://localhost:9400"),
    ("http://localhost:9400/", "http://localhost:9400"),
    ("HTTP://LOCALHOST:9400", "http://localhost:9400"),
    ("http://localhost:09400", "http://localhost:9400"),
    ("http://127.0.0.1", "http://127.0.0.1"),
    ("http://[0:0:0:0:0:0:0:1]:9400/", "http://[::1]:9400"),
    ("https://COGNITO-IDP.EU-WEST-1.AMAZONAWS.COM/", "https://cognito-idp.eu-west-1.amazonaws.com"),
    ("https://cognito-idp-fips.us-east-1.amazonaws.com", "https://cognito-idp-fips.us-east-1.amazonaws.com"),
    ("https://cognito-idp.cn-north-1.amazonaws.com.cn:443", "https://cognito-idp.cn-north-1.amazonaws.com.cn:443"),
    ("https://vpce-0a1b2c3d4e5f-abcdefgh.cognito-idp.eu-west-1.vpce.amazonaws.com",
     "https://vpce-0a1b2c3d4e5f-abcdefgh.cognito-idp.eu-west-1.vpce.amazonaws.com"),
    ("", ""),
])
def test_an_endpoint_is_used_only_in_canonical_form(url, canonical, settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    assert canonical_endpoint(url) == canonical
    # A call goes out only with the canonical text: that is the text that was judged.
    assert endpoint_allowed(url) is (url == canonical)


def test_a_host_both_parsers_read_differently_is_refused_even_if_the_grammar_missed_it(monkeypatch, settings):
    from urllib3.util import Url

    from cognito_auth import validators

    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost"]
    # A future urllib3 that reads a plain URL otherwise than urlsplit does.
    monkeypatch.setattr(validators, "parse_url", lambda url: Url(scheme="http", host="127.0.0.1", port=9501))
    with pytest.raises(ValidationError):
        canonical_endpoint("http://localhost:9400")


@pytest.mark.django_db
def test_saving_writes_the_canonical_form_and_refuses_a_malformed_one(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost"]
    app_client = AppClient.objects.create(name="x", region="us-east-1", user_pool_id="us-east-1_Abc",
                                          client_id="abc", endpoint_url="HTTP://LocalHost:9400/")
    app_client.refresh_from_db()
    assert app_client.endpoint_url == "http://localhost:9400"
    app_client.endpoint_url = "http://127.0.0.1:9501\\@localhost:9400"
    with pytest.raises(ValidationError):
        app_client.save()
    app_client.refresh_from_db()
    assert app_client.endpoint_url == "http://localhost:9400"


@pytest.mark.django_db
def test_model_validation_writes_the_canonical_form(settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost"]
    app_client = AppClient(name="x", region="us-east-1", user_pool_id="us-east-1_Abc", client_id="abc",
                           endpoint_url="http://LOCALHOST:9400/")
    app_client.full_clean()
    assert app_client.endpoint_url == "http://localhost:9400"


def stand_in(url: str) -> SimpleNamespace:
    """An app client as scripts build one: no model, so no validation on the way in."""
    return SimpleNamespace(name="stand-in", region="us-east-1", user_pool_id="us-east-1_Abc", client_id="abc",
                           client_secret="s3cret", endpoint_url=url)


@pytest.mark.django_db(transaction=True)
def test_the_migration_writes_stored_endpoints_canonically_and_leaves_the_rest_refused(settings):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = ["localhost"]
    before = [("cognito_auth", "0003_endpoint_url_allowed_hosts")]
    after = [("cognito_auth", "0004_endpoint_url_canonical")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_model = executor.loader.project_state(before).apps.get_model("cognito_auth", "AppClient")
    stored = {
        "spelling": ("HTTP://LocalHost:9400/", "http://localhost:9400"),
        "canonical": ("http://localhost:9400", "http://localhost:9400"),
        "aws": ("", ""),
        "backslash": ("http://127.0.0.1:9501\\@localhost:9400", "http://127.0.0.1:9501\\@localhost:9400"),
        "path": ("http://localhost:9400/latest", "http://localhost:9400/latest"),
    }
    for n, (name, (url, _expected)) in enumerate(stored.items()):
        old_model.objects.create(name=name, region="us-east-1", user_pool_id="us-east-1_Abc", client_id=f"c{n}",
                                 endpoint_url=url)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("cognito_auth"))
    rows = dict(AppClient.objects.values_list("name", "endpoint_url"))
    assert rows == {name: expected for name, (_url, expected) in stored.items()}
    # What could not be rewritten safely stays refused before every call.
    assert [name for name, url in rows.items() if not endpoint_allowed(url)] == ["backslash", "path"]


@pytest.mark.parametrize(("entry", "url", "allowed"), [
    ("127.0.0.1:9400", "http://127.0.0.1:9400", True),
    ("127.0.0.1:9400", "http://127.0.0.1:9401", False),
    ("127.0.0.1:9400", "http://127.0.0.1", False),  # port 80
    ("127.0.0.1", "http://127.0.0.1:9401", True),  # no port pinned: any port (see README)
    ("localhost:80", "http://localhost", True),  # a URL without a port connects to its scheme's
    ("cognito.internal:443", "https://cognito.internal", True),
    ("cognito.internal:443", "https://cognito.internal:443", True),
    ("cognito.internal:443", "http://cognito.internal", False),
    ("[::1]:9400", "http://[::1]:9400", True),
    ("[::1]:9400", "http://[::1]:9401", False),
    ("[0:0:0:0:0:0:0:1]:9400", "http://[::1]:9400", True),
    ("[::1]", "http://[::1]:9401", True),
    ("::1", "http://[::1]:9401", True),  # bare IPv6 names no port
    (".vpce.example.internal:443", "https://a.vpce.example.internal", True),
    (".vpce.example.internal:443", "https://a.vpce.example.internal:8443", False),
    (" LocalHost:9400 ", "http://localhost:9400", True),
    ("localhost:0", "http://localhost", False),  # unreadable entries allow nothing
    ("localhost:65536", "http://localhost:65536", False),
    ("localhost:x", "http://localhost", False),
    ("localhost:", "http://localhost", False),
    ("[::1]x", "http://[::1]", False),
    (":9400", "http://localhost:9400", False),
])
def test_allowlist_entries_may_pin_a_port(entry, url, allowed, settings):
    settings.COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = [entry]
    assert endpoint_allowed(url) is allowed
