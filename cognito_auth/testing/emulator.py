"""The strict local Cognito: a WSGI middleware in front of moto's server.

Moto's Cognito is lenient where the app under test must not be: it checks SECRET_HASH on
only a few calls, ignores ExplicitAuthFlows and PreventUserExistenceErrors, accepts any
forgot-password code, has no sign-up codes, and its errors may be empty or quote the hash.
`StrictCognitoMiddleware` answers those calls the way Cognito does and hands everything
else to moto unchanged. It also records every Cognito call (without secrets), keeps the
codes a real pool would email in an outbox, holds two secrets per app client during a
rotation (AddUserPoolClientSecret, which moto lacks), and answers control requests under
``/_emulator/``.

Run it as ``python -m cognito_auth.testing``; ``cognito_auth.testing.process`` starts it
for tests and the demo.
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import json
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from moto.cognitoidp.models import CognitoIdpUser, UserStatus
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from . import _cognito_rules as rules
from ._challenges import INVALID_SESSION, STEP_CHALLENGES, SignInSteps
from ._moto_patches import adjust_moto
from ._moto_state import (
    AppClient,
    find_app_client,
    find_pool,
    find_pool_by_access_token,
    find_user,
    password_policy,
    sign_in_names,
    user_attributes,
)
from ._srp_sign_in import PASSWORD_VERIFIER, SrpSignIns
from ._user_auth import CHALLENGES as USER_AUTH_CHALLENGES
from ._user_auth import USER_AUTH, UserAuthSignIns, check_sign_in_policy
from ._webauthn import Passkeys

# User pool settings CreateUserPool takes and UpdateUserPool does not (API reference:
# UpdateUserPool's request syntax has none of them): they never change after creation.
CREATE_ONLY_POOL_SETTINGS = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from moto.cognitoidp.models import CognitoIdpUserPool

LISTENING_PREFIX = "COGNITO EMULATOR LISTENING"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTROL_PREFIX = "/_emulator/"
# Moto's own API: its dashboard, a state reset, and a dump of every pool's data with
# every password and client secret in it. Served only when the command line asks.
MOTO_API_PREFIX = "/moto-api"
AWS_JSON = "application/x-amz-json-1.1"
# Moto hands out its forgot-password code in this header, prefixed; no client may see it.
MOTO_CODE_HEADER = "x-moto-forgot-password-confirmation-code"
MOTO_CODE_PREFIX = "moto-confirmation-code:"
CODE_LABELS = {
    "forgot_password": "ForgotPassword", "sign_up": "SignUp", "sms_mfa": "SMS MFA", "email_otp": "Email sign-in",
    "sms_otp": "SMS sign-in",
}
# The longest an answer asked to come late is held (seconds) when no test releases it.
LATE_ANSWER_LIMIT = 60.0
# The most `answer_time` may hold every answer (seconds): above the site's read timeout it
# would be a fault, which answer_late and the fault proxy model instead.
ANSWER_TIME_LIMIT = 5.0

# Where a call carries the password a policy check looks at.
CANDIDATE_PASSWORD_FIELDS = {
    "SignUp": "Password",
    "ConfirmForgotPassword": "Password",
    "AdminSetUserPassword": "Password",
    "ChangePassword": "ProposedPassword",
}
# Administrator calls whose Username names an existing user: Cognito accepts any of the
# user's sign-in names there (AdminGetUser's "Username"), moto only its own lookup.
ADMIN_CALLS_NAMING_A_USER = frozenset(
    {
        "AdminGetUser",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminDeleteUser",
        "AdminSetUserPassword",
        "AdminResetUserPassword",
        "AdminConfirmSignUp",
        "AdminUpdateUserAttributes",
        "AdminDeleteUserAttributes",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "AdminListGroupsForUser",
    }
)
# Request keys whose values must never appear in an error message.
SENSITIVE_KEY_PARTS = ("password", "secret", "hash", "token", "code", "session", "signature", "srp", "claim")


class _RefusedControl(ValueError):
    """A control request the emulator will not carry out: answered 400 with the reason."""


@dataclass
class _Call:
    """One Cognito API call: its action, its parsed JSON body, and the WSGI environ."""

    action: str
    params: dict[str, Any]
    environ: WSGIEnvironment
    raw_body: bytes
    is_json: bool


@dataclass(frozen=True)
class _PendingCode:
    code: str
    # The attribute the code went to: confirming a sign-up code verifies it.
    attribute: str
    # Moto's own form of a ForgotPassword code, which is what moto must be sent.
    moto_code: str = ""


@dataclass(frozen=True)
class _ClientSecret:
    """One of an app client's secrets, once a test has rotated them."""

    secret_id: str
    value: str
    created: float


