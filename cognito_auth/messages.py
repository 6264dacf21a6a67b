"""Every text a person sees, keyed by the reason code a backend, form or view reports.

One place to read, translate and override them (subclass a form and change its
``failure_messages`` / ``error_messages``).
"""

from django.utils.translation import gettext_lazy as _

LOGIN_FAILURES = {
    "unavailable": _("Sign-in is temporarily unavailable. Please try again in a few minutes."),
    "password_reset_required": _(
        "You need to set a new password before you can sign in. Enter the code we sent you, "
        "or ask for a new one."
    ),
    "challenge": _(
        "Your account needs an extra sign-in step that this site does not support yet. "
        "Please contact the site's administrators."
    ),
    "rate_limited": _("Too many attempts. Please wait a few minutes, then try again."),
    # The login form posted a sign-in method this site's app client does not offer.
    "method_not_offered": _("This way of signing in is not available here. Please choose another."),
    # A USER_AUTH site offers no password, and a password was posted anyway.
    "password_not_offered": _("This site signs you in without a password. Use one of the buttons below."),
    # A sign-in step succeeded but no Django user may sign in (verify_claims, a conflict):
    # the operator's log says which.
    "refused": _("We could not sign you in. Please contact the site's administrators."),
}
# No entry for "user_not_confirmed" or "account_conflict": Cognito says "not confirmed"
# whatever the password, and "conflict" tells that a Django username exists, so both get
# Django's invalid_login, as an unknown name does (the operator's log says which it was).
# Under every failed sign-in, for everyone alike:
LOGIN_FAILED_HINT = _(
    "Signed up but never entered the code we sent? Confirm your account first. "
    "Invited with a temporary password? Sign in with it."
)

INVALID_USERNAME = _("Enter a valid username: letters, digits, symbols and punctuation only.")
INVALID_CODE = _("Enter the code exactly as you received it.")
ENDPOINT_NOT_ALLOWED = _(
    "Use Cognito's own https endpoint (https://cognito-idp.<region>.amazonaws.com), or a host (and port, where "
    "the entry names one) listed in COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS."
)
ENDPOINT_MALFORMED = _(
    "Enter the endpoint as scheme://host or scheme://host:port (http or https), with nothing else: no "
    "user name, path, query, spaces or escaped characters."
)
PASSWORD_MISMATCH = _("The two password fields didn't match.")

# Outcomes of the password-reset, password-change and sign-up calls.
ACCOUNT_FAILURES = {
    "code_mismatch": _("That code is not right. Check it and try again, or ask for a new code."),
    "expired_code": _("That code has expired or was replaced by a newer one. Ask for a new code."),
    # Pages open to anyone answer every refusal that depends on the account this way, so
    # a wrong code reads the same for an unknown name and for every kind of account.
    "code_refused": _(
        "That code is not right, or it has expired. Check it and try again, or ask for a new code."
    ),
    "invalid_password": _("Cognito did not accept the new password: %(policy)s"),
    "rate_limited": _("Too many attempts. Please wait a few minutes, then try again."),
    "no_verified_contact": _(
        "There is no verified email address or phone number to send a code to. "
        "Please contact the site's administrators."
    ),
    "user_disabled": _("This account is disabled. Please contact the site's administrators."),
    "unavailable": _("This is temporarily unavailable. Please try again in a few minutes."),
    "wrong_old_password": _("Your old password was entered incorrectly. Please enter it again."),
    "username_exists": _("That username is already taken. Choose another one, or sign in."),
    "invalid_details": _("Some of the details were not accepted: %(detail)s"),
    "already_confirmed": _("This account is already confirmed. You can sign in."),
    # Each form says what to try instead (OUTCOME_UNKNOWN below); this is the fallback.
    "outcome_unknown": _("We could not confirm that this went through. Please check before trying again."),
}

# Cognito's answer never came, so a change may or may not have happened (the call is never
# sent twice): say so, and what to try. One text per page, keyed by the form's call.
OUTCOME_UNKNOWN = {
    "forgot_password": _(
        "We could not confirm that a code was sent. If none arrives within a few minutes, ask again."
    ),
    "confirm_forgot_password": _(
        "We could not confirm that your new password was set. Try signing in with it; if that "
        "does not work, ask for a new code and set it again."
    ),
    "sign_up": _(
        "We could not confirm that your account was created. If a code arrives within a few "
        "minutes, enter it on the confirmation page; otherwise try signing up again."
    ),
    "confirm_sign_up": _(
        "We could not confirm that your account was confirmed. Try signing in; if you are asked "
        "for a code again, enter it again."
    ),
    "resend_confirmation_code": _(
        "We could not confirm that a new code was sent. If none arrives within a few minutes, ask again."
    ),
    "change_password": _(
        "We could not confirm that your password was changed. Next time you sign in, try the new "
        "password first; if it does not work, your old password still does."
    ),
}

