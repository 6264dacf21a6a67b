"""Signals sent by the password-reset and sign-up pages.

Every signal is sent with ``sender`` = the view class and the keyword arguments
``request``, ``username`` (as the person typed it) and ``app_client``. None carries a code
or a password.
"""

from django.dispatch import Signal

#: ForgotPassword was sent for ``username`` (whether or not the user exists).
password_reset_requested = Signal()
#: ConfirmForgotPassword succeeded: ``username`` has a new password.
password_reset_completed = Signal()
#: SignUp succeeded; ``user_confirmed`` says whether Cognito confirmed the user at once.
user_signed_up = Signal()
#: ConfirmSignUp succeeded: ``username`` may now sign in.
sign_up_confirmed = Signal()