class StrictCognitoMiddleware:
    """Make moto's Cognito as strict as the real one, for the calls an app makes.

    `app` is moto's server app; `secret_hash_wording` picks Cognito's older ("legacy") or
    newer ("new") text for a wrong SECRET_HASH; code lines go to `stream` (stdout if None).
    Moto's own ``/moto-api/`` answers 404 unless `serve_moto_api` is true.
    """

    def __init__(
        self,
        app: WSGIApplication,
        secret_hash_wording: str = "legacy",  # noqa: S107 - a choice of wording, not a secret
        *,
        stream: TextIO | None = None,
        serve_moto_api: bool = False,
    ) -> None:
        if secret_hash_wording not in rules.WRONG_HASH_WORDINGS:
            raise ValueError(f"secret_hash_wording must be one of {sorted(rules.WRONG_HASH_WORDINGS)}")
        self.app = app
        self.secret_hash_wording = secret_hash_wording
        self.serve_moto_api = serve_moto_api
        self._stream = stream
        # One lock for all Cognito calls: a check and the moto call it guards (say, a
        # code and its consumption) must not interleave with another request's.
        self._lock = threading.RLock()
        self._calls: list[dict[str, Any]] = []
        self._outbox: list[dict[str, Any]] = []
        self._codes: dict[tuple[str, str, str], _PendingCode] = {}
        # Failures a test asked for: (action, client id) -> errors for its next calls.
        self._failures: dict[tuple[str, str], list[rules.CognitoError]] = {}
        # Answers a test asked to come late: (action, client id) -> how many next calls;
        # every held answer waits on one event, set by release_late().
        self._late: dict[tuple[str, str], int] = {}
        self._release = threading.Event()
        self._answer_time = 0.0
        # Moto keeps one secret per app client. Once a client's secrets are rotated
        # (AddUserPoolClientSecret...), the list here is the truth: client id -> secrets.
        self._client_secrets: dict[str, list[_ClientSecret]] = {}
        # Access tokens a RevokeToken ended (moto has no RevokeToken at all).
        self._revoked_access_tokens: set[str] = set()
        # Refresh tokens that GetTokensFromRefreshToken rotated out: token -> the end of
        # their grace period (seconds since the epoch), after which Cognito refuses them.
        self._rotated_out: dict[str, float] = {}
        # Sign-in steps after the password (challenges, MFA), which moto fakes.
        self._steps = SignInSteps(self._send_code, self._verify_challenge_hash)
        # USER_SRP_AUTH and PASSWORD_VERIFIER, which moto fakes (any claim passes).
        self._srp = SrpSignIns(self._steps, self._verify_challenge_hash)
        # Passkeys (WebAuthn registration, listing, removal), which moto lacks.
        self._passkeys = Passkeys()
        # USER_AUTH (choice-based sign-in: one-time codes, passkeys, SELECT_CHALLENGE), which moto lacks.
        self._user_auth = UserAuthSignIns(
            self._steps, self._srp, self._verify_challenge_hash,
            check_password=self._password_checked, send_code=self._send_code, passkeys=self._passkeys,
        )
        self._handlers: dict[str, Callable[[_Call], Response]] = {
            "InitiateAuth": self._initiate_auth,
            "AdminInitiateAuth": self._initiate_auth,
            "RespondToAuthChallenge": self._respond_to_auth_challenge,
            "AdminRespondToAuthChallenge": self._respond_to_auth_challenge,
            "ForgotPassword": self._forgot_password,
            "ConfirmForgotPassword": self._confirm_forgot_password,
            "SignUp": self._sign_up,
            "ConfirmSignUp": self._confirm_sign_up,
            "ResendConfirmationCode": self._resend_confirmation_code,
            "RevokeToken": self._revoke_token,
            "GetTokensFromRefreshToken": self._get_tokens_from_refresh_token,
            "GlobalSignOut": self._global_sign_out,
            "AdminUserGlobalSignOut": self._global_sign_out,
            "GetUser": self._get_user,
            "CreateUserPoolClient": self._user_pool_client_settings,
            "CreateUserPool": self._user_pool_settings,
            "UpdateUserPool": self._user_pool_settings,
            "UpdateUserPoolClient": self._user_pool_client_settings,
            "ChangePassword": self._change_password,
            "AdminCreateUser": self._admin_create_user,
            **{action: self._admin_user_call for action in ADMIN_CALLS_NAMING_A_USER},
            "AddUserPoolClientSecret": self._add_user_pool_client_secret,
            "DeleteUserPoolClientSecret": self._delete_user_pool_client_secret,
            "ListUserPoolClientSecrets": self._list_user_pool_client_secrets,
            "DescribeUserPoolClient": self._describe_user_pool_client,
            **self._step_handlers(),
            **{action: self._passkey_call(answer) for action, answer in self._passkeys.api().items()},
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            response = self._control(Request(environ))
        elif path.startswith(MOTO_API_PREFIX) and not self.serve_moto_api:
            response = _plain_json({"error": "moto's API is off; start the emulator with --serve-moto-api"}, 404)
        elif environ.get("HTTP_X_AMZ_TARGET", "").startswith(TARGET_PREFIX):
            response = self._cognito(environ)
        else:
            return self.app(environ, start_response)
        return response(environ, start_response)

    # What tests and the demo read -------------------------------------------------------

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(call) for call in self._calls]

    def outbox(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(message) for message in self._outbox]

    def reset_log(self) -> None:
        """Forget recorded calls and sent messages; pools, users and open codes stay."""
        with self._lock:
            self._calls.clear()
            self._outbox.clear()

    def _control(self, request: Request) -> Response:
        routes: dict[tuple[str, str], Callable[[], Any]] = {
            ("GET", "health"): lambda: {"ok": True},
            ("GET", "calls"): self.calls,
            ("GET", "outbox"): self.outbox,
            ("POST", "reset-log"): self._reset_log_answer,
            ("POST", "fail-next"): lambda: self._fail_next_answer(request),
            ("POST", "answer-late"): lambda: self._answer_late_answer(request),
            ("POST", "release-late"): self._release_late_answer,
            ("GET", "answer-time"): lambda: {"seconds": self._answer_time},
            ("POST", "answer-time"): lambda: self._answer_time_answer(request),
            ("POST", "expire-sessions"): lambda: self._expire_sessions_answer(request),
        }
        endpoint = request.path.removeprefix(CONTROL_PREFIX)
        handler = routes.get((request.method, endpoint))
        if handler is not None:
            try:
                return _plain_json(handler())
            except _RefusedControl as refused:
                return _plain_json({"ok": False, "error": str(refused)}, status=400)
        if any(endpoint == name for _, name in routes):
            return _plain_json({"error": f"{request.method} not allowed here"}, status=405)
        return _plain_json({"error": f"no control endpoint {request.path}"}, status=404)

    def _reset_log_answer(self) -> dict[str, bool]:
        self.reset_log()
        return {"ok": True}

    def fail_next(self, action: str, client_id: str, code: str, message: str) -> None:
        """Answer the next ``action`` call of that app client with this Cognito error
        (limits, outages...). Scoped to one client so tests sharing an emulator do not
        receive each other's failures."""
        with self._lock:
            self._failures.setdefault((action, client_id), []).append(rules.CognitoError(code, message))

    def _fail_next_answer(self, request: Request) -> dict[str, bool]:
        wanted = {key: str(value) for key, value in (_json_object(request.get_data()) or {}).items()}
        self.fail_next(wanted.get("action", ""), wanted.get("client_id", ""), wanted.get("code", ""),
                       wanted.get("message", ""))
        return {"ok": True}

    def answer_late(self, action: str, client_id: str) -> None:
        """Do the work of the next ``action`` call of that app client as usual (record it,
        change the pool), then hold its answer until ``release_late()`` (or
        LATE_ANSWER_LIMIT seconds): what a client sees when a slow Lambda trigger outlasts
        its read timeout. The client gives up; the change has happened."""
        with self._lock:
            key = (action, client_id)
            self._late[key] = self._late.get(key, 0) + 1
            self._release.clear()

    def release_late(self) -> None:
        """Let every held answer go (to a client that has long stopped listening)."""
        with self._lock:
            self._late.clear()
            self._release.set()

    def _answer_late_answer(self, request: Request) -> dict[str, bool]:
        wanted = {key: str(value) for key, value in (_json_object(request.get_data()) or {}).items()}
        self.answer_late(wanted.get("action", ""), wanted.get("client_id", ""))
        return {"ok": True}

    def _release_late_answer(self) -> dict[str, bool]:
        self.release_late()
        return {"ok": True}

    def set_answer_time(self, seconds: float) -> None:
        """Hold every Cognito answer `seconds` (0 to ANSWER_TIME_LIMIT) after its work is
        done, outside the lock so calls overlap as they do at Cognito: the network's round
        trip plus Cognito's own service time, which an emulator on loopback lacks. The
        load benchmark compares the site with raw boto3 at several such times.

        :raises ValueError: `seconds` outside 0 to ANSWER_TIME_LIMIT, or not a number.
        """
        # float(True) is 1.0: a JSON true must not pass for one second.
        if isinstance(seconds, bool):
            raise ValueError("answer time must be a number of seconds, not true or false")
        seconds = float(seconds)
        if not 0.0 <= seconds <= ANSWER_TIME_LIMIT:  # also refuses NaN
            raise ValueError(f"answer time must be 0 to {ANSWER_TIME_LIMIT:g} seconds")
        with self._lock:
            self._answer_time = seconds

    def _answer_time_answer(self, request: Request) -> dict[str, Any]:
        # No default: a body that names no time (or is no JSON object) is a mistake, and
        # taking it as 0 would silently turn the benchmark's latency off.
        wanted = _json_object(request.get_data())
        if wanted is None or "seconds" not in wanted:
            raise _RefusedControl('the body must be a JSON object with "seconds"')
        try:
            self.set_answer_time(wanted["seconds"])
        except (TypeError, ValueError) as exc:
            raise _RefusedControl(str(exc)) from exc
        return {"ok": True, "seconds": self._answer_time}

    def _takes_late_answer(self, call: _Call) -> bool:
        key = (call.action, _client_id_of(call.params) or "")
        if not self._late.get(key):
            return False
        self._late[key] -= 1
        return True

    # Cognito calls ----------------------------------------------------------------------

    def _cognito(self, environ: WSGIEnvironment) -> Response:
        raw_body = Request(environ, populate_request=False).get_data()
        params = _json_object(raw_body)
        action = environ["HTTP_X_AMZ_TARGET"].removeprefix(TARGET_PREFIX)
        call = _Call(action, params or {}, environ, raw_body, is_json=params is not None)
        # Recorded from the request as sent, before any handler rewrites it for moto.
        record = _call_record(action, call.params)
        with self._lock:
            response = self._answer(call)
            record["outcome"] = _outcome(response)
            self._calls.append(record)
            late = self._takes_late_answer(call)
            answer_time = self._answer_time
        if late:  # outside the lock: other calls go on meanwhile
            self._release.wait(LATE_ANSWER_LIMIT)
        if answer_time:  # a model of latency, not synchronisation: see set_answer_time
            time.sleep(answer_time)
        return response

    def _answer(self, call: _Call) -> Response:
        handler = self._handlers.get(call.action, self._forward)
        failures = self._failures.get((call.action, str(call.params.get("ClientId", ""))))
        if failures:
            return _error_response(failures.pop(0))
        access_token = call.params.get("AccessToken")
        if isinstance(access_token, str) and access_token in self._revoked_access_tokens:
            return _error_response(rules.CognitoError(rules.NOT_AUTHORIZED, rules.REVOKED_ACCESS))
        if isinstance(access_token, str) and rules.is_expired(access_token):
            # Moto accepts an access token after its exp; Cognito does not.
            return _error_response(rules.CognitoError(rules.NOT_AUTHORIZED, rules.EXPIRED_ACCESS))
        try:
            return handler(call)
        except rules.CognitoError as error:
            return _error_response(error)

    def _initiate_auth(self, call: _Call) -> Response:
        app_client = self._app_client(call.params)
        flow = call.params.get("AuthFlow") or ""
        if flow not in rules.FLAG_FOR_FLOW:
            return self._forward(call)  # moto rejects the name with AWS's validation error
        rules.check_auth_flow(flow, app_client.explicit_auth_flows)
        auth = call.params["AuthParameters"] = _dict(call.params.get("AuthParameters"))
        if flow in rules.REFRESH_FLOWS:
            if rules.rotates_refresh_tokens(app_client.client.extended_config):
                raise rules.CognitoError(rules.INVALID_PARAMETER, rules.ROTATION_NEEDS_GET_TOKENS)
            self._check_refresh(app_client, auth)
            return self._forward(call)
        username = _required(auth, "USERNAME")
        self._verify_hash(app_client, auth.get("SECRET_HASH"), username, "auth")
        self._rehash_for_moto(app_client, auth, username)
        if flow in rules.PASSWORD_FLOWS:
            self._check_password_sign_in(app_client, auth)
            self._name_internally(app_client, auth, "USERNAME")
            step = self._steps.after_password(app_client, app_client.pool.users[auth["USERNAME"]])
            if step is not None:
                return _aws_json(step)
        if flow == "USER_SRP_AUTH":
            return _aws_json(self._srp.start(app_client, username, auth.get("SRP_A")))
        if flow == USER_AUTH:
            return _aws_json(self._user_auth.start(app_client, auth, call.params.get("Session")))
        return self._forward(call)

    def _check_refresh(self, app_client: AppClient, auth: dict[str, Any]) -> None:
        """Check a refresh, whose SECRET_HASH is over the user's internal username."""
        received = auth.get("SECRET_HASH")
        if not self._secrets_of(app_client) or not received:
            # Settled without knowing the user: no secret to check, or no hash to check.
            self._verify_hash(app_client, received, "", "auth")
        stored_username = self._refresh_token_username(app_client, _required(auth, "REFRESH_TOKEN"))
        user = find_user(app_client.pool, stored_username)
        if user is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.BAD_REFRESH)
        if app_client.secret is not None:
            # Cognito's username here is the internal one (the sub in a pool that signs
            # in by email), never what the user typed.
            self._verify_hash(app_client, received, user.username, "auth")
            # Moto re-checks the hash against the name it stored with the token, which is
            # whatever was typed at sign-in; hand it the hash it expects.
            self._rehash_for_moto(app_client, auth, stored_username)
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)

    def _password_checked(self, app_client: AppClient, username: str, password: str) -> CognitoIdpUser:
        """The user ``username`` names, once ``password`` is theirs (USER_AUTH's PASSWORD)."""
        self._check_password_sign_in(app_client, {"USERNAME": username, "PASSWORD": password})
        user = find_user(app_client.pool, username)
        if user is None:  # checked above; only a concurrent delete gets here
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        return user

    def _check_password_sign_in(self, app_client: AppClient, auth: dict[str, Any]) -> None:
        password = _required(auth, "PASSWORD")
        user = find_user(app_client.pool, auth["USERNAME"])
        if user is None:
            raise self._unknown_user(
                app_client,
                legacy=rules.CognitoError(rules.USER_NOT_FOUND, rules.USER_DOES_NOT_EXIST),
                hidden=rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS),
            )
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        # Cognito answers an unconfirmed user before it looks at the password, by design
        # (so an app can send the person to confirm); moto checks the password first.
        if user.status is UserStatus.UNCONFIRMED:
            raise rules.CognitoError(rules.NOT_CONFIRMED, rules.USER_NOT_CONFIRMED)
        # Moto keeps None for a user created without a password: nothing matches that.
        if user.password is None or not rules.same_secret(user.password, password):
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INCORRECT_CREDENTIALS)
        # After AdminResetUserPassword Cognito refuses the old password until the user
        # sets a new one with a code; moto would hand out tokens.
        if user.status is UserStatus.RESET_REQUIRED:
            raise rules.CognitoError(rules.RESET_REQUIRED, rules.PASSWORD_RESET_REQUIRED)

    def _respond_to_auth_challenge(self, call: _Call) -> Response:
        app_client = self._app_client(call.params)
        if self._user_auth.owns(call.params.get("Session")):
            return _aws_json(self._user_auth.respond(app_client, call.params))
        if call.params.get("ChallengeName") in USER_AUTH_CHALLENGES - STEP_CHALLENGES:
            # A USER_AUTH challenge whose session is spent, expired or made up; moto knows none.
            raise rules.CognitoError(rules.NOT_AUTHORIZED, INVALID_SESSION)
        if call.params.get("ChallengeName") in STEP_CHALLENGES:
            return _aws_json(self._steps.respond(app_client, call.params))
        if call.params.get("ChallengeName") == PASSWORD_VERIFIER:
            return _aws_json(self._srp.respond(app_client, call.params))
        responses = _dict(call.params.get("ChallengeResponses"))
        self._verify_hash(app_client, responses.get("SECRET_HASH"), responses.get("USERNAME") or "", "auth")
        self._rehash_for_moto(app_client, responses, responses.get("USERNAME") or "")
        return self._forward(call)

    def _forgot_password(self, call: _Call) -> Response:
        app_client, username = self._secret_hash_param_call(call)
        user = _code_recipient(app_client, username)
        if user is None:
            return _aws_json({"CodeDeliveryDetails": rules.fake_delivery(username)})
        if user.status is UserStatus.FORCE_CHANGE_PASSWORD:
            # Invited and never signed in: the temporary password is the way in, and
            # Cognito refuses a reset (moto would send a code).
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.RESET_NOT_ALLOWED)
        details = rules.recovery_delivery(
            user.attribute_lookup, app_client.pool.extended_config.get("AccountRecoverySetting")
        )
        call.params["Username"] = user.username  # moto knows no aliases; the hash is checked
        response = self._moto(call)
        moto_code = response.headers.get(MOTO_CODE_HEADER, "")
        if response.status_code != 200 or not moto_code.startswith(MOTO_CODE_PREFIX):
            return self._cleaned(call, response)
        code = moto_code.removeprefix(MOTO_CODE_PREFIX)
        pending = _PendingCode(code, details["AttributeName"], moto_code)
        self._issue_code("forgot_password", app_client, user, details, pending)
        # Our own body: moto's names a made-up phone when the pool has no recovery setting.
        return _aws_json({"CodeDeliveryDetails": details})

    def _confirm_forgot_password(self, call: _Call) -> Response:
        app_client, username = self._secret_hash_param_call(call)
        user = self._user_for_code(app_client, username)
        key = _code_key("forgot_password", app_client, user)
        pending = self._pending_code(key, call.params.get("ConfirmationCode"))
        # Moto sets any new password here without checking it against the policy.
        problem = rules.password_policy_problem(password_policy(app_client.pool), call.params.get("Password") or "")
        if problem is not None:
            raise rules.CognitoError(rules.POLICY_VIOLATION, rules.password_policy_message(problem))
        call.params["ConfirmationCode"] = pending.moto_code
        call.params["Username"] = user.username
        response = self._forward(call)
        if response.status_code == 200:
            del self._codes[key]
        return response

    def _sign_up(self, call: _Call) -> Response:
        app_client, username = self._secret_hash_param_call(call)
        # Moto compares names case-sensitively and knows no aliases.
        sign_in_names(app_client.pool).check_new_username(username, user_attributes(app_client.pool))
        response = self._forward(call)
        if response.status_code != 200:
            return response
        body = json.loads(response.get_data())
        user = find_user(app_client.pool, username)
        if user is None or not ("CodeDeliveryDetails" in body or user.attribute_lookup.get("email")):
            return response
        details = rules.sign_up_delivery(user.attribute_lookup)
        if details is None:
            return response
        self._issue_code("sign_up", app_client, user, details, _PendingCode(rules.new_code(), details["AttributeName"]))
        # Where our code went, rather than moto's guess from the pool's recovery setting.
        return _aws_json({**body, "CodeDeliveryDetails": details})

    def _confirm_sign_up(self, call: _Call) -> Response:
        app_client, username = self._secret_hash_param_call(call)
        user = self._user_for_code(app_client, username)
        if user.status != UserStatus.UNCONFIRMED:
            raise rules.CognitoError(
                rules.NOT_AUTHORIZED, f"User cannot be confirmed. Current status is {_status(user)}"
            )
        key = _code_key("sign_up", app_client, user)
        pending = self._pending_code(key, call.params.get("ConfirmationCode"))
        alias_holder = self._alias_holder(app_client, user, pending.attribute)
        if alias_holder is not None and call.params.get("ForceAliasCreation") is not True:
            raise rules.CognitoError(rules.ALIAS_EXISTS, rules.ALIAS_TAKEN.format(attribute=pending.attribute))
        call.params["Username"] = user.username
        response = self._forward(call)
        if response.status_code != 200:
            return response
        del self._codes[key]
        # The code reached that address, so Cognito marks it verified; moto does not.
        user.update_attributes([{"Name": f"{pending.attribute}_verified", "Value": "true"}])
        if alias_holder is not None:
            # ForceAliasCreation: the alias moves to this user, as Cognito documents.
            alias_holder.update_attributes([{"Name": f"{pending.attribute}_verified", "Value": "false"}])
        # A Session that signs the user in once with USER_AUTH (ConfirmSignUp's answer).
        return _aws_json({"Session": self._user_auth.sign_up_session(app_client, user)})

    def _alias_holder(self, app_client: AppClient, user: CognitoIdpUser, attribute: str) -> CognitoIdpUser | None:
        """Another user whose verified alias is the value `user` is about to verify."""
        holder = sign_in_names(app_client.pool).alias_holder(
            attribute,
            user.attribute_lookup.get(attribute, ""),
            user_attributes(app_client.pool),
            besides=user.username,
        )
        return app_client.pool.users.get(holder) if holder is not None else None

    def _change_password(self, call: _Call) -> Response:
        # Moto changes a disabled user's password; Cognito refuses, as it refuses the
        # user's sign-in.
        user = _user_of_access_token(call.params.get("AccessToken"))
        if user is not None and not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        return self._forward(call)

    def _admin_create_user(self, call: _Call) -> Response:
        pool = find_pool(call.params.get("UserPoolId"))
        if pool is not None and call.params.get("MessageAction") != "RESEND":
            sign_in_names(pool).check_new_username(str(call.params.get("Username") or ""), user_attributes(pool))
        return self._forward(call)

    def _admin_user_call(self, call: _Call) -> Response:
        """An administrator call naming a user, who may be named by any sign-in name."""
        pool = find_pool(call.params.get("UserPoolId"))
        user = find_user(pool, call.params.get("Username")) if pool is not None else None
        if user is not None:
            call.params["Username"] = user.username
        return self._forward(call)

    def _revoke_token(self, call: _Call) -> Response:
        """RevokeToken, which moto lacks: the client's own secret (not a hash) authorises it,
        and the refresh token stops working as after a global sign-out."""
        app_client = self._app_client(call.params)
        sent_secret = str(call.params.get("ClientSecret") or "")
        if app_client.secret is not None and not rules.same_secret(app_client.secret, sent_secret):
            raise rules.CognitoError(rules.UNAUTHORIZED, rules.INVALID_CLIENT_OR_SECRET)
        token = str(call.params.get("Token") or "")
        entry = app_client.pool.refresh_tokens.get(token)
        if entry is not None and entry[0] == app_client.id:
            app_client.pool.refresh_tokens[token] = None  # moto's own mark for a revoked token
            # "Revokes all of the access tokens generated by ... the specified refresh
            # token" (RevokeToken): moto marks each with the refresh token's origin_jti.
            origin_jti = entry[2]
            self._revoked_access_tokens.update(
                access_token
                for access_token in list(app_client.pool.access_tokens)
                if rules.jwt_claims(access_token).get("origin_jti") == origin_jti
            )
        # Cognito answers an unknown token with success too (OAuth token revocation).
        return _aws_json({})

    # Sessions: refresh-token rotation, global sign-out, GetUser, token validity ---------

    def _refresh_token_username(self, app_client: AppClient, token: str) -> str:
        """The username stored with a refresh token this client was given; a token rotated
        out refuses once its grace period is over."""
        deadline = self._rotated_out.get(token)
        if deadline is not None and time.time() >= deadline:
            app_client.pool.refresh_tokens[token] = None
            del self._rotated_out[token]
        return _refresh_token_username(app_client, token)

    def _get_tokens_from_refresh_token(self, call: _Call) -> Response:
        """GetTokensFromRefreshToken, which moto lacks. The client secret itself (not a
        hash) authorises it. With RefreshTokenRotation ENABLED the answer carries a new
        refresh token, and the one sent stops working after RetryGracePeriodSeconds (0:
        at once). A disabled or deleted user is refused, as on REFRESH_TOKEN_AUTH."""
        app_client = self._app_client(call.params)
        sent_secret = str(call.params.get("ClientSecret") or "")
        if app_client.secret is not None and not any(
            rules.same_secret(secret, sent_secret) for secret in self._secrets_of(app_client)
        ):
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.INVALID_CLIENT_OR_SECRET)
        token = _required(call.params, "RefreshToken")
        username = self._refresh_token_username(app_client, token)
        user = find_user(app_client.pool, username)
        if user is None:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.BAD_REFRESH)
        if not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        config = app_client.client.extended_config
        issued = token
        if rules.rotates_refresh_tokens(config):
            issued, _ = app_client.pool.create_refresh_token(app_client.id, user.username)
            grace = rules.retry_grace_period(config)
            if grace:
                self._rotated_out.setdefault(token, time.time() + grace)
            else:
                app_client.pool.refresh_tokens[token] = None
        access_token, id_token, expires_in = app_client.pool.create_tokens_from_refresh_token(issued)
        result = {"AccessToken": access_token, "IdToken": id_token, "ExpiresIn": expires_in, "TokenType": "Bearer"}
        if issued != token:
            result["RefreshToken"] = issued
        return _aws_json({"AuthenticationResult": result})

    def _global_sign_out(self, call: _Call) -> Response:
        """GlobalSignOut / AdminUserGlobalSignOut: moto ends the user's refresh tokens;
        Cognito also revokes every access token they gave, which moto only forgets."""
        if call.action == "GlobalSignOut":
            user = _user_of_access_token(call.params.get("AccessToken"))
            pool = find_pool_by_access_token(call.params.get("AccessToken"))
        else:
            pool = self._pool(call.params)
            user = find_user(pool, call.params.get("Username"))
            if user is not None:
                call.params["Username"] = user.username
        if user is not None and pool is not None:
            self._revoked_access_tokens.update(
                token for token, (_, username) in list(pool.access_tokens.items()) if username == user.username
            )
            self._rotated_out = {
                token: deadline for token, deadline in self._rotated_out.items()
                if (pool.refresh_tokens.get(token) or ("", "", ""))[1] != user.username
            }
        return self._forward(call)

    def _get_user(self, call: _Call) -> Response:
        """GetUser: a disabled user is refused as at sign-in (moto's text is "username")."""
        user = _user_of_access_token(call.params.get("AccessToken"))
        if user is not None and not user.enabled:
            raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.USER_DISABLED)
        return self._forward(call)

    def _user_pool_client_settings(self, call: _Call) -> Response:
        """Token validity as Cognito bounds it (5 minutes to a day), except that the
        seconds unit may go below the floor: for tests only, real Cognito refuses it."""
        rules.check_token_validity(call.params)
        return self._forward(call)

    def _user_pool_settings(self, call: _Call) -> Response:
        """CreateUserPool / UpdateUserPool: the sign-in policy's first factors checked
        (moto stores any), then moto's answer. UpdateUserPool keeps what only
        CreateUserPool sets (UsernameAttributes, AliasAttributes, UsernameConfiguration),
        which moto's update resets along with everything the request leaves out."""
        check_sign_in_policy(call.params)
        pool = find_pool(call.params.get("UserPoolId")) if call.action == "UpdateUserPool" else None
        kept = {key: pool.extended_config[key] for key in CREATE_ONLY_POOL_SETTINGS
                if pool is not None and key in pool.extended_config}
        response = self._forward(call)
        if pool is not None:
            pool.extended_config.update(kept)
        return response

    def _resend_confirmation_code(self, call: _Call) -> Response:
        # Moto has no ResendConfirmationCode: answered here entirely.
        app_client, username = self._secret_hash_param_call(call)
        user = _code_recipient(app_client, username)
        if user is None:
            return _aws_json({"CodeDeliveryDetails": rules.fake_delivery(username)})
        if user.status != UserStatus.UNCONFIRMED:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "User is already confirmed.")
        details = rules.sign_up_delivery(user.attribute_lookup)
        if details is None:
            raise rules.CognitoError(rules.INVALID_PARAMETER, "Cannot resend codes. Auto verification not turned on.")
        self._issue_code("sign_up", app_client, user, details, _PendingCode(rules.new_code(), details["AttributeName"]))
        return _aws_json({"CodeDeliveryDetails": details})

    # Sign-in steps and MFA (see _challenges) ---------------------------------------------

    def _step_handlers(self) -> dict[str, Callable[[_Call], Response]]:
        return {
            "AssociateSoftwareToken": lambda call: _aws_json(self._steps.associate_software_token(call.params)),
            "VerifySoftwareToken": lambda call: _aws_json(self._steps.verify_software_token(call.params)),
            "SetUserMFAPreference": self._set_user_mfa_preference,
            "AdminSetUserMFAPreference": self._set_user_mfa_preference,
            "SetUserPoolMfaConfig": self._user_pool_mfa_config,
            "GetUserPoolMfaConfig": self._user_pool_mfa_config,
        }

    def _set_user_mfa_preference(self, call: _Call) -> Response:
        if call.action == "SetUserMFAPreference":
            user = _user_of_access_token(call.params.get("AccessToken"))
            pool = find_pool_by_access_token(call.params.get("AccessToken"))
            if user is None or pool is None:
                raise rules.CognitoError(rules.NOT_AUTHORIZED, "Invalid Access Token")
        else:
            pool = self._pool(call.params)
            user = find_user(pool, call.params.get("Username"))
            if user is None:
                raise rules.CognitoError(rules.USER_NOT_FOUND, rules.USER_DOES_NOT_EXIST)
        self._steps.set_user_mfa_preference(pool, user, call.params)
        return _aws_json({})

    def _user_pool_mfa_config(self, call: _Call) -> Response:
        pool = self._pool(call.params)
        if call.action == "SetUserPoolMfaConfig":
            if "WebAuthnConfiguration" in call.params:
                self._passkeys.set_configuration(pool, call.params["WebAuthnConfiguration"])
            config = self._steps.set_user_pool_mfa_config(pool, call.params)
        else:
            config = self._steps.user_pool_mfa_config(pool)
        return _aws_json({**config, "WebAuthnConfiguration": self._passkeys.configuration(pool)})

    def _passkey_call(self, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[_Call], Response]:
        return lambda call: _aws_json(answer(call.params))

    def _pool(self, params: dict[str, Any]) -> CognitoIdpUserPool:
        pool = find_pool(params.get("UserPoolId"))
        if pool is None:
            raise rules.CognitoError(rules.RESOURCE_NOT_FOUND, f"User pool {params.get('UserPoolId')} does not exist.")
        return pool

    def expire_sessions(self, *, pool_id: str = "", client_id: str = "") -> int:
        """Expire the open sign-in sessions (challenges) of a pool or app client, as if
        their AuthSessionValidity had passed; the number expired."""
        with self._lock:
            return (
                self._steps.expire(pool_id=pool_id, client_id=client_id)
                + self._srp.expire(pool_id=pool_id, client_id=client_id)
                + self._user_auth.expire(pool_id=pool_id, client_id=client_id)
            )

    def _expire_sessions_answer(self, request: Request) -> dict[str, int]:
        wanted = {key: str(value) for key, value in (_json_object(request.get_data()) or {}).items()}
        expired = self.expire_sessions(pool_id=wanted.get("pool_id", ""), client_id=wanted.get("client_id", ""))
        return {"expired": expired}

    def _verify_challenge_hash(self, app_client: AppClient, received: Any, username: str) -> None:
        self._verify_hash(app_client, received, username, "auth")

    # Client secret rotation (moto has none of it) ---------------------------------------

    def _add_user_pool_client_secret(self, call: _Call) -> Response:
        app_client = self._app_client_of_pool(call.params)
        secrets = self._rotated_secrets(app_client)
        if len(secrets) >= rules.MAX_CLIENT_SECRETS:
            message = f"App client {app_client.id} already has {rules.MAX_CLIENT_SECRETS} client secrets."
            raise rules.CognitoError(rules.LIMIT_EXCEEDED, message)
        chosen = call.params.get("ClientSecret")
        if chosen is None:
            value = rules.new_client_secret()
        else:
            rules.check_custom_client_secret(str(chosen))
            value = str(chosen)
        created = time.time()
        secret = _ClientSecret(_client_secret_id(app_client.id, created, secrets), value, created)
        secrets.append(secret)
        descriptor: dict[str, Any] = {"ClientSecretId": secret.secret_id, "ClientSecretCreateDate": created}
        if chosen is None:  # as Cognito: the value comes back only when Cognito made it
            descriptor["ClientSecretValue"] = value
        return _aws_json({"ClientSecretDescriptor": descriptor})

    def _delete_user_pool_client_secret(self, call: _Call) -> Response:
        app_client = self._app_client_of_pool(call.params)
        secrets = self._rotated_secrets(app_client)
        wanted = call.params.get("ClientSecretId")
        remaining = [secret for secret in secrets if secret.secret_id != wanted]
        if len(remaining) == len(secrets):
            raise rules.CognitoError(rules.RESOURCE_NOT_FOUND, f"Client secret {wanted} does not exist.")
        if not remaining:
            raise rules.CognitoError(
                rules.INVALID_PARAMETER, "You cannot delete the last remaining secret for an app client."
            )
        secrets[:] = remaining
        return _aws_json({})

    def _list_user_pool_client_secrets(self, call: _Call) -> Response:
        app_client = self._app_client_of_pool(call.params)
        # Never the values, as Cognito.
        listed = [
            {"ClientSecretId": secret.secret_id, "ClientSecretCreateDate": secret.created}
            for secret in self._rotated_secrets(app_client)
        ]
        return _aws_json({"ClientSecrets": listed})

    def _describe_user_pool_client(self, call: _Call) -> Response:
        response = self._forward(call)
        secrets = self._client_secrets.get(str(call.params.get("ClientId", "")))
        if response.status_code != 200 or not secrets:
            return response
        # Cognito documents one ClientSecret here even while a client has two; this
        # emulator shows the older one, so a caller must not assume it is the newest.
        body = json.loads(response.get_data())
        body["UserPoolClient"]["ClientSecret"] = secrets[0].value
        return _aws_json(body)

    def _rotated_secrets(self, app_client: AppClient) -> list[_ClientSecret]:
        """The client's secrets as a list that rotation changes, made on first use."""
        if app_client.secret is None:
            raise rules.CognitoError(rules.INVALID_PARAMETER, f"App client {app_client.id} has no client secret.")
        if app_client.id not in self._client_secrets:
            created = time.time()
            self._client_secrets[app_client.id] = [
                _ClientSecret(_client_secret_id(app_client.id, created, []), app_client.secret, created)
            ]
        return self._client_secrets[app_client.id]

    def _secrets_of(self, app_client: AppClient) -> list[str]:
        """Every secret Cognito would accept a hash made with: none, one, or two in a rotation."""
        rotated = self._client_secrets.get(app_client.id)
        if rotated is not None:
            return [secret.value for secret in rotated]
        return [] if app_client.secret is None else [app_client.secret]

    def _name_internally(self, app_client: AppClient, auth: dict[str, Any], key: str) -> None:
        """Name the user to moto by the internal username, whatever name was sent.

        The SECRET_HASH was checked over the name as sent. Moto knows no aliases and no
        case-insensitive pools, and it puts the name it gets into the tokens and the
        challenge parameters, where Cognito puts the internal username.
        """
        user = find_user(app_client.pool, auth.get(key))
        if user is not None:
            auth[key] = user.username
            self._rehash_for_moto(app_client, auth, user.username)

    @staticmethod
    def _rehash_for_moto(app_client: AppClient, parameters: dict[str, Any], username: str) -> None:
        # Checked already against every secret the client has; moto checks some calls
        # again, against the one secret it knows, so it gets the hash made with that one.
        if app_client.secret is not None and parameters.get("SECRET_HASH"):
            parameters["SECRET_HASH"] = rules.secret_hash(app_client.secret, app_client.id, username)

    # Checks shared by the handlers ------------------------------------------------------

    def _app_client(self, params: dict[str, Any]) -> AppClient:
        client_id = params.get("ClientId")
        app_client = find_app_client(client_id)
        if app_client is None:
            message = f"User pool client {client_id} does not exist."
            raise rules.CognitoError(rules.RESOURCE_NOT_FOUND, message)
        return app_client

    def _app_client_of_pool(self, params: dict[str, Any]) -> AppClient:
        """The app client of an administrator call, which names its pool too."""
        app_client = self._app_client(params)
        if app_client.pool.id != params.get("UserPoolId"):
            raise rules.CognitoError(rules.RESOURCE_NOT_FOUND, f"User pool client {app_client.id} does not exist.")
        return app_client

    def _verify_hash(self, app_client: AppClient, received: str | None, username: str, style: str) -> None:
        rules.verify_secret_hash(
            client_id=app_client.id,
            client_secrets=self._secrets_of(app_client),
            received=received,
            username=username,
            style=style,
            wording=self.secret_hash_wording,
        )

    def _secret_hash_param_call(self, call: _Call) -> tuple[AppClient, str]:
        """Client and username of a call with a top-level SecretHash, the hash checked."""
        app_client = self._app_client(call.params)
        username = call.params.get("Username") or ""
        self._verify_hash(app_client, call.params.get("SecretHash"), username, "param")
        return app_client, username

    @staticmethod
    def _unknown_user(
        app_client: AppClient, *, legacy: rules.CognitoError, hidden: rules.CognitoError
    ) -> rules.CognitoError:
        return hidden if app_client.prevents_user_existence_errors else legacy

    def _user_for_code(self, app_client: AppClient, username: str) -> CognitoIdpUser:
        user = find_user(app_client.pool, username)
        if user is None:
            raise self._unknown_user(
                app_client,
                legacy=rules.CognitoError(rules.USER_NOT_FOUND, rules.COMBINATION_NOT_FOUND),
                hidden=rules.CognitoError(rules.CODE_MISMATCH, rules.WRONG_CODE),
            )
        return user

    def _pending_code(self, key: tuple[str, str, str], received: str | None) -> _PendingCode:
        pending = self._codes.get(key)
        if pending is None:
            raise rules.CognitoError(rules.EXPIRED_CODE, rules.NO_CODE)
        if not rules.same_secret(pending.code, received or ""):
            raise rules.CognitoError(rules.CODE_MISMATCH, rules.WRONG_CODE)
        return pending

    def _issue_code(
        self,
        kind: str,
        app_client: AppClient,
        user: CognitoIdpUser,
        details: dict[str, str],
        pending: _PendingCode,
    ) -> None:
        """Hold a new code for the user (replacing any older one) and "send" it."""
        self._codes[_code_key(kind, app_client, user)] = pending
        self._send_code(kind, app_client, user, details, pending.code)

    def _send_code(
        self, kind: str, app_client: AppClient, user: CognitoIdpUser, details: dict[str, str], code: str
    ) -> None:
        """Put a code in the outbox, and on the console, where a real pool would send it."""
        self._outbox.append(
            {
                "kind": kind,
                "pool_id": app_client.pool.id,
                "client_id": app_client.id,
                "username": user.username,
                "destination": details["Destination"],
                "medium": details["DeliveryMedium"],
                "code": code,
                "time": datetime.now(timezone.utc).isoformat(),
            }
        )
        # Where a real pool would email the code, the emulator's console shows it.
        print(
            f"[cognito emulator] {CODE_LABELS[kind]} code for {user.username} "
            f"({details['DeliveryMedium']} to {details['Destination']}): {code}",
            file=self._stream or sys.stdout,
            flush=True,
        )

    # Moto ---------------------------------------------------------------------------------

    def _moto(self, call: _Call) -> Response:
        """Moto's answer to the call, as the handlers may have rewritten it."""
        body = json.dumps(call.params).encode() if call.is_json else call.raw_body
        environ = {**call.environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        environ.pop("werkzeug.request", None)
        try:
            return Response.from_app(self.app, environ, buffered=True)
        except Exception:
            # Moto raises for actions it lacks; answer as a service fault and keep serving.
            traceback.print_exc()
            return _error_response(
                rules.CognitoError("InternalErrorException", f"The emulator cannot do {call.action}.", 500)
            )

    def _forward(self, call: _Call) -> Response:
        return self._cleaned(call, self._moto(call))

    def _cleaned(self, call: _Call, response: Response) -> Response:
        """Moto's response without its code header and with an error text safe to show."""
        response.headers.pop(MOTO_CODE_HEADER, None)
        error = _error_of(response)
        if error is None:
            return response
        code, message = error
        safe_message = self._safe_message(call, code, message)
        if safe_message == message:
            return response
        return _error_response(rules.CognitoError(code, safe_message, response.status_code))

    def _safe_message(self, call: _Call, code: str, message: str) -> str:
        if code == rules.POLICY_VIOLATION:
            # Moto's text is one vague (and misspelt) sentence; say which rule failed.
            return rules.password_policy_message(self._password_problem(call))
        trusted = code != rules.NOT_AUTHORIZED or message in rules.SAFE_NOT_AUTHORIZED_MESSAGES
        if trusted and _is_plain_message(message, call.params):
            return message
        return _fallback_message(code, message, call.params)

    def _password_problem(self, call: _Call) -> str | None:
        password = call.params.get(CANDIDATE_PASSWORD_FIELDS.get(call.action, "")) or _dict(
            call.params.get("ChallengeResponses")
        ).get("NEW_PASSWORD")
        pool = _pool_of(call.params)
        if not isinstance(password, str) or pool is None:
            return None
        return rules.password_policy_problem(password_policy(pool), password)


# Helpers --------------------------------------------------------------------------------


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise rules.CognitoError(rules.INVALID_PARAMETER, f"Missing required parameter {name}")
    return value


def _status(user: CognitoIdpUser) -> str:
    return getattr(user.status, "value", user.status)


def _client_secret_id(client_id: str, created: float, taken: list[_ClientSecret]) -> str:
    """Cognito's form, <client id>--<creation time in ms>, kept unique within the client."""
    millis = int(created * 1000)
    while any(secret.secret_id == f"{client_id}--{millis}" for secret in taken):
        millis += 1
    return f"{client_id}--{millis}"


def _code_key(kind: str, app_client: AppClient, user: CognitoIdpUser) -> tuple[str, str, str]:
    return kind, app_client.pool.id, user.username


def _code_recipient(app_client: AppClient, username: str) -> CognitoIdpUser | None:
    """The user a code goes to; None when the user is unknown and the client hides that
    (Cognito then pretends to send a code, so the answer tells nobody who has an account).
    A client that does not hide it says so."""
    user = find_user(app_client.pool, username)
    if user is None and not app_client.prevents_user_existence_errors:
        raise rules.CognitoError(rules.USER_NOT_FOUND, rules.COMBINATION_NOT_FOUND)
    return user


def _user_of_access_token(access_token: Any) -> CognitoIdpUser | None:
    """The user an access token was issued to, if moto issued it."""
    if not isinstance(access_token, str):
        return None
    pool = find_pool_by_access_token(access_token)
    if pool is None:
        return None
    _, username = pool.access_tokens[access_token]
    return find_user(pool, username)


def _refresh_token_username(app_client: AppClient, token: str) -> str:
    """The username moto stored with a refresh token this client was given."""
    if token not in app_client.pool.refresh_tokens:
        raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.BAD_REFRESH)
    entry = app_client.pool.refresh_tokens[token]
    if entry is None:  # moto's mark for a token revoked by a global sign-out
        raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.REVOKED_REFRESH)
    client_id, username, _ = entry
    if client_id != app_client.id:  # moto would refresh another client's token
        raise rules.CognitoError(rules.NOT_AUTHORIZED, rules.BAD_REFRESH)
    return username


