from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CognitoAuthConfig(AppConfig):
    name = "cognito_auth"
    verbose_name = _("Cognito sign-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .handlers import store_tokens_in_session

        user_logged_in.connect(store_tokens_in_session, dispatch_uid="cognito_auth.store_tokens")
