"""Every text a person sees, keyed by the reason code the backend or a form reports.

One place to read, translate and override them (subclass a form and change its
``failure_messages``).
"""

from django.utils.translation import gettext_lazy as _

LOGIN_FAILURES = {
    "unavailable": _(
        "Sign-in is temporarily unavailable. Please try again in a few minutes."
    ),
    "user_not_confirmed": _(
        "Your account is not confirmed yet. Enter the code we sent you when you signed up."
    ),
    "password_reset_required": _(
        "You need to set a new password before you can sign in. Use 'Forgot your password?' "
        "to get a code."
    ),
    "challenge": _(
        "Your account needs an extra sign-in step that this site does not support yet. "
        "Please contact the site's administrators."
    ),
    "account_conflict": _(
        "This account cannot be signed in here yet. Please contact the site's administrators."
    ),
}

INVALID_USERNAME = _("Enter a valid username: letters, digits, symbols and punctuation only.")