def _pool_of(params: dict[str, Any]) -> CognitoIdpUserPool | None:
    app_client = find_app_client(params.get("ClientId"))
    if app_client is not None:
        return app_client.pool
    return find_pool(params.get("UserPoolId")) or find_pool_by_access_token(params.get("AccessToken"))


def _client_id_of(params: dict[str, Any]) -> str | None:
    """The app client a call is made with: named, or (ChangePassword...) the one its
    access token was issued to."""
    if params.get("ClientId"):
        return str(params["ClientId"])
    token = params.get("AccessToken")
    if not isinstance(token, str):
        return None
    pool = find_pool_by_access_token(token)
    return pool.access_tokens[token][0] if pool is not None else None


def _call_record(action: str, params: dict[str, Any]) -> dict[str, Any]:
    """What a test may see of a call: who and how, never a password, hash, code or token."""
    auth = _dict(params.get("AuthParameters"))
    challenge = _dict(params.get("ChallengeResponses"))
    sent_hash = auth.get("SECRET_HASH") or challenge.get("SECRET_HASH") or params.get("SecretHash")
    return {
        "action": action,
        "client_id": _client_id_of(params),
        "username": auth.get("USERNAME") or challenge.get("USERNAME") or params.get("Username"),
        "secret_hash": "present" if sent_hash else "absent",
        "auth_flow": params.get("AuthFlow"),
        # The names, never the values, of what a sign-in step sent: shows, say, that an
        # SRP sign-in carried SRP_A and a claim and no PASSWORD.
        "parameter_names": sorted({*auth, *challenge}),
        # What Cognito's threat protection would judge the person by (not a secret).
        "ip_address": _dict(params.get("UserContextData")).get("IpAddress"),
        # Whether the device data of Cognito's advanced-security script came along; never its value.
        "encoded_data": "present" if _dict(params.get("UserContextData")).get("EncodedData") else "absent",
        "outcome": None,
    }


