"""App clients configured in the admin, and the link from a Cognito user to a Django user."""

from __future__ import annotations

import enum
import logging
import re
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import RegexValidator
from django.db import DatabaseError, models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import encryption, shared_cache
from .conf import app_settings
from .validators import ENDPOINT_MAX_LENGTH, parse_endpoint, validate_endpoint_url

if TYPE_CHECKING:
    from django.http import HttpRequest

SECRET_PURPOSE = "client_secret"  # noqa: S105 - an encryption purpose, not a secret
# v2: app clients gained a previous secret and a last failure; a list cached by an older
# release must not be read back. The list lives under the current generation, a random
# token replaced on every change (see ``forget_cached``).
CACHE_KEY_PREFIX = "cognito_auth:app_clients:v2:"
GENERATION_KEY = "cognito_auth:app_clients:generation"
logger = logging.getLogger("cognito_auth")
HOST_SEPARATORS = re.compile(r"[\s,]+")
# Where a request keeps (host, app client) once ``for_request`` has looked it up.
REQUEST_ATTRIBUTE = "_cognito_auth_app_client"


class SecretState(enum.Enum):
    """What is stored of a secret, as the current SECRET_KEY and its fallbacks see it."""

    NONE = "none"
    READABLE = "readable"
    UNREADABLE = "unreadable"  # saved under a key that is neither current nor a fallback


def _state_of(ciphertext: str) -> SecretState:
    if not ciphertext:
        return SecretState.NONE
    try:
        encryption.decrypt(ciphertext, SECRET_PURPOSE)
    except encryption.UndecryptableSecret:
        return SecretState.UNREADABLE
    return SecretState.READABLE


def _readable(ciphertext: str) -> str:
    try:
        return encryption.decrypt(ciphertext, SECRET_PURPOSE)
    except encryption.UndecryptableSecret:
        return ""


class AppClientManager(models.Manager["AppClient"]):
    def cached(self) -> list[AppClient]:
        """All app clients, through Django's cache so a login makes no database query.

        The cache entry is deleted on every save and delete (see ``forget_cached``); with a
        shared cache backend every process sees an admin change at once. The entry holds
        only the encrypted secret.
        """
        key = cache_key()
        clients = shared_cache.get(key)
        if clients is None:  # not cached yet, or the cache is unreachable
            clients = list(self.order_by("pk"))
            shared_cache.set(key, clients, app_settings.CACHE_TIMEOUT)
        return clients

    def for_host(self, host: str | None) -> AppClient | None:
        """The client whose ``hosts`` list the host, else the default, else the only one."""
        clients = self.cached()
        if host:
            domain, _port = split_domain_port(host)
            for client in clients:
                if domain and domain in client.host_names:
                    return client
        for client in clients:
            if client.is_default:
                return client
        return clients[0] if len(clients) == 1 else None

    def for_request(self, request: HttpRequest | None) -> AppClient | None:
        """The app client that serves this request (by its host), or None if none fits.

        Looked up once per request and host: the login form, the backend and the page's
        tags each ask, and each look-up is two cache reads (a round trip each to a shared
        cache) and an unpickling of the list. One request is served by one app client.
        """
        if request is None:
            return self.for_host(None)
        host = request.get_host()
        remembered = getattr(request, REQUEST_ATTRIBUTE, None)
        if remembered is not None and remembered[0] == host:
            return remembered[1]
        client = self.for_host(host)
        setattr(request, REQUEST_ATTRIBUTE, (host, client))
        return client


ENDPOINT_PERMISSION_CODENAME = "change_appclient_endpoint"
#: The permission, as ``user.has_perm()`` takes it.
ENDPOINT_PERMISSION = f"cognito_auth.{ENDPOINT_PERMISSION_CODENAME}"
#: The fields that decide whom the site trusts, changeable only with ENDPOINT_PERMISSION:
#: ``endpoint_url`` receives every password and serves the JWKS tokens are checked against
#: (for an emulator or a VPC endpoint); ``region`` and ``user_pool_id`` decide the issuer and
#: the JWKS URL on AWS, so a pool someone else controls mints tokens for any ``sub`` it
#: likes; ``client_id`` decides the token audience and which client's settings apply.
#: The secrets (admin form fields, not model fields) go with the client id they belong to.
TRUST_FIELDS = ("region", "user_pool_id", "client_id", "endpoint_url")


