"""The authentication backend: one InitiateAuth per login, nothing else.

No answer from Cognito stops the backend chain: a refusal returns None, with the reason
left on the request for the login form, so ``ModelBackend`` can still sign in a Django
account that is not linked to Cognito (see ``authenticate``).
"""

from __future__ import annotations

import logging
import unicodedata
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import FieldDoesNotExist, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.db.models import F, Field
from django.views.decorators.debug import sensitive_variables

from . import groups
from .budget import request_budget
from .client import CognitoClient, get_cognito_client
from .exceptions import (
    CognitoError,
    InvalidCredentials,
    InvalidRequest,
    PasswordResetRequired,
    RateLimited,
    UserNotConfirmed,
)
from .log_values import MESSAGE_LIMIT, loggable
from .models import AppClient, AuthFlow, CognitoIdentity
from .sessions import TOKENS_ATTRIBUTE, SessionTokens
from .tokens import id_token_claims

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from .client import AuthResult

logger = logging.getLogger("cognito_auth")
UserModel = get_user_model()
# ANY_USER_MODEL: django-stubs type the users that Django's API takes and returns as the
# checked project's AUTH_USER_MODEL (auth.User in example_project). This app serves any
# AbstractBaseUser, so the few places that hand one to Django's typed API say
# `type: ignore` with this name.

# The attribute on the request where the backend leaves why a Cognito sign-in failed, for
# the login form to pick the message when no backend signs the person in. One of the keys
# of ``messages.LOGIN_FAILURES``.
FAILURE_ATTRIBUTE = "cognito_auth_failure"
# Where the backend leaves Cognito's challenge and the app client, (AuthResult, AppClient),
# for the login view to start that sign-in step.
CHALLENGE_ATTRIBUTE = "cognito_auth_challenge"
# The linking identity's columns, read in the same query that finds a linked user (see
# ``filter_users_by_claims``): attribute name -> CognitoIdentity field. A sign-in of a
# linked user then needs no second query to look at its link.
LINK_ANNOTATIONS = {
    "_cognito_auth_link_pool": "cognito_identities__user_pool_id",
    "_cognito_auth_link_sub": "cognito_identities__sub",
    "_cognito_auth_link_username": "cognito_identities__cognito_username",
}