def _outcome(response: Response) -> str:
    if response.status_code < 400:
        return "ok"
    error = _error_of(response)
    return error[0] if error else f"HTTP {response.status_code}"


def _error_of(response: Response) -> tuple[str, str] | None:
    """(code, message) of an AWS JSON error response, None for anything else."""
    if response.status_code < 400:
        return None
    body = _json_object(response.get_data()) or {}
    code = body.get("__type") or response.headers.get("x-amzn-ErrorType", "")
    if not code:
        return None
    # Error types may come qualified ("aws.protocol#Code") or suffixed ("Code:http://...").
    code = code.split("#")[-1].split(":")[0]
    return code, str(body.get("message") or body.get("Message") or "")


def _string_values(value: Any, key: str = "") -> Iterable[tuple[str, str]]:
    """Every (key, string) pair in a JSON value, however deeply nested."""
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            yield from _string_values(inner, str(inner_key))
    elif isinstance(value, list):
        for item in value:
            yield from _string_values(item, key)
    elif isinstance(value, str) and value:
        yield key, value


def _is_plain_message(message: str, params: dict[str, Any]) -> bool:
    """True unless the message is empty, just echoes a parameter, or quotes a secret."""
    if not message.strip():
        return False
    for key, value in _string_values(params):
        if message == value:
            return False
        if any(part in key.lower() for part in SENSITIVE_KEY_PARTS) and value in message:
            return False
    return True


