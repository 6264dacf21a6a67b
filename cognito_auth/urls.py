"""Include under ``accounts/``: ``path("accounts/", include("cognito_auth.urls"))``.
URL names are Django's own, in the ``cognito_auth`` namespace."""

from django.urls import path

from . import views
from .passkeys import views as passkeys
from .steps import views as steps

app_name = "cognito_auth"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/new_password/", steps.NewPasswordView.as_view(), name="login_new_password"),
    path("login/code/", steps.CodeView.as_view(), name="login_code"),
    path("login/choose/", steps.ChooseView.as_view(), name="login_choose"),
    path("login/totp_setup/", steps.TotpSetupView.as_view(), name="login_totp_setup"),
    path("login/passkey/", steps.PasskeyView.as_view(), name="login_passkey"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.LogoutEverywhereView.as_view(), name="logout_everywhere"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password_reset/resend/", views.ResendCodeView.as_view(), name="password_reset_resend"),
    path("password_reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("passkeys/", passkeys.PasskeyListView.as_view(), name="passkeys"),
    path("passkeys/register/", passkeys.PasskeyRegisterView.as_view(), name="passkey_register"),
    path("passkeys/delete/", passkeys.PasskeyDeleteView.as_view(), name="passkey_delete"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("signup/confirm/", views.SignUpConfirmView.as_view(), name="signup_confirm"),
    path("signup/resend/", views.SignUpResendView.as_view(), name="signup_resend"),
]
