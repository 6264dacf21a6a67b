from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CognitoAuthConfig(AppConfig):
    name = "cognito_auth"
    verbose_name = _("Cognito sign-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.core import checks as django_checks

        from . import checks
        from .handlers import revoke_tokens_on_logout, store_tokens_in_session

        django_checks.register(checks.check_backends, checks.LABEL)
        django_checks.register(checks.check_group_settings, checks.LABEL)
        django_checks.register(checks.check_sessions, checks.LABEL, django_checks.Tags.security)
        django_checks.register(checks.check_allowed_endpoints, checks.LABEL, django_checks.Tags.security)
        django_checks.register(checks.check_app_clients, checks.LABEL, django_checks.Tags.database)

        user_logged_in.connect(store_tokens_in_session, dispatch_uid="cognito_auth.store_tokens")
        user_logged_out.connect(revoke_tokens_on_logout, dispatch_uid="cognito_auth.revoke_tokens")