class CognitoBackend(ModelBackend):
    """Signs users in with their Cognito username and password (USER_PASSWORD_AUTH).

    Subclass and override the hooks, each documented below: ``verify_claims``,
    ``filter_users_by_claims``, ``create_user``, ``update_user``, ``sync_groups``, ``configure_user``,
    ``get_username``, ``user_can_authenticate``; and the class attributes
    ``claim_fields`` and ``link_by_verified_email``.
    """

    client_class = CognitoClient
    # ID token claim -> user model field, copied on every sign-in when the field exists.
    claim_fields = {"given_name": "first_name", "family_name": "last_name"}
    # Link a Cognito user who has no linked Django user yet to an existing Django account
    # whose email is the ID token's *verified* email. Off: whoever can get that address
    # marked verified in the pool (an administrator, a Lambda trigger, a pool that lets
    # people change their email) takes over that Django account. A class attribute, not a
    # setting, so turning it on is a reviewed line of code next to the pool it trusts.
    link_by_verified_email = False

    @sensitive_variables("password")
    def authenticate(  # type: ignore[override]  # ANY_USER_MODEL
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        """Sign in with Cognito (one InitiateAuth call) and return the linked Django user.

        :returns: the user, or None: wrong password, unknown or disabled user, a Cognito
            refusal (not confirmed, reset required), a sign-in step to take first (see
            ``challenge_received``), Cognito unavailable, a
            refused token or an account conflict. None lets the next backend try, so no
            Cognito answer about a name locks out a Django account of that name. The
            reason, when the person should see one, is left on ``request`` under
            ``FAILURE_ATTRIBUTE``; an account conflict is only logged (WARNING), and the
            person gets the generic failure, so the page never tells that a Django
            username exists.
        """
        if not username or not password:
            return None
        app_client = AppClient.objects.for_request(request)
        if app_client is None:
            return None
        if app_client.auth_flow == str(AuthFlow.USER_AUTH) and not app_client.password_method:
            # The site signs people in without a password; Django-only accounts still may.
            _note_failure(request, "password_not_offered")
            return None
        cognito = get_cognito_client(app_client, request, client_class=self.client_class)
        with request_budget():  # a login view of the site's own, outside this app's views
            return self._first_factor(
                request, app_client,
                lambda: cognito.sign_in(
                    username, password, app_client.auth_flow, password_method=app_client.password_method or "PASSWORD",
                ),
            )

    def request_sign_in_code(self, request: HttpRequest | None, username: str, method: str) -> None:
        """Start a choice-based sign-in (USER_AUTH) without a password: InitiateAuth with
        PREFERRED_CHALLENGE ``method``: EMAIL_OTP or SMS_OTP (Cognito sends the code), or
        WEB_AUTHN (Cognito answers with the passkey options for the browser).
        Its challenge (the code, or SELECT_CHALLENGE when the person cannot use that
        method) is left on ``request`` as ``challenge_received`` does, for the login view
        to start the step; a refusal is noted as ``authenticate`` notes it.

        :returns: None: nobody is signed in by asking for a code.
        """
        app_client = AppClient.objects.for_request(request)
        if app_client is None or method not in app_client.offered_sign_in_methods:
            _note_failure(request, "method_not_offered")
            return None
        cognito = get_cognito_client(app_client, request, client_class=self.client_class)
        with request_budget():
            user = self._first_factor(request, app_client, lambda: cognito.initiate_user_auth(username, method))
        if user is not None:  # tokens for a code request: no pool answers so; never sign in on it
            logger.warning("App client %r: Cognito handed out tokens before any code was entered.", app_client.name)
            _note_failure(request, "unavailable")
        return None

    def _first_factor(
        self, request: HttpRequest | None, app_client: AppClient, send: Callable[[], AuthResult],
    ) -> AbstractBaseUser | None:
        """``send()`` the first call of a sign-in; its tokens' user, or None with the reason
        noted (see ``authenticate``) or the challenge left for the login view."""
        try:
            result = send()
        except (InvalidCredentials, InvalidRequest):
            return None  # wrong password, unknown or disabled user: let ModelBackend try
        except UserNotConfirmed:
            # Cognito says so whatever the password: never a reason to stop the chain.
            _note_failure(request, "user_not_confirmed")
            return None
        except PasswordResetRequired:
            _note_failure(request, "password_reset_required")
            return None
        except RateLimited:
            # Throttled: never sent again (that would count twice); the person waits.
            _note_failure(request, "rate_limited")
            return None
        except CognitoError:
            # Unreachable or misconfigured (already logged for the operator):
            # Django-only accounts must still be able to sign in.
            _note_failure(request, "unavailable")
            return None
        if result.challenge_name:
            self.challenge_received(request, result, app_client)
            return None
        return self.user_for_tokens(request, result, app_client)

    def challenge_received(self, request: HttpRequest | None, result: AuthResult, app_client: AppClient) -> None:
        """Cognito wants a sign-in step first (new password, MFA...). The challenge and
        the app client are left on ``request`` under ``CHALLENGE_ATTRIBUTE``, and the
        "challenge" failure noted: the login view then starts the step (``steps``), or
        says the site cannot answer that challenge.

        :returns: None: nobody is signed in yet.
        """
        if request is not None:
            setattr(request, CHALLENGE_ATTRIBUTE, (result, app_client))
        _note_failure(request, "challenge")

    def user_for_tokens(
        self, request: HttpRequest | None, result: AuthResult, app_client: AppClient
    ) -> AbstractBaseUser | None:
        """The Django user for Cognito's tokens: the ID token verified, ``verify_claims``,
        the user found or created and linked, ``user_can_authenticate``, the tokens kept
        on the user for ``login()`` to store in the session. The end of every Cognito
        sign-in: straight after the password, or after the last sign-in step.

        :returns: the user, or None (see ``authenticate``).
        """
        try:
            claims = id_token_claims(result.id_token, app_client)
        except SuspiciousOperation as exc:
            logger.error("App client %r: %s", app_client.name, exc)
            _note_failure(request, "unavailable")
            return None
        if not self.verify_claims(claims, app_client):
            logger.info("App client %r: verify_claims refused Cognito user %r.",
                        app_client.name, loggable(self.cognito_username(claims)))
            return None
        user = self.user_for_claims(request, claims, app_client)
        if user is None or not self.user_can_authenticate(user):  # type: ignore[arg-type]  # ANY_USER_MODEL
            return None
        tokens = SessionTokens.from_auth_result(result, app_client, self.cognito_username(claims))
        setattr(user, TOKENS_ATTRIBUTE, tokens)
        return user

    async def aauthenticate(  # type: ignore[override]  # ANY_USER_MODEL
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        """``authenticate`` for async views and ASGI (Django 5.0+'s ``aauthenticate``).

        ``ModelBackend.aauthenticate`` checks only local passwords, so it is replaced: the
        sync path runs in a thread (thread-sensitive, as Django's ORM needs), as Django's
        ``BaseBackend`` does. :returns: as ``authenticate``.
        """
        return await sync_to_async(self.authenticate)(request, username=username, password=password, **kwargs)

    # Hooks ------------------------------------------------------------------------------

    def verify_claims(self, claims: dict[str, Any], app_client: AppClient) -> bool:
        """Whether this Cognito user may sign in to this site at all.

        Called once the ID token is verified, before any Django user is looked up or
        created. A refusal is logged (INFO) and the person gets the generic invalid-login
        failure.

        :param claims: the ID token's claims: ``sub``, ``cognito:username``,
            ``cognito:groups`` (a list, absent when the user is in no group), ``email``,
            ``email_verified``, ...
        :param app_client: the app client the person signed in through.
        :returns: True to go on (the default), False to refuse.
        """
        return True

    def filter_users_by_claims(self, claims: dict[str, Any], app_client: AppClient) -> QuerySet[Any]:
        """The Django users this Cognito user may be: usually none or one.

        Default: the user linked to (pool, ``sub``) by a ``CognitoIdentity``. With
        ``link_by_verified_email`` on, and no user linked yet, the active users whose
        email equals a *verified* ``email`` claim (case-insensitive) and who are not
        linked to another user of this pool; staff and superusers are never linked this
        way. The backend then links the one found.

        :returns: a queryset of the user model. None found: a user is created
            (``create_user``). More than one: a conflict, logged (WARNING); nobody is
            signed in.
        """
        linked = UserModel._default_manager.filter(
            cognito_identities__user_pool_id=app_client.user_pool_id, cognito_identities__sub=claims["sub"],
        ).annotate(**{name: F(path) for name, path in LINK_ANNOTATIONS.items()})  # over the filter's own join
        email = claims.get("email") if _is_true(claims.get("email_verified")) else None
        email_field = UserModel.get_email_field_name()
        if not self.link_by_verified_email or not email or not _has_field(email_field) or linked.exists():
            return linked
        candidates = UserModel._default_manager.filter(**{f"{email_field}__iexact": email}).exclude(
            cognito_identities__user_pool_id=app_client.user_pool_id,
        )
        for privileged in ("is_staff", "is_superuser"):
            if _has_field(privileged):
                candidates = candidates.exclude(**{privileged: True})
        return candidates

    def create_user(self, request: HttpRequest | None, claims: dict[str, Any], app_client: AppClient) -> Any:
        """Create the Django user of a Cognito user signing in for the first time.

        Through the manager's ``create_user``, as Django's ``RemoteUserBackend`` creates
        users through the manager: ``USERNAME_FIELD`` from ``get_username``, the fields
        of ``claim_fields`` and the verified email, and no usable password (Cognito
        holds it). Override to fill other required fields. Runs inside the transaction
        that then links the user to (pool, ``sub``).

        :returns: the saved user.
        :raises IntegrityError: a unique field is taken; the backend refuses the
            sign-in with a WARNING.
        """
        fields = self.user_fields(None, claims)
        fields[UserModel.USERNAME_FIELD] = self.get_username(claims)
        user = UserModel._default_manager.create_user(**fields)
        if user.has_usable_password():  # a custom manager that set one anyway
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def update_user(self, user: AbstractBaseUser, claims: dict[str, Any]) -> list[str]:
        """Copy claims onto an existing user, unsaved; the backend saves the fields named.

        :returns: the names of the fields that changed.
        """
        values = self.user_fields(user, claims)
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, values[name])
        return changed + self.sync_groups(user, claims)

    def sync_groups(self, user: AbstractBaseUser, claims: dict[str, Any]) -> list[str]:
        """Follow the token's ``cognito:groups``: the mirrored Django groups (written at
        once) and ``is_staff`` / ``is_superuser`` (set unsaved), as the settings
        ``COGNITO_AUTH_MIRROR_GROUPS``, ``COGNITO_AUTH_STAFF_GROUPS`` and
        ``COGNITO_AUTH_SUPERUSER_GROUPS`` say (all off by default; see ``groups``).

        Called by ``update_user`` (every sign-in, renewal and API request of a known
        user) and after ``create_user``. A user with no Cognito identity is left alone,
        so a Django-only account is never demoted.

        :returns: the names of the flag fields that changed, for the caller to save.
        :raises ImproperlyConfigured: one of those settings has a value of another shape.
        """
        if not groups.sync_enabled() or not groups.is_linked(user):
            return []
        names = groups.cognito_groups(claims)
        groups.mirror_groups(user, names)
        return groups.flag_changes(user, names)

    def refresh_user(
        self, request: HttpRequest | None, user: AbstractBaseUser, claims: dict[str, Any], app_client: AppClient,
    ) -> None:
        """Called when ``CognitoSessionMiddleware`` renewed the session's tokens and Cognito
        sent a new ID token (already verified): its claims go onto the user through
        ``update_user``, as at sign-in, and the changed fields are saved.
        """
        changed = self.update_user(user, claims)
        if changed:
            user.save(update_fields=changed)

    def configure_user(
        self, request: HttpRequest | None, user: AbstractBaseUser, created: bool = True,
        claims: dict[str, Any] | None = None,
    ) -> AbstractBaseUser:
        """Called after every Cognito sign-in, after ``create_user`` or ``update_user``.

        :param created: True on the sign-in that created the user.
        :returns: the user to sign in.
        """
        return user

    def cognito_username(self, claims: dict[str, Any]) -> str:
        """Cognito's internal username: the sub in email-as-username pools."""
        return str(claims.get("cognito:username") or claims["sub"])

    def get_username(self, claims: dict[str, Any]) -> str:
        """The value of ``USERNAME_FIELD`` for a new user: Cognito's internal username,
        or, for a user model that signs in by email, the verified email.

        :raises ValueError: the user model signs in by email and Cognito has no verified
            email for this user (the sign-in is refused with a WARNING).
        """
        if UserModel.USERNAME_FIELD == UserModel.get_email_field_name():
            if claims.get("email") and _is_true(claims.get("email_verified")):
                return str(claims["email"])
            raise ValueError("no verified email, which this user model signs in with")
        return self.cognito_username(claims)

    def user_fields(self, user: AbstractBaseUser | None, claims: dict[str, Any]) -> dict[str, Any]:
        """Field values from the claims: ``claim_fields``, and the email once Cognito has
        verified it (so nobody claims an address they do not own). Fields the user model
        lacks are skipped; strings are cut to the field's length. A value a unique field
        holds for another user is left out (WARNING) rather than failing the sign-in.

        :param user: the user the values are for; None for a user not yet created.
        :returns: field name -> value.
        """
        values = {field: claims[claim] for claim, field in self.claim_fields.items() if claim in claims}
        if claims.get("email") and _is_true(claims.get("email_verified")):
            values[UserModel.get_email_field_name()] = claims["email"]
        fitted = {}
        for field_name, value in values.items():
            try:
                field = UserModel._meta.get_field(field_name)
            except FieldDoesNotExist:  # a custom user model without that field
                continue
            if not isinstance(field, Field):  # a reverse relation holds no claim
                continue
            cut = str(value)[: field.max_length] if field.max_length else value
            if user is not None and getattr(user, field_name) == cut:
                continue
            if not self._taken(user, field, cut):
                fitted[field_name] = cut
        return fitted

    def _taken(self, user: AbstractBaseUser | None, field: Any, value: Any) -> bool:
        if not field.unique:
            return False
        others = UserModel._default_manager.filter(**{field.name: value})
        if user is not None:
            others = others.exclude(pk=user.pk)
        taken = others.exists()
        if taken:
            logger.warning(
                "Not copying Cognito's %s onto user %r: another Django user already has that value.",
                field.name, user.get_username() if user is not None else "(new)",
            )
        return taken

    # Linking ----------------------------------------------------------------------------

    def user_for_claims(
        self, request: HttpRequest | None, claims: dict[str, Any], app_client: AppClient
    ) -> AbstractBaseUser | None:
        """The Django user for this Cognito user: found by ``filter_users_by_claims`` and
        updated, or created on the first sign-in; then ``configure_user``.

        :returns: the user, or None for a conflict (logged at WARNING).
        """
        users = list(self.filter_users_by_claims(claims, app_client)[:2])
        if len(users) > 1:
            logger.warning("Cognito user %r (pool %s) was not signed in: more than one Django user matches.",
                           loggable(self.cognito_username(claims)), app_client.user_pool_id)
            return None
        if users:
            user, created = users[0], False
        else:
            found = self._create(request, claims, app_client)
            if found is None:
                return None
            user, created = found
        if not created:
            if not self._link(user, claims, app_client):
                return None
            changed = self.update_user(user, claims)
        else:
            changed = self.sync_groups(user, claims)  # create_user knows nothing of groups
        if changed:
            user.save(update_fields=changed)
        return self.configure_user(request, user, created=created, claims=claims)

    def _create(
        self, request: HttpRequest | None, claims: dict[str, Any], app_client: AppClient
    ) -> tuple[AbstractBaseUser, bool] | None:
        """A new user linked to (pool, sub), with True; or, when a simultaneous first
        sign-in of the same person created it meanwhile, that user with False; or None
        for a conflict (logged)."""
        cognito_username = self.cognito_username(claims)
        try:
            username = self.get_username(claims)
        except ValueError as exc:
            logger.warning("Cognito user %r (pool %s) was not signed in: %s.",
                           loggable(cognito_username), app_client.user_pool_id, loggable(exc, MESSAGE_LIMIT))
            return None
        if username_taken(username):
            # Either the same person signing in at the same moment got there first (the
            # link is then in place), or another account holds the name or a look-alike:
            # never take that over, or a pool that lets anyone sign up as "admin" (or as
            # "admin" in full-width letters) would hand them the Django admin.
            linked = self._linked_user(claims, app_client)
            if linked is not None:
                return linked, False
            logger.warning(
                "Cognito user %r (pool %s) was not signed in: a Django user with that "
                "username (or one that differs only in letter case or Unicode form) exists "
                "and is not linked to this Cognito user. Link them in the admin (Cognito "
                "identities) if they are the same person.",
                loggable(username), app_client.user_pool_id,
            )
            return None
        try:
            # A savepoint: the caller's transaction (ATOMIC_REQUESTS) stays usable when
            # a simultaneous sign-in wins the race and this insert fails.
            with transaction.atomic():
                user = self.create_user(request, claims, app_client)
                CognitoIdentity.objects.create(
                    user=user, user_pool_id=app_client.user_pool_id, sub=claims["sub"],
                    cognito_username=cognito_username,
                )
        except IntegrityError:
            # The same person signing in twice at once: read the link the other request
            # committed (a fresh statement sees it under READ COMMITTED).
            linked = self._linked_user(claims, app_client)
            if linked is None:  # some other unique field of the user model clashed
                logger.warning("Cognito user %r could not be given a Django user: a unique field clashed.",
                               loggable(cognito_username))
                return None
            return linked, False
        return user, True

    def _link(self, user: AbstractBaseUser, claims: dict[str, Any], app_client: AppClient) -> bool:
        """Make sure (pool, sub) is linked to ``user`` with the current internal username.

        :returns: False (logged) when (pool, sub) is linked to another user.
        """
        cognito_username = self.cognito_username(claims)
        if _linked_as(user, app_client.user_pool_id, claims["sub"], cognito_username):
            return True  # the query that found the user read its link: nothing to change
        identity = self._identity(app_client.user_pool_id, claims["sub"])
        if identity is None:
            try:
                with transaction.atomic():
                    identity = CognitoIdentity.objects.create(
                        user=user, user_pool_id=app_client.user_pool_id, sub=claims["sub"],
                        cognito_username=cognito_username,
                    )
                logger.info("Linked Cognito user %r (pool %s) to Django user %r.",
                            loggable(cognito_username), app_client.user_pool_id, user.get_username())
            except IntegrityError:  # linked by a simultaneous sign-in meanwhile
                identity = self._identity(app_client.user_pool_id, claims["sub"])
                if identity is None:
                    return False
        if identity.user_id != user.pk:
            logger.warning("Cognito user %r (pool %s) was not signed in: it is linked to another Django user "
                           "than filter_users_by_claims found.", loggable(cognito_username), app_client.user_pool_id)
            return False
        if identity.cognito_username != cognito_username:
            identity.cognito_username = cognito_username
            identity.save(update_fields=["cognito_username"])
        return True

    def _linked_user(self, claims: dict[str, Any], app_client: AppClient) -> AbstractBaseUser | None:
        identity = self._identity(app_client.user_pool_id, claims["sub"])
        return identity.user if identity is not None else None

    def _identity(self, user_pool_id: str, sub: str) -> CognitoIdentity | None:
        try:  # get(), not first(): the pair is unique, and an ORDER BY would cost on every login
            return CognitoIdentity.objects.select_related("user").get(user_pool_id=user_pool_id, sub=sub)
        except CognitoIdentity.DoesNotExist:
            return None


def username_taken(name: str) -> bool:
    """Whether a Django user holds ``name`` as its ``USERNAME_FIELD``, or a look-alike of
    it: the same after NFKC (Django's ``normalize_username``, so "admin" in full-width
    letters is "admin") and ignoring letter case, as Django's ``UserCreationForm`` compares.

    :returns: True when a new account by that name must be refused.
    """
    normalized = unicodedata.normalize("NFKC", name) if isinstance(name, str) else name
    return UserModel._default_manager.filter(**{f"{UserModel.USERNAME_FIELD}__iexact": normalized}).exists()


def _linked_as(user: AbstractBaseUser, user_pool_id: str, sub: str, cognito_username: str) -> bool:
    """Whether ``user`` came from a query that joined it to the identity (pool, ``sub``)
    and that identity already holds ``cognito_username`` (see ``LINK_ANNOTATIONS``). A user
    found any other way (a hook of a subclass, email linking) says nothing here."""
    pool_attribute, sub_attribute, username_attribute = LINK_ANNOTATIONS
    return (
        getattr(user, pool_attribute, None) == user_pool_id
        and getattr(user, sub_attribute, None) == sub
        and getattr(user, username_attribute, None) == cognito_username
    )


def _note_failure(request: HttpRequest | None, reason: str) -> None:
    """Leave why a Cognito sign-in failed on the request; the login form shows it only
    when no backend signs the person in."""
    if request is not None:
        setattr(request, FAILURE_ATTRIBUTE, reason)


def _is_true(value: Any) -> bool:
    """Cognito sends ``email_verified`` as "true" in some tokens and true in others."""
    return str(value).lower() == "true"


def _has_field(name: str) -> bool:
    try:
        UserModel._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