def _fallback_message(code: str, message: str, params: dict[str, Any]) -> str:
    """Cognito's text for an error whose moto text cannot be shown."""
    if code != rules.NOT_AUTHORIZED:
        return rules.FALLBACK_MESSAGES.get(code, "The request could not be completed.")
    # Moto says NotAuthorized with the token itself for a bad token, and with the username
    # for a wrong PreviousPassword; that is the only way to tell the two apart.
    if message and message == params.get("AccessToken"):
        return "Invalid Access Token"
    if "PreviousPassword" in params:
        return rules.INCORRECT_CREDENTIALS
    if "AccessToken" in params:
        return "Invalid Access Token"
    if params.get("AuthFlow") in rules.REFRESH_FLOWS:
        return rules.BAD_REFRESH
    if "Session" in params:
        return "Invalid session for the user."
    return rules.INCORRECT_CREDENTIALS


def _aws_json(payload: dict[str, Any]) -> Response:
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    return Response(json.dumps(payload), status=200, content_type=AWS_JSON, headers=headers)


def _error_response(error: rules.CognitoError) -> Response:
    # The shape botocore parses for the JSON protocol, and moto's own errors have.
    return Response(
        error.body(),
        status=error.status,
        content_type=AWS_JSON,
        headers={"x-amzn-ErrorType": error.code, "x-amzn-RequestId": str(uuid.uuid4())},
    )