# Compared with a field's value as str(Member): this mypy with django-stubs types a Choices
# member as its (value, label) pair, and str() gives the value at run time as well.
class AuthFlow(models.TextChoices):
    """How the login page's password reaches Cognito (InitiateAuth's AuthFlow)."""

    USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH", _("Password (USER_PASSWORD_AUTH)")
    USER_SRP_AUTH = "USER_SRP_AUTH", _("Secure Remote Password (USER_SRP_AUTH)")
    USER_AUTH = "USER_AUTH", _("Choice-based sign-in (USER_AUTH)")


class SignInMethod(models.TextChoices):
    """The first factors a ``USER_AUTH`` login page offers: InitiateAuth's
    PREFERRED_CHALLENGE values (and the pool's ``SignInPolicy.AllowedFirstAuthFactors``,
    where the password is one factor, PASSWORD, whichever way it is proved)."""

    PASSWORD = "PASSWORD", _("Password, sent to Cognito (PASSWORD)")
    PASSWORD_SRP = "PASSWORD_SRP", _("Password, proved without sending it (PASSWORD_SRP)")
    EMAIL_OTP = "EMAIL_OTP", _("A one-time code by email (EMAIL_OTP)")
    SMS_OTP = "SMS_OTP", _("A one-time code by SMS (SMS_OTP)")
    WEB_AUTHN = "WEB_AUTHN", _("Passkey (WEB_AUTHN)")


#: What a new ``USER_AUTH`` client offers until the admin says otherwise.
DEFAULT_SIGN_IN_METHODS = "PASSWORD EMAIL_OTP"


def parse_sign_in_methods(value: str) -> list[str]:
    """The methods listed in ``value`` (spaces or commas), known ones only, in the order
    of ``SignInMethod``; PASSWORD and PASSWORD_SRP together read as PASSWORD_SRP (one
    password field: it is proved without being sent)."""
    listed = {item.strip().upper() for item in HOST_SEPARATORS.split(value or "") if item.strip()}
    methods = [method for method in SignInMethod.values if method in listed]
    if SignInMethod.PASSWORD_SRP in methods and SignInMethod.PASSWORD in methods:
        methods.remove(SignInMethod.PASSWORD)
    return methods


def validate_sign_in_methods(value: str) -> None:
    """Every listed method known, at least one."""
    listed = [item.strip().upper() for item in HOST_SEPARATORS.split(value or "") if item.strip()]
    unknown = [item for item in listed if item not in SignInMethod.values]
    if unknown:
        raise ValidationError(
            _("Unknown sign-in method %(method)s; choose among %(known)s."),
            params={"method": unknown[0][:40], "known": ", ".join(SignInMethod.values)},
            code="unknown_method",
        )
    if not listed:
        raise ValidationError(_("Choose at least one sign-in method."), code="no_method")


