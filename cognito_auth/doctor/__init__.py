"""Why Cognito says no: the checks behind ``manage.py cognito_check`` and the admin's
*Check connection* action.

"Unable to verify secret hash for client <id>" covers a missing hash, a wrong secret, a
hash over the wrong username and a client that has no secret at all. ``diagnose()`` tells
them apart without AWS credentials and without side effects: it asks Cognito to sign in a
made-up user who does not exist (InitiateAuth). Cognito looks at the app client, the auth
flow and the SECRET_HASH before it looks for the user, so its refusal names whichever of
those is wrong, and when all three are right it answers "user not found" / "incorrect
username or password". Nobody is signed in, and nothing is emailed or texted: the doctor
never calls ForgotPassword, SignUp, ResendConfirmationCode or any flow that runs the pool's
Lambda triggers (CUSTOM_AUTH) or sends one-time codes (USER_AUTH).

Which flow a probe uses: USER_PASSWORD_AUTH, the one sign-in here uses. Where the app
client does not allow it, USER_SRP_AUTH with a valid SRP_A, which Cognito answers for an
unknown user with an error or a decoy challenge. Where neither is allowed,
REFRESH_TOKEN_AUTH with a made-up token: Cognito then still says whether a hash is missing
or unexpected, but it judges a refresh's hash against the token's user, so a made-up token
cannot tell a wrong secret from a right one, and the check says it was skipped. Whether
Cognito checks the flow before the hash is not documented (the emulator checks the flow
first); the checks read each answer so that either order gives the right report, and say
"skipped" where an answer decides nothing.

With AWS credentials (optional, boto3's default chain) the doctor also reads the app
client and the pool (DescribeUserPoolClient, DescribeUserPool, and AdminGetUser for
``username``) and compares them with what this site needs.
"""

from .aws import AWS_CHECKS
from .diagnosis import diagnose, endpoint_of
from .results import OK, PROBLEM, SKIPPED, CheckResult, Report

__all__ = ["AWS_CHECKS", "OK", "PROBLEM", "SKIPPED", "CheckResult", "Report", "diagnose", "endpoint_of"]