# Where a code went, from CodeDeliveryDetails.
CODE_SENT = {
    "EMAIL": _("We sent a code by email to %(destination)s."),
    "SMS": _("We sent a code by SMS to %(destination)s."),
}
CODE_SENT_SOMEWHERE = _(
    "If an account exists for that name, we sent a code to its email address or phone number."
)
NEW_CODE_SENT = _("We sent you a new code.")
# On both reset pages: Cognito refuses a reset to someone invited who never signed in.
INVITED_HINT = _(
    "Invited by an administrator? The temporary password from your invitation signs you in; "
    "the site then asks you to choose a new password."
)
ALREADY_CONFIRMED_HINT = _("If your account is already confirmed, you can sign in.")
PASSWORD_RESET_DONE = _("Your password has been set. You can now sign in with it.")
SIGN_UP_CONFIRMED = _("Your account is confirmed. You can now sign in.")
SESSION_EXPIRED = _("Your session has expired. Please sign in again.")

# Answers of an API to a bearer token (cognito_auth.api), as JSON {"detail": ...}.
API_FAILURES = {
    "no_token": _("Authentication credentials were not provided."),
    "invalid_token": _("The token is not valid."),
    "expired": _("The token has expired."),
    "insufficient_scope": _("The token does not allow this."),
    "unavailable": _("Sign-in is temporarily unavailable. Please try again in a few minutes."),
}