class AppClient(models.Model):
    """A Cognito user pool app client. The secret is stored only encrypted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(
        _("region"),
        max_length=32,
        validators=[RegexValidator(r"^[a-z]{2}(-[a-z]+)+-\d+$", _("Enter a region such as eu-west-1."))],
    )
    user_pool_id = models.CharField(
        _("user pool id"),
        max_length=55,
        validators=[RegexValidator(r"^[\w-]+_[0-9a-zA-Z]+$", _("Enter a pool id such as eu-west-1_AbC123."))],
    )
    client_id = models.CharField(
        _("client id"),
        max_length=128,
        validators=[RegexValidator(r"^[\w+]+$", _("Enter the app client id from Cognito."))],
    )
    encrypted_client_secret = models.TextField(_("encrypted client secret"), blank=True, editable=False)
    # During a secret rotation, the other secret: a call Cognito rejects with the current
    # secret is retried with this one (see client.CognitoClient._user_call).
    encrypted_previous_client_secret = models.TextField(
        _("encrypted previous client secret"), blank=True, editable=False,
    )
    # Stored only as scheme://host[:port] (see validators.canonical_endpoint): the text a
    # call uses is the text that was judged. A CharField, not a URLField: Django's URL
    # rules are another parser, with other answers.
    endpoint_url = models.CharField(
        _("endpoint URL"),
        max_length=ENDPOINT_MAX_LENGTH,
        blank=True,
        validators=[validate_endpoint_url],
        help_text=_(
            "Blank for AWS. Set for a VPC endpoint or a local emulator, as scheme://host or scheme://host:port."
        ),
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Serves every host that no other client lists. Only one client can be the default."),
    )
    hosts = models.CharField(
        _("hosts"),
        max_length=1000,
        blank=True,
        help_text=_("Host names this client serves, separated by spaces or commas, e.g. shop.example.com."),
    )
    auth_flow = models.CharField(
        _("sign-in flow"),
        max_length=32,
        choices=AuthFlow.choices,
        default=AuthFlow.USER_PASSWORD_AUTH,
        help_text=_(
            "USER_PASSWORD_AUTH sends the password to Cognito (over TLS) in one call; USER_SRP_AUTH "
            "proves it without sending it, in two calls; USER_AUTH (choice-based sign-in) offers the "
            "sign-in methods below. The Cognito app client must allow the flow (ALLOW_USER_PASSWORD_AUTH, "
            "ALLOW_USER_SRP_AUTH or ALLOW_USER_AUTH in its authentication flows)."
        ),
    )
    sign_in_methods = models.CharField(
        _("sign-in methods"),
        max_length=100,
        blank=True,
        default=DEFAULT_SIGN_IN_METHODS,
        validators=[validate_sign_in_methods],
        help_text=_(
            "Only with the USER_AUTH flow: what the login page offers, separated by spaces. PASSWORD "
            "(the password sent to Cognito) or PASSWORD_SRP (proved without sending it); EMAIL_OTP "
            "(\"Email me a sign-in code\"); SMS_OTP (a code by text message); WEB_AUTHN (passkeys). "
            "The user pool must be on the Essentials plan or higher with choice-based sign-in on, and "
            "allow each method as a first factor (Sign-in policy: allowed first authentication factors; "
            "PASSWORD covers both password methods); email codes need the pool to send email (Amazon SES "
            "for production), SMS codes an SMS configuration; the app client must allow ALLOW_USER_AUTH."
        ),
    )
    refresh_token_rotation = models.BooleanField(
        _("refresh token rotation"),
        default=False,
        help_text=_(
            "Tick when the Cognito app client rotates refresh tokens: sessions are then renewed with "
            "GetTokensFromRefreshToken, which hands out a new refresh token each time."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True, editable=False)
    last_failure_reason = models.TextField(
        _("last failure reason"), blank=True, editable=False,
        help_text=_("Why Cognito last rejected a call for a configuration reason, and what to check."),
    )

    objects = AppClientManager()

    class Meta:
        verbose_name = _("app client")
        verbose_name_plural = _("app clients")
        # Which pool and app client the site trusts, and where it connects (see
        # ``TRUST_FIELDS``): whoever sets them sees every password typed and decides which
        # tokens sign people in. Separate from change_appclient, which covers the rest.
        permissions = [(ENDPOINT_PERMISSION_CODENAME, _("Can change where an app client connects"))]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="cognito_auth_one_default_app_client",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save, with the endpoint in canonical form and the secrets under the current key.

        :raises ValidationError: the endpoint URL is not ``scheme://host[:port]`` (see
            ``validators.parse_endpoint``). Whether its host is allowed is judged by
            ``full_clean()`` and again before every call, as the settings may differ.
        """
        if self.endpoint_url:
            try:
                self.endpoint_url = parse_endpoint(self.endpoint_url).url
            except ValidationError as exc:
                raise ValidationError({"endpoint_url": exc.error_list}) from None
        # A secret written under a SECRET_KEY_FALLBACKS key moves to the current key.
        self.encrypted_client_secret = encryption.rotate(self.encrypted_client_secret, SECRET_PURPOSE)
        self.encrypted_previous_client_secret = encryption.rotate(
            self.encrypted_previous_client_secret, SECRET_PURPOSE,
        )
        with transaction.atomic(using=kwargs.get("using")):
            if self.is_default:
                AppClient.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
            super().save(*args, **kwargs)

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # A URL that differs from its canonical form only in spelling (upper case, a
        # trailing "/", a leading zero in the port) is written canonically; anything else
        # is left for the field's validator to refuse.
        if self.endpoint_url and not (exclude and "endpoint_url" in exclude):
            try:
                self.endpoint_url = parse_endpoint(self.endpoint_url).url
            except ValidationError:
                pass
        super().clean_fields(exclude)

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        # A new default is no conflict: save() takes the flag from the old default in the
        # same transaction. The database constraint still refuses two concurrent defaults.
        super().validate_constraints(exclude={*(exclude or ()), "is_default"})

    @property
    def offered_sign_in_methods(self) -> list[str]:
        """The first factors the login page offers (``SignInMethod`` values): those listed
        under a ``USER_AUTH`` flow; the password alone under any other flow."""
        if self.auth_flow != str(AuthFlow.USER_AUTH):
            return [str(SignInMethod.PASSWORD)]
        return parse_sign_in_methods(self.sign_in_methods)

    @property
    def password_method(self) -> str:
        """How a ``USER_AUTH`` client proves a password: PASSWORD_SRP when offered, else
        PASSWORD; "" when it offers no password."""
        offered = self.offered_sign_in_methods
        for method in (str(SignInMethod.PASSWORD_SRP), str(SignInMethod.PASSWORD)):
            if method in offered:
                return str(method)
        return ""

    def clean(self) -> None:
        super().clean()
        if self.auth_flow == str(AuthFlow.USER_AUTH) and not parse_sign_in_methods(self.sign_in_methods):
            raise ValidationError({"sign_in_methods": _("Choose at least one sign-in method for USER_AUTH.")})
        pool_region = self.user_pool_id.split("_", 1)[0]
        if self.user_pool_id and self.region and pool_region != self.region:
            raise ValidationError(
                {"user_pool_id": _("This pool id belongs to region %(pool_region)s, not %(region)s.")
                 % {"pool_region": pool_region, "region": self.region}}
            )
        taken = {
            host: other.name
            for other in AppClient.objects.exclude(pk=self.pk)
            for host in other.host_names
        }
        clashes = sorted(h for h in self.host_names if h in taken)
        if clashes:
            raise ValidationError(
                {"hosts": _("%(host)s is already served by %(client)s.")
                 % {"host": clashes[0], "client": taken[clashes[0]]}}
            )

    @property
    def client_secret(self) -> str:
        """The plain secret ("" for a client without one), decrypted on each read.

        :raises encryption.UndecryptableSecret: it was saved under a SECRET_KEY that is
            neither current nor in SECRET_KEY_FALLBACKS (see ``secret_state``).
        """
        return encryption.decrypt(self.encrypted_client_secret, SECRET_PURPOSE)

    @client_secret.setter
    def client_secret(self, value: str | None) -> None:
        self.encrypted_client_secret = encryption.encrypt(value or "", SECRET_PURPOSE)

    @property
    def has_secret(self) -> bool:
        return bool(self.encrypted_client_secret)

    @property
    def previous_client_secret(self) -> str:
        """The other secret during a rotation ("" when none), decrypted on each read.

        :raises encryption.UndecryptableSecret: as ``client_secret``.
        """
        return encryption.decrypt(self.encrypted_previous_client_secret, SECRET_PURPOSE)

    @previous_client_secret.setter
    def previous_client_secret(self, value: str | None) -> None:
        self.encrypted_previous_client_secret = encryption.encrypt(value or "", SECRET_PURPOSE)

    @property
    def has_previous_secret(self) -> bool:
        return bool(self.encrypted_previous_client_secret)

    @property
    def secret_state(self) -> SecretState:
        """Whether the client secret is absent, readable, or unreadable with the current keys."""
        return _state_of(self.encrypted_client_secret)

    @property
    def previous_secret_state(self) -> SecretState:
        """As ``secret_state``, for the previous secret of a rotation."""
        return _state_of(self.encrypted_previous_client_secret)

    @property
    def readable_secret(self) -> str:
        """The client secret, or "" when there is none or no key reads it."""
        return _readable(self.encrypted_client_secret)

    @property
    def readable_previous_secret(self) -> str:
        """The previous secret, or "" when there is none or no key reads it."""
        return _readable(self.encrypted_previous_client_secret)

    def set_secret(self, new_secret: str) -> bool:
        """Store ``new_secret`` (blank: the client has no secret), by the rotation rule.

        The secret it replaces becomes the previous secret when it is readable and
        differs, so sign-ins keep working whichever of the two Cognito holds while the
        rotation is under way (``client.CognitoClient._call_with_secret`` tries both).
        Otherwise a readable previous secret stays, and an unreadable one goes: no key
        reads it, and while it is stored every call fails. A client without a secret has
        no previous secret either. Nothing is saved; call ``save()``.

        :returns: whether the replaced secret was kept as the previous secret.
        """
        replaced = self.readable_secret
        kept = bool(new_secret and replaced and replaced != new_secret)
        if kept:
            self.previous_client_secret = replaced
        elif not new_secret or self.previous_secret_state is SecretState.UNREADABLE:
            self.previous_client_secret = ""
        self.client_secret = new_secret
        return kept

    def record_failure(self, reason: str) -> None:
        """Keep why Cognito just rejected a call for a configuration reason.

        One UPDATE of two columns: no save(), so no signal drops the cached client list,
        and a login that fails costs one cheap statement more. ``reason`` never holds a
        secret (see ``client.failure_reason``). A database that refuses the write must not
        turn a refused sign-in into a server error, so that is only logged.
        """
        self.last_failure_at, self.last_failure_reason = timezone.now(), reason
        if self.pk is None:
            return
        try:
            with transaction.atomic():  # a savepoint: a failed write leaves the caller's transaction usable
                AppClient.objects.filter(pk=self.pk).update(
                    last_failure_at=self.last_failure_at, last_failure_reason=reason,
                )
        except DatabaseError:
            logger.warning("Could not record the last failure of app client %r", self.name, exc_info=True)

    @property
    def host_names(self) -> frozenset[str]:
        return frozenset(h.lower() for h in HOST_SEPARATORS.split(self.hosts) if h)


