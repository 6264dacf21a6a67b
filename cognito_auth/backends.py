"""The authentication backend: one InitiateAuth per login, nothing else."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from .client import CognitoClient, get_cognito_client
from .exceptions import (
    CognitoError,
    InvalidCredentials,
    InvalidRequest,
    PasswordResetRequired,
    RateLimited,
    UserNotConfirmed,
)
from .models import AppClient, CognitoIdentity
from .tokens import SessionTokens, id_token_claims

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

logger = logging.getLogger("cognito_auth")
UserModel = get_user_model()

# The attribute on the request where the backend leaves why a sign-in failed, for the
# login form to pick the message. One of the keys of ``messages.LOGIN_FAILURES``.
FAILURE_ATTRIBUTE = "cognito_auth_failure"


class CognitoLoginRefused(PermissionDenied):
    """Cognito knows the person but will not sign them in yet; stops the backend chain.

    ``reason`` is a key of ``messages.LOGIN_FAILURES``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CognitoBackend(ModelBackend):
    """Signs users in with their Cognito username and password (USER_PASSWORD_AUTH).

    Subclass and override the hooks: ``get_username``, ``update_user``,
    ``configure_user``, ``user_can_authenticate``.
    """

    client_class = CognitoClient
    # ID token claim -> user model field, copied on every sign-in when the field exists.
    claim_fields = {"given_name": "first_name", "family_name": "last_name"}

    @sensitive_variables("password")
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if not username or not password:
            return None
        app_client = AppClient.objects.for_request(request)
        if app_client is None:
            return None
        try:
            cognito = get_cognito_client(app_client, request, client_class=self.client_class)
            result = cognito.initiate_password_auth(username, password)
        except (InvalidCredentials, InvalidRequest):
            return None  # wrong password, unknown or disabled user: let ModelBackend try
        except UserNotConfirmed:
            raise self._refuse(request, "user_not_confirmed") from None
        except PasswordResetRequired:
            raise self._refuse(request, "password_reset_required") from None
        except RateLimited:
            # Throttled: never sent again (that would count twice); the person waits.
            _note_failure(request, "rate_limited")
            return None
        except CognitoError:
            # Unreachable, throttled or misconfigured (already logged for the operator):
            # Django-only accounts must still be able to sign in, so no PermissionDenied.
            _note_failure(request, "unavailable")
            return None
        if result.challenge_name:
            # NEW_PASSWORD_REQUIRED, MFA...: their flows come later; say so, do not crash.
            logger.info("Sign-in needs the %s challenge, which is not supported yet", result.challenge_name)
            raise self._refuse(request, "challenge")
        try:
            claims = id_token_claims(result.id_token, app_client)
        except SuspiciousOperation as exc:
            logger.error("App client %r: %s", app_client.name, exc)
            _note_failure(request, "unavailable")
            return None
        user = self.user_for_claims(request, claims, app_client)
        if not self.user_can_authenticate(user):
            return None
        user.cognito_tokens = SessionTokens.from_auth_result(
            result, app_client, self.cognito_username(claims)
        )
        return user

    # Hooks ------------------------------------------------------------------------------

    def cognito_username(self, claims: dict[str, Any]) -> str:
        """Cognito's internal username: the sub in email-as-username pools."""
        return str(claims.get("cognito:username") or claims["sub"])

    def get_username(self, claims: dict[str, Any]) -> str:
        """The Django username for a new user."""
        return self.cognito_username(claims)

    def update_user(self, user: AbstractBaseUser, claims: dict[str, Any]) -> list[str]:
        """Copy claims onto the user; return the names of the fields that changed.

        The email is copied only once Cognito has verified it, so nobody can claim an
        address they do not own.
        """
        values = {field: claims[claim] for claim, field in self.claim_fields.items() if claim in claims}
        if claims.get("email") and str(claims.get("email_verified")).lower() == "true":
            values[UserModel.get_email_field_name()] = claims["email"]
        changed = []
        for field_name, value in values.items():
            try:
                field = UserModel._meta.get_field(field_name)
            except FieldDoesNotExist:  # a custom user model without that field
                continue
            fitted = str(value)[: field.max_length] if field.max_length else value
            if getattr(user, field_name) == fitted or self._taken(user, field, fitted):
                continue
            setattr(user, field_name, fitted)
            changed.append(field_name)
        return changed

    def _taken(self, user: AbstractBaseUser, field: Any, value: Any) -> bool:
        """A unique field (say, a custom user model's email) already holding this value for
        another user: it is left as it is rather than failing the sign-in."""
        if not field.unique:
            return False
        taken = UserModel._default_manager.filter(**{field.name: value}).exclude(pk=user.pk).exists()
        if taken:
            logger.warning(
                "Not copying Cognito's %s onto user %r: another Django user already has that value.",
                field.name, user.get_username(),
            )
        return taken

    def configure_user(  # type: ignore[override]
        self, request: HttpRequest | None, user: AbstractBaseUser, created: bool = True,
        claims: dict[str, Any] | None = None,
    ) -> AbstractBaseUser:
        """Called after every Cognito sign-in; ``created`` is True the first time."""
        return user

    # Linking ----------------------------------------------------------------------------

    def user_for_claims(
        self, request: HttpRequest | None, claims: dict[str, Any], app_client: AppClient
    ) -> AbstractBaseUser:
        """The Django user linked to (pool, sub), created on the first sign-in."""
        identity = self._identity(app_client.user_pool_id, claims["sub"])
        created = identity is None
        if created:
            try:
                identity = self._create_identity(request, claims, app_client)
            except IntegrityError:
                # The same person signing in twice at once: the other request created it.
                identity = self._identity(app_client.user_pool_id, claims["sub"])
                if identity is None:  # some other unique field of the user model clashed
                    logger.warning("Cognito user %r could not be given a Django user: a unique field clashed.",
                                   claims.get("cognito:username"))
                    raise self._refuse(request, "account_conflict") from None
                created = False
        user = identity.user
        if not created:
            changed = self.update_user(user, claims)
            if changed:
                user.save(update_fields=changed)
            cognito_username = self.cognito_username(claims)
            if identity.cognito_username != cognito_username:
                identity.cognito_username = cognito_username
                identity.save(update_fields=["cognito_username"])
        return self.configure_user(request, user, created=created, claims=claims)

    def _identity(self, user_pool_id: str, sub: str) -> CognitoIdentity | None:
        try:  # get(), not first(): the pair is unique, and an ORDER BY would cost on every login
            return CognitoIdentity.objects.select_related("user").get(user_pool_id=user_pool_id, sub=sub)
        except CognitoIdentity.DoesNotExist:
            return None

    def _create_identity(
        self, request: HttpRequest | None, claims: dict[str, Any], app_client: AppClient
    ) -> CognitoIdentity:
        username = self.get_username(claims)
        if UserModel._default_manager.filter(**{UserModel.USERNAME_FIELD: username}).exists():
            # Never take over an existing account by name: a pool that lets anyone sign up
            # as "admin" would otherwise hand them the Django admin.
            logger.warning(
                "Cognito user %r (pool %s) was not signed in: a Django user with that "
                "username exists and is not linked to this Cognito user. Link them in the "
                "admin (Cognito identities) if they are the same person.",
                username, app_client.user_pool_id,
            )
            raise self._refuse(request, "account_conflict")
        with transaction.atomic():
            user = UserModel(**{UserModel.USERNAME_FIELD: username})
            user.set_unusable_password()
            self.update_user(user, claims)
            user.save()
            return CognitoIdentity.objects.create(
                user=user,
                user_pool_id=app_client.user_pool_id,
                sub=claims["sub"],
                cognito_username=self.cognito_username(claims),
            )

    def _refuse(self, request: HttpRequest | None, reason: str) -> CognitoLoginRefused:
        _note_failure(request, reason)
        return CognitoLoginRefused(reason)


def _note_failure(request: HttpRequest | None, reason: str) -> None:
    if request is not None:
        setattr(request, FAILURE_ATTRIBUTE, reason)
