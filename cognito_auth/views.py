"""Sign-in and sign-out pages on Django's own views (CSRF, never_cache and
sensitive_post_parameters come with them; ``next`` is checked with
``url_has_allowed_host_and_scheme``)."""

from django.contrib.auth import views as auth_views

from .forms import CognitoAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = CognitoAuthenticationForm
    template_name = "cognito_auth/login.html"


class LogoutView(auth_views.LogoutView):
    template_name = "cognito_auth/logged_out.html"