def _plain_json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


# Serving --------------------------------------------------------------------------------


class _QuietRequestHandler(MotoRequestHandler):
    """Moto's request handler without werkzeug's line per request; errors still show."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def make_app(
    secret_hash_wording: str = "legacy",  # noqa: S107 - a choice of wording, not a secret
    *,
    stream: TextIO | None = None,
    serve_moto_api: bool = False,
) -> StrictCognitoMiddleware:
    """Moto's server app behind the strict middleware, ready for any WSGI server.

    Meant for the emulator's own process: it adjusts moto process-wide (see _moto_patches).
    `serve_moto_api` passes moto's own /moto-api/ through (it dumps every secret).
    """
    adjust_moto()
    return StrictCognitoMiddleware(
        DomainDispatcherApplication(create_backend_app),
        secret_hash_wording,
        stream=stream,
        serve_moto_api=serve_moto_api,
    )


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cognito_auth.testing", description="A strict local Cognito on top of moto."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: any free port)")
    parser.add_argument(
        "--secret-hash-wording",
        choices=sorted(rules.WRONG_HASH_WORDINGS),
        default="legacy",
        help="Cognito's older or newer text for a wrong SECRET_HASH",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --host (the emulator has no auth)"
    )
    parser.add_argument(
        "--serve-moto-api",
        action="store_true",
        help="also serve moto's own /moto-api/ (dashboard, state reset, and a data dump that holds "
        "every password and client secret); off by default, when it answers 404",
    )
    parser.add_argument(
        "--exit-when-stdin-closes",
        action="store_true",
        help="stop once stdin reaches its end: for a parent process that holds it open (see process.py)",
    )
    return parser


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _shut_down_at_end_of(fd: int, server: BaseWSGIServer) -> None:
    # A parent that dies, even by SIGKILL, closes its end of the pipe: the read returns
    # and the emulator stops instead of outliving the test run that started it.
    # os.read on the descriptor, not sys.stdin.buffer: this daemon thread may still be
    # blocked here when the interpreter exits (SIGTERM, Ctrl-C), and a thread holding the
    # buffered reader's lock then makes finalization abort ("Fatal Python error:
    # _enter_buffered_busy"). A raw read holds no Python lock.
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass  # an unreadable stdin is as good as a closed one
    server.shutdown()


def _exit_on_sigterm(signum: int, frame: object) -> NoReturn:
    # SystemExit unwinds serve_forever, so the socket is closed on the way out.
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Serve the emulator until interrupted; announce the address on stdout first."""
    parser = _argument_parser()
    args = parser.parse_args(argv)
    if not args.allow_remote and not _is_loopback(args.host):
        parser.error(f"refusing to listen on non-loopback host {args.host}; pass --allow-remote to do so")
    server = make_server(
        args.host,
        args.port,
        make_app(args.secret_hash_wording, serve_moto_api=args.serve_moto_api),
        threaded=True,
        request_handler=_QuietRequestHandler,
    )
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if args.exit_when_stdin_closes:
        watch = threading.Thread(target=_shut_down_at_end_of, args=(sys.stdin.fileno(), server), daemon=True)
        watch.start()
    # The one line a parent process waits for: the socket is bound and listening by now.
    print(f"{LISTENING_PREFIX} http://{_url_host(args.host)}:{server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
