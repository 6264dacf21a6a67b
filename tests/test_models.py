"""AppClient: the secret at rest, key rotation, the one default, host routing, the cache."""

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cognito_auth import shared_cache
from cognito_auth.encryption import UndecryptableSecret
from cognito_auth.models import AppClient, cache_key

pytestmark = pytest.mark.django_db
PLAIN = "1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz0123456789abcdef"


def raw_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cognito_auth_appclient")
        return repr(cursor.fetchall())


def test_secret_is_encrypted_at_rest_and_read_back_plain(app_client_factory):
    client = app_client_factory(client_secret=PLAIN)
    assert PLAIN not in raw_rows()
    assert client.encrypted_client_secret.startswith("gAAAAA")  # a Fernet token
    assert AppClient.objects.get(pk=client.pk).client_secret == PLAIN


def test_secret_assigned_as_attribute_is_encrypted(app_client_factory):
    client = app_client_factory(client_secret="")
    assert not client.has_secret and client.client_secret == ""
    client.client_secret = PLAIN
    client.save()
    assert PLAIN not in raw_rows()
    assert AppClient.objects.get(pk=client.pk).client_secret == PLAIN


def test_old_secret_key_in_fallbacks_keeps_secret_readable_and_save_moves_it(app_client_factory, settings):
    settings.SECRET_KEY = "old-key-" + "x" * 50
    client = app_client_factory(client_secret=PLAIN)
    under_old_key = client.encrypted_client_secret

    settings.SECRET_KEY = "new-key-" + "y" * 50
    with pytest.raises(UndecryptableSecret, match="SECRET_KEY_FALLBACKS"):
        AppClient.objects.get(pk=client.pk).client_secret  # noqa: B018

    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    reloaded = AppClient.objects.get(pk=client.pk)
    assert reloaded.client_secret == PLAIN
    reloaded.save()
    assert reloaded.encrypted_client_secret != under_old_key
    settings.SECRET_KEY_FALLBACKS = []
    assert AppClient.objects.get(pk=client.pk).client_secret == PLAIN


def test_undecryptable_message_carries_no_secret(app_client_factory, settings):
    client = app_client_factory(client_secret=PLAIN)
    settings.SECRET_KEY = "another-key-" + "z" * 50
    with pytest.raises(UndecryptableSecret) as info:
        AppClient.objects.get(pk=client.pk).client_secret  # noqa: B018
    assert PLAIN not in str(info.value)
    assert client.encrypted_client_secret not in str(info.value)


