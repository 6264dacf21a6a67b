"""Include under ``accounts/``: ``path("accounts/", include("cognito_auth.urls"))``."""

from django.urls import path

from . import views

app_name = "cognito_auth"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