# Sign-in steps (challenges) after the password.
STEP_ENDED = _("That sign-in step has expired or was already used. Please sign in again.")
TOO_MANY_WRONG_CODES = _("Too many wrong codes. Please sign in again.")
STEP_FAILURES = {
    "code_mismatch": _("That code is not right. Check it and try again."),
    "expired_code": _("That code has expired. Please sign in again for a new one."),
    "invalid_password": ACCOUNT_FAILURES["invalid_password"],
    "invalid_details": ACCOUNT_FAILURES["invalid_details"],
    "rate_limited": ACCOUNT_FAILURES["rate_limited"],
    # Also when the answer never came: the step can be tried again, and a session Cognito
    # used up meanwhile sends the person back to sign in.
    "unavailable": LOGIN_FAILURES["unavailable"],
    "outcome_unknown": LOGIN_FAILURES["unavailable"],
}
STEP_CODE_INSTRUCTIONS = {
    "SOFTWARE_TOKEN_MFA": _("Enter the 6-digit code your authenticator app shows for this site."),
    "SMS_MFA": CODE_SENT["SMS"],
    "EMAIL_OTP": CODE_SENT["EMAIL"],
    "SMS_OTP": CODE_SENT["SMS"],
}
STEP_CODE_SENT_SOMEWHERE = _("We sent you a sign-in code. Enter it below.")
# SELECT_MFA_TYPE's choices.
MFA_CHOICE_LABELS = {
    "SMS_MFA": _("A code by text message (SMS)"),
    "SOFTWARE_TOKEN_MFA": _("A code from my authenticator app"),
    "EMAIL_OTP": _("A code by email"),
}
# SELECT_CHALLENGE's first factors (choice-based sign-in), and the login page's buttons.
FIRST_FACTOR_LABELS = {
    "PASSWORD": _("My password"),
    "PASSWORD_SRP": _("My password"),
    "EMAIL_OTP": _("A sign-in code by email"),
    "SMS_OTP": _("A sign-in code by text message (SMS)"),
    "WEB_AUTHN": _("A passkey"),
}
SIGN_IN_METHOD_BUTTONS = {
    "EMAIL_OTP": _("Email me a sign-in code"),
    "SMS_OTP": _("Text me a sign-in code"),
}
PASSKEY_BUTTON = _("Sign in with a passkey")
# Passkey sign-in (the WEB_AUTHN step): the page, what its script says, and refusals.
PASSKEY_SIGN_IN_INSTRUCTIONS = _(
    "Press the button, then confirm with your fingerprint, face, screen lock or security key."
)
# Asked for a passkey, Cognito offered other ways (no passkey for that name here).
PASSKEY_NOT_AVAILABLE = _("No passkey can sign in to this account here. Choose another way to sign in.")
PASSKEY_SIGN_IN_FAILURES = {
    # Cognito refused the assertion (another user's passkey, a replay, a bad signature) or
    # the site did (another origin, another challenge): the same words, the step is over.
    "refused": _("That passkey was not accepted. Please sign in again."),
    "malformed": _("The browser's answer could not be read. Please try again."),
    "wrong_challenge": _("That answer belongs to another sign-in. Please try again."),
    # The browser signed for another origin (or another ceremony): the site never sends it on.
    "wrong_origin": _("That passkey was not accepted: the browser answered for another website."),
}
PASSKEY_SIGN_IN_SCRIPT_MESSAGES = {
    "unsupported": _(
        "This browser cannot use passkeys. Sign in another way, or try another browser or device."
    ),
    "cancelled": _("Passkey sign-in was cancelled or timed out, or no passkey for this site was found. "
                   "Press the button to try again, or sign in another way."),
    "failed": _("The browser could not use your passkey. Please try again."),
}
CHOOSE_PASSWORD_REQUIRED = _("Enter your password to sign in with it.")
TOTP_QR_TITLE = _("QR code to scan with your authenticator app")
TOTP_VERIFIED = _("Your authenticator app is set up. Enter a code it shows to finish signing in.")
NEW_PASSWORD_INSTRUCTIONS = _("Please choose a new password to finish signing in.")
TOTP_SETUP_INSTRUCTIONS = _(
    "This site asks for a second step at sign-in. Scan the QR code with an authenticator app "
    "(or type the key into it), then enter the 6-digit code it shows."
)
# Labels of the attributes a pool may require at the first sign-in (OpenID Connect's
# standard claims, as Cognito names them); any other is shown by its name.
ATTRIBUTE_LABELS = {
    "name": _("Full name"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "middle_name": _("Middle name"),
    "nickname": _("Nickname"),
    "preferred_username": _("Preferred username"),
    "email": _("Email"),
    "phone_number": _("Phone number"),
    "address": _("Address"),
    "birthdate": _("Date of birth"),
    "gender": _("Gender"),
    "locale": _("Locale"),
    "picture": _("Picture URL"),
    "profile": _("Profile URL"),
    "website": _("Website"),
    "zoneinfo": _("Time zone"),
}
ATTRIBUTE_HELP = {
    "phone_number": _("In international format, starting with +, such as +15555550100."),
    "birthdate": _("YYYY-MM-DD"),
}
# A form posted with a charset other than UTF-8 (see form_charset.py).
FORM_NOT_UTF8 = _("Forms must be sent as UTF-8. Reload the page and send the form again.")
SIGN_OUT_EVERYWHERE_INCOMPLETE = _(
    "You are signed out of this site on every device, but Cognito could not be reached to end "
    "your sessions in other apps. Try again later."
)

# The Passkeys page (registration and removal), and what its script says in the browser.
PASSKEY_FAILURES = {
    "unavailable": _("Passkeys are temporarily unavailable. Please try again in a few minutes."),
    "not_configured": _("Passkeys are not available on this site. Please contact the site's administrators."),
    "challenge_ended": _("That passkey registration has expired or was already used. Please try again."),
    "refused": _(
        "The passkey was not accepted: it was made for another website, or by a passkey provider this site "
        "does not support. Please try again."
    ),
    "malformed": _("The browser's answer could not be read. Please try again."),
    "not_found": _("That passkey was not found. It may have been removed already."),
    "invalid_details": _("The passkey was not accepted: %(detail)s"),
    "rate_limited": _("Too many attempts. Please wait a few minutes, then try again."),
    "outcome_unknown": _("We could not confirm that this went through. Check your passkeys below."),
}
PASSKEY_ADDED = _("Your passkey was added. You can now use it to sign in.")
PASSKEY_REMOVED = _("Your passkey was removed.")
PASSKEYS_COGNITO_ONLY = _("Passkeys are available only for accounts that sign in through Cognito.")
PASSKEY_SCRIPT_MESSAGES = {
    "unsupported": _(
        "This browser cannot create passkeys. Try another browser or device, or update this one."
    ),
    "cancelled": _("Passkey creation was cancelled or timed out. Press the button to try again."),
    "exists": _("This device already holds a passkey for your account."),
    "failed": _("The browser could not create a passkey. Please try again."),
}