def test_saving_a_default_clears_the_old_default(app_client_factory):
    first = app_client_factory(is_default=True)
    second = app_client_factory(is_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert AppClient.objects.filter(is_default=True).count() == 1


def test_database_refuses_two_defaults(app_client_factory):
    first = app_client_factory(is_default=True)
    second = app_client_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AppClient.objects.filter(pk=second.pk).update(is_default=True)
    assert AppClient.objects.get(is_default=True) == first


def test_host_routing_default_and_single_client(app_client_factory):
    assert AppClient.objects.for_host("example.com") is None
    only = app_client_factory()
    assert AppClient.objects.for_host("anything.example") == only  # one client serves all
    shop = app_client_factory(hosts="shop.example.com, SHOP.example.org")
    assert AppClient.objects.for_host("example.com") is None  # two clients, no default
    assert AppClient.objects.for_host("shop.example.com:8443") == shop
    assert AppClient.objects.for_host("shop.example.org") == shop
    only.is_default = True
    only.save()
    assert AppClient.objects.for_host("www.example.com") == only


def test_a_host_can_belong_to_one_client_only(app_client_factory):
    app_client_factory(name="shop", hosts="shop.example.com")
    other = AppClient(name="other", region="us-east-1", user_pool_id="us-east-1_X", client_id="abc",
                      hosts="blog.example.com shop.example.com")
    with pytest.raises(ValidationError, match=r"shop\.example\.com is already served by shop"):
        other.full_clean()



def test_a_request_looks_its_app_client_up_once_per_host(app_client_factory, rf, settings, monkeypatch):
    settings.ALLOWED_HOSTS = ["shop.example.com", "blog.example.com"]
    shop = app_client_factory(hosts="shop.example.com")
    blog = app_client_factory(hosts="blog.example.com", is_default=True)
    request = rf.get("/", HTTP_HOST="shop.example.com")
    reads = []
    read = shared_cache.get
    monkeypatch.setattr(shared_cache, "get", lambda *args: reads.append(args) or read(*args))
    assert AppClient.objects.for_request(request) == shop
    looked_up = len(reads)
    assert AppClient.objects.for_request(request) is AppClient.objects.for_request(request)  # form, backend, tags
    assert len(reads) == looked_up
    request.META["HTTP_HOST"] = "blog.example.com"  # another host is another look-up
    assert AppClient.objects.for_request(request) == blog and len(reads) > looked_up
    assert AppClient.objects.for_request(None) == blog

def test_pool_id_must_match_region():
    client = AppClient(name="x", region="eu-west-1", user_pool_id="us-east-1_Abc", client_id="abc")
    with pytest.raises(ValidationError, match="belongs to region us-east-1"):
        client.full_clean()


def test_lookup_is_cached_and_every_save_or_delete_invalidates(app_client_factory, django_assert_num_queries):
    client = app_client_factory(is_default=True)
    caches["default"].delete(cache_key())
    with django_assert_num_queries(1):
        AppClient.objects.for_host(None)
    with django_assert_num_queries(0):
        assert AppClient.objects.for_host(None).client_id == client.client_id
    client.client_id = "changedid"
    client.save()
    assert AppClient.objects.for_host(None).client_id == "changedid"
    client.delete()
    assert AppClient.objects.for_host(None) is None


def test_cache_never_holds_the_plain_secret(app_client_factory):
    import pickle

    app_client_factory(client_secret=PLAIN)
    AppClient.objects.cached()
    assert PLAIN.encode() not in pickle.dumps(caches["default"].get(cache_key()))


def test_a_list_read_before_a_change_and_stored_after_it_is_never_served(app_client_factory):
    # Another process read the rows before the admin's change committed, and stores them
    # only afterwards: the generation moved on, so that late write is never read.
    client = app_client_factory(client_id="before", is_default=True)
    stale_key = cache_key()
    stale_rows = list(AppClient.objects.order_by("pk"))
    client.client_id = "after"
    client.save()
    caches["default"].set(stale_key, stale_rows)  # the late write
    assert AppClient.objects.for_host(None).client_id == "after"


def _unreadable(app_client: AppClient, settings, **secrets: str) -> None:
    """Store ``secrets`` encrypted under a SECRET_KEY that is then replaced, no fallback."""
    current = settings.SECRET_KEY
    settings.SECRET_KEY = "an-old-key-long-gone-" + "x" * 40
    for name, value in secrets.items():
        setattr(app_client, name, value)
    settings.SECRET_KEY = current


@pytest.mark.parametrize(("current", "previous", "new", "expected"), [
    # (current, previous, new secret) -> (current, previous) afterwards; None: unreadable.
    ("old", "", "new", ("new", "old")),  # the replaced secret is kept for the rotation
    ("old", "older", "new", ("new", "old")),
    ("same", "older", "same", ("same", "older")),  # nothing replaced: the rotation stays
    ("", "", "new", ("new", "")),
    ("old", "older", "", ("", "")),  # no secret, no previous secret
    (None, "", "new", ("new", "")),  # an unreadable secret is worth nothing to keep
    (None, None, "new", ("new", "")),  # and an unreadable previous one would fail every call
    ("old", None, "new", ("new", "old")),
    ("same", None, "same", ("same", "")),
])
def test_set_secret_is_the_one_rotation_rule(app_client_factory, settings, current, previous, new, expected):
    from cognito_auth.models import SecretState

    app_client = app_client_factory(client_secret=current or "", previous_client_secret=previous or "")
    _unreadable(app_client, settings, **{
        name: "lost" for name, value in (("client_secret", current), ("previous_client_secret", previous))
        if value is None
    })
    if current is None:
        assert app_client.secret_state is SecretState.UNREADABLE and app_client.readable_secret == ""
    kept = app_client.set_secret(new)
    app_client.save()
    app_client.refresh_from_db()
    assert (app_client.client_secret, app_client.previous_client_secret) == expected
    assert kept is (expected[1] != "" and expected[1] != (previous or ""))


def test_secret_states(app_client_factory, settings):
    from cognito_auth.models import SecretState

    app_client = app_client_factory(client_secret="", previous_client_secret="")
    assert (app_client.secret_state, app_client.previous_secret_state) == (SecretState.NONE, SecretState.NONE)
    app_client.client_secret = "current"
    assert app_client.secret_state is SecretState.READABLE and app_client.readable_secret == "current"
    _unreadable(app_client, settings, previous_client_secret="lost")
    assert app_client.previous_secret_state is SecretState.UNREADABLE
    assert app_client.readable_previous_secret == ""