class CognitoIdentity(models.Model):
    """Links a Cognito user, known by (user pool, ``sub``), to a Django user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cognito_identities",
        verbose_name=_("user"),
    )
    user_pool_id = models.CharField(_("user pool id"), max_length=55)
    sub = models.CharField(_("sub"), max_length=64)
    cognito_username = models.CharField(
        _("Cognito username"),
        max_length=128,
        help_text=_("The internal username (cognito:username); the sub in email-as-username pools."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Cognito identity")
        verbose_name_plural = _("Cognito identities")
        constraints = [
            models.UniqueConstraint(fields=["user_pool_id", "sub"], name="cognito_auth_unique_pool_sub"),
        ]

    def __str__(self) -> str:
        return f"{self.cognito_username} ({self.user_pool_id})"


def email_field_name() -> str | None:
    """The user model's email field (``get_email_field_name()``), or None for a custom
    user model without one."""
    user_model = get_user_model()
    name = user_model.get_email_field_name()
    try:
        user_model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return name


def cache_key() -> str:
    """Where the app client list of the current generation is cached."""
    generation = shared_cache.get(GENERATION_KEY)
    if generation is None:  # first use, or evicted: any new token will do
        shared_cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = shared_cache.get(GENERATION_KEY)
    return f"{CACHE_KEY_PREFIX}{generation}"


@receiver(post_save, sender=AppClient)
@receiver(post_delete, sender=AppClient)
def forget_cached(**kwargs) -> None:
    """Start a new generation now and again after commit.

    Deleting the entry would not do: a process that read the old rows just before the
    commit could store them again afterwards, for CACHE_TIMEOUT seconds. Under a new
    generation such a late write lands under a key nobody reads any more.
    """
    shared_cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(lambda: shared_cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None))
