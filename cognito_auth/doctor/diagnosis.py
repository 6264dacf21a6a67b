"""``diagnose()``: every check for one app client, from the probes' answers and, with AWS
credentials, Cognito's own settings (see the package's docstring for how it decides)."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from ..client import CognitoAdmin, secret_hash
from ..conf import app_settings
from ..exceptions import AccessDenied, CognitoError, InvalidCredentials, NoCredentials, UnknownClient
from ..models import SecretState
from . import aws
from .aws import AWS_CHECKS
from .probes import (
    ACCEPTED,
    FLOW_DISABLED,
    MISMATCH,
    MISSING,
    PASSWORD_FLOW,
    PLAN_LACKS_FLOW,
    REFRESH_FLOW,
    SRP_FLOW,
    UNDECIDED,
    UNEXPECTED,
    UNKNOWN_CLIENT,
    UNREACHABLE,
    USER_AUTH_FLOW,
    Prober,
    verdict_on,
)
from .results import OK, PROBLEM, SKIPPED, CheckResult, Report

if TYPE_CHECKING:
    from ..models import AppClient


def diagnose(app_client: AppClient, username: str | None = None) -> Report:
    """Run every check for ``app_client``; with ``username``, also say which username that
    person's SECRET_HASH must be made over, and the hash."""
    return Report(
        app_client=app_client.name,
        client_id=app_client.client_id,
        user_pool_id=app_client.user_pool_id,
        region=app_client.region,
        endpoint=endpoint_of(app_client),
        results=tuple(_Doctor(app_client).run(username)),
    )


def endpoint_of(app_client: AppClient) -> str:
    return app_client.endpoint_url or f"https://cognito-idp.{app_client.region}.amazonaws.com"


class _Doctor:
    """The checks for one app client; each probe is made once and its answer reused."""

    def __init__(self, app_client: AppClient) -> None:
        self.app_client = app_client
        self.prober = Prober(app_client)
        self.admin = CognitoAdmin(app_client.region, app_client.user_pool_id, app_client.endpoint_url)
        self.secret = app_client.readable_secret
        self.secret_unreadable = app_client.secret_state is SecretState.UNREADABLE
        self.previous = app_client.readable_previous_secret
        self.previous_unreadable = app_client.previous_secret_state is SecretState.UNREADABLE
        self.secret_verdict = UNDECIDED

    def run(self, username: str | None) -> list[CheckResult]:
        first = self.prober.answer(PASSWORD_FLOW, None if self.secret_unreadable else self.secret or None)
        verdict = verdict_on(first)
        if verdict == UNREACHABLE:
            skipped = _("Skipped: Cognito did not answer.")
            return [
                self._endpoint_problem(first),
                *(CheckResult(check, SKIPPED, skipped) for check in ("client", "secret", "previous_secret",
                                                                     "password_flow", "refresh_flow")),
                *self._username_checks(username, reachable=False),
                *(CheckResult(check, SKIPPED, skipped) for check in AWS_CHECKS),
            ]
        results = [self._endpoint_ok()]
        if verdict == UNKNOWN_CLIENT:
            skipped = _("Skipped: Cognito does not know this client id.")
            return [
                *results,
                self._unknown_client(first),
                *(CheckResult(check, SKIPPED, skipped) for check in ("secret", "previous_secret",
                                                                     "password_flow", "refresh_flow")),
                *self._username_checks(username, reachable=False),
                *(CheckResult(check, SKIPPED, skipped) for check in AWS_CHECKS),
            ]
        results.append(CheckResult("client", OK, _("Cognito knows client id %(client_id)s.")
                                   % {"client_id": self.app_client.client_id}))
        results += [
            self._secret_check(),
            self._previous_secret_check(),
            self._password_flow_check(),
            self._refresh_flow_check(),
            *self._username_checks(username, reachable=True),
            *self._aws_checks(),
        ]
        return results

    # Reachability and the client id ------------------------------------------------------

    def _timeouts(self) -> dict[str, Any]:
        return {
            "endpoint": endpoint_of(self.app_client),
            "connect": app_settings.CONNECT_TIMEOUT,
            "read": app_settings.READ_TIMEOUT,
            "attempts": app_settings.MAX_ATTEMPTS,
        }

    def _endpoint_ok(self) -> CheckResult:
        return CheckResult("endpoint", OK, _(
            "Cognito at %(endpoint)s answered within the time allowed "
            "(connect %(connect)s s, read %(read)s s, %(attempts)s attempts)."
        ) % self._timeouts())

    def _endpoint_problem(self, error: CognitoError | None) -> CheckResult:
        return CheckResult(
            "endpoint", PROBLEM,
            _("Cognito at %(endpoint)s did not answer within the time allowed (connect %(connect)s s, read "
              "%(read)s s, %(attempts)s attempts), or failed on its side: %(error)s.")
            % {**self._timeouts(), "error": _said(error)},
            _("Check this server's network path to %(endpoint)s (DNS, firewall, proxy, VPC endpoint) and "
              "the endpoint URL in the admin. If Cognito answers slowly (Lambda triggers), raise "
              "COGNITO_AUTH_READ_TIMEOUT.") % self._timeouts(),
        )

    def _unknown_client(self, error: CognitoError | None) -> CheckResult:
        return CheckResult(
            "client", PROBLEM,
            _("Cognito in region %(region)s has no app client %(client_id)s (%(error)s).")
            % {"region": self.app_client.region, "client_id": self.app_client.client_id, "error": _said(error)},
            _("Check the region and client id in the admin against Cognito (User pool > App integration > "
              "App clients); the app client may have been deleted."),
        )

    # The secrets --------------------------------------------------------------------------

    def _judge(self, secret: str | None) -> tuple[str, str, CognitoError | None]:
        """(verdict on ``secret``, the flow that decided it, Cognito's answer)."""
        for flow in (PASSWORD_FLOW, SRP_FLOW, USER_AUTH_FLOW):
            error = self.prober.answer(flow, secret)
            verdict = verdict_on(error)
            if verdict not in (FLOW_DISABLED, PLAN_LACKS_FLOW):
                return verdict, flow, error
        error = self.prober.answer(REFRESH_FLOW, secret)
        verdict = verdict_on(error)
        # A made-up refresh token settles a missing or unexpected hash only.
        return (verdict if verdict in (MISSING, MISMATCH, UNEXPECTED, UNREACHABLE) else UNDECIDED), REFRESH_FLOW, error

    def _secret_check(self) -> CheckResult:
        if self.secret_unreadable:
            return _unreadable("secret", _("The stored client secret"))
        verdict, flow, error = self._judge(self.secret or None)
        self.secret_verdict = verdict
        details = {"flow": flow}
        if verdict == ACCEPTED:
            message = (_("Cognito expects a SECRET_HASH and accepts the one made with the stored client secret.")
                       if self.secret else _("Cognito expects no SECRET_HASH, and no client secret is stored."))
            return CheckResult("secret", OK, message, details=details)
        if verdict == MISSING:
            return CheckResult(
                "secret", PROBLEM,
                _("Cognito's app client has a secret and expects a SECRET_HASH (\"configured with secret but "
                  "SECRET_HASH was not received\"), but no client secret is stored here."),
                _("Enter the client secret in the admin, or use Import from Cognito (Cognito console: App "
                  "integration > App clients > Show client secret)."),
                details,
            )
        if verdict == UNEXPECTED:
            return CheckResult(
                "secret", PROBLEM,
                _("A client secret is stored here, but Cognito's app client has none (\"not configured for "
                  "secret but secret hash was received\")."),
                _("Tick \"Remove the client secret\" on this app client in the admin."),
                details,
            )
        if verdict == MISMATCH:
            if self.previous and self._judge(self.previous)[0] == ACCEPTED:
                return CheckResult(
                    "secret", PROBLEM,
                    _("Cognito rejects the SECRET_HASH made with the current client secret and accepts the one "
                      "made with the previous secret: sign-ins work, each with a second call, until the "
                      "rotation is finished."),
                    _("If Cognito does not hold the current secret yet, add it to the app client "
                      "(AddUserPoolClientSecret with that value); if the previous secret is the new one, enter "
                      "it as the client secret. Then remove the previous secret here."),
                    details,
                )
            return CheckResult(
                "secret", PROBLEM,
                _("Cognito rejects the SECRET_HASH made with the stored client secret (\"Unable to verify "
                  "secret hash\"): it is not this app client's secret."),
                _("Copy the secret again from Cognito (App integration > App clients > Show client secret) or "
                  "use Import from Cognito, and check the client id is the one the secret belongs to."),
                details,
            )
        return CheckResult("secret", SKIPPED, self._undecided(flow, error), details=details)

    def _undecided(self, flow: str, error: CognitoError | None) -> str:
        if verdict_on(error) == FLOW_DISABLED:
            return _("No flow this check can use is enabled (USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH, "
                     "REFRESH_TOKEN_AUTH), so Cognito never judges a hash.")
        if flow == REFRESH_FLOW:
            return _("USER_PASSWORD_AUTH, USER_SRP_AUTH and USER_AUTH are not usable, and a refresh with a made-up "
                     "token cannot tell a wrong secret from a right one. Enable one of them and check again.")
        return _("Cognito's answer decides nothing about the secret: %(error)s.") % {"error": _said(error)}

    def _previous_secret_check(self) -> CheckResult:
        if self.previous_unreadable:
            return _unreadable("previous_secret", _("The stored previous client secret"))
        if not self.previous:
            return CheckResult("previous_secret", OK, _("No previous client secret is stored: no rotation is "
                                                        "under way."))
        verdict, flow, error = self._judge(self.previous)
        details = {"flow": flow}
        if verdict == ACCEPTED and self.secret_verdict == ACCEPTED:
            return CheckResult(
                "previous_secret", OK,
                _("Cognito accepts both the current and the previous client secret: it holds both. To finish "
                  "the rotation, delete the old one in Cognito (DeleteUserPoolClientSecret), then remove the "
                  "previous secret here."),
                details=details,
            )
        if verdict == ACCEPTED:
            return CheckResult("previous_secret", OK, _("Cognito accepts the previous client secret."),
                               details=details)
        if verdict == MISMATCH and self.secret_verdict == ACCEPTED:
            return CheckResult(
                "previous_secret", OK,
                _("Cognito no longer accepts the previous client secret, and it is not needed: remove it here "
                  "to finish the rotation."),
                details=details,
            )
        if verdict == MISMATCH:
            return CheckResult(
                "previous_secret", PROBLEM,
                _("Cognito rejects the previous client secret too."),
                _("Enter the app client's secret from Cognito as the client secret (or use Import from "
                  "Cognito) and remove the previous secret."),
                details,
            )
        return CheckResult("previous_secret", SKIPPED, self._undecided(flow, error), details=details)

    # Flows ---------------------------------------------------------------------------------

    def _password_flow_check(self) -> CheckResult:
        """The flow this app client signs in with (``AppClient.auth_flow``); for
        USER_SRP_AUTH its first step, which proves nothing and signs nobody in; for
        USER_AUTH a made-up name with no preference, which sends no code."""
        if self.app_client.auth_flow == USER_AUTH_FLOW:
            return self._user_auth_check()
        if self.app_client.auth_flow == SRP_FLOW:
            return self._flow_check(
                "password_flow", SRP_FLOW, "USER_SRP_AUTH",
                _("USER_SRP_AUTH, which sign-in here uses (this app client's sign-in flow), is not enabled for "
                  "this app client (\"flow not enabled for this client\"): every sign-in fails."),
                _("USER_SRP_AUTH, which sign-in here uses (this app client's sign-in flow), is enabled: sign-in "
                  "proves the password without sending it, in two calls."),
                other_fix=_("Or set this app client's sign-in flow to USER_PASSWORD_AUTH in the admin, if Cognito "
                            "allows it."),
            )
        return self._flow_check(
            "password_flow", PASSWORD_FLOW, "USER_PASSWORD_AUTH",
            _("USER_PASSWORD_AUTH, which sign-in here uses, is not enabled for this app client (\"flow not "
              "enabled for this client\"): every sign-in fails."),
            _("USER_PASSWORD_AUTH, which sign-in here uses, is enabled."),
            other_fix=_("Or set this app client's sign-in flow to USER_SRP_AUTH in the admin, if Cognito allows it."),
        )

    def _user_auth_check(self) -> CheckResult:
        """USER_AUTH: refused when the app client lacks ALLOW_USER_AUTH, or when the pool's
        feature plan (Lite) lacks choice-based sign-in (FeatureUnavailableInTierException)."""
        verdicts = {verdict_on(self.prober.answer(USER_AUTH_FLOW, secret)) for secret in self._usable_secrets()}
        if PLAN_LACKS_FLOW in verdicts:
            return CheckResult(
                "password_flow", PROBLEM,
                _("Choice-based sign-in (USER_AUTH), which sign-in here uses (this app client's sign-in flow), "
                  "is not in the user pool's feature plan (FeatureUnavailableInTierException): every sign-in "
                  "fails."),
                _("Move the user pool to the Essentials or Plus plan (User pool > Settings > Feature plan) and "
                  "allow the sign-in methods offered here as first factors (Authentication > Sign-in > "
                  "Choice-based sign-in options). Or set this app client's sign-in flow to USER_PASSWORD_AUTH "
                  "or USER_SRP_AUTH in the admin."),
                {"flow": USER_AUTH_FLOW},
            )
        if FLOW_DISABLED in verdicts:
            return CheckResult(
                "password_flow", PROBLEM,
                _("USER_AUTH (choice-based sign-in), which sign-in here uses (this app client's sign-in flow), is "
                  "not enabled for this app client (\"flow not enabled for this client\"): every sign-in fails."),
                _("Turn on ALLOW_USER_AUTH (choice-based sign-in) in Cognito (App client > Edit > Authentication "
                  "flows). Or set this app client's sign-in flow to USER_PASSWORD_AUTH or USER_SRP_AUTH in the "
                  "admin, if Cognito allows it."),
                {"flow": USER_AUTH_FLOW},
            )
        if ACCEPTED in verdicts:
            return CheckResult(
                "password_flow", OK,
                _("USER_AUTH (choice-based sign-in), which sign-in here uses, is enabled and in the user pool's "
                  "plan; the login page offers %(methods)s.")
                % {"methods": ", ".join(self.app_client.offered_sign_in_methods)},
                details={"flow": USER_AUTH_FLOW},
            )
        undecided = _("Cognito refused the SECRET_HASH before saying whether %(flow)s is enabled; fix the "
                      "secret and check again.")
        return CheckResult("password_flow", SKIPPED, undecided % {"flow": USER_AUTH_FLOW},
                           details={"flow": USER_AUTH_FLOW})

    def _refresh_flow_check(self) -> CheckResult:
        # A made-up token is refused as invalid only once the flow was allowed.
        return self._flow_check(
            "refresh_flow", REFRESH_FLOW, "REFRESH_TOKEN_AUTH",
            _("REFRESH_TOKEN_AUTH is not enabled for this app client: an expired access token cannot be "
              "renewed, so changing a password asks people to sign in again."),
            _("REFRESH_TOKEN_AUTH, which renews access tokens, is enabled."),
        )

    def _flow_check(
        self, check: str, flow: str, flow_name: str, disabled: str, enabled: str, *, other_fix: str = "",
    ) -> CheckResult:
        """Probe ``flow`` with every usable secret: "flow not enabled" is a problem, reaching
        the user lookup proves it enabled, a refused hash leaves it undecided."""
        verdicts = {verdict_on(self.prober.answer(flow, secret)) for secret in self._usable_secrets()}
        if FLOW_DISABLED in verdicts:
            fix = _("Turn on ALLOW_%(flow)s in Cognito (App client > Edit > Authentication flows).")
            fix = fix % {"flow": flow_name}
            return CheckResult(check, PROBLEM, disabled, f"{fix} {other_fix}".strip(), {"flow": flow})
        if ACCEPTED in verdicts:
            return CheckResult(check, OK, enabled, details={"flow": flow})
        undecided = _("Cognito refused the SECRET_HASH before saying whether %(flow)s is enabled; fix the "
                      "secret and check again.")
        return CheckResult(check, SKIPPED, undecided % {"flow": flow_name}, details={"flow": flow})

    def _usable_secrets(self) -> list[str | None]:
        """The secrets worth probing a flow with: the current one (None: no hash), the
        previous one, and no hash at all where Cognito said the client has no secret."""
        if self.secret_unreadable:
            return [None]
        usable: list[str | None] = [self.secret or None, *([self.previous] if self.previous else [])]
        if self.secret_verdict == UNEXPECTED:
            usable.append(None)
        return usable

    # One person's hash ----------------------------------------------------------------------

    def _username_checks(self, username: str | None, *, reachable: bool) -> list[CheckResult]:
        if username is None:
            return []
        if self.secret_unreadable:
            skipped = _("Skipped: the stored client secret cannot be decrypted.")
            return [CheckResult("username_sign_in_hash", SKIPPED, skipped),
                    CheckResult("username_internal_hash", SKIPPED, skipped)]
        if not self.secret:
            no_hash = _("No client secret is stored: no call carries a SECRET_HASH.")
            return [CheckResult("username_sign_in_hash", OK, no_hash),
                    CheckResult("username_internal_hash", OK, no_hash)]
        typed_hash = secret_hash(username, self.app_client.client_id, self.secret)
        results = [CheckResult(
            "username_sign_in_hash", OK,
            _("InitiateAuth (sign-in's first call, %(flow)s on this app client), password reset and sign-up "
              "hash the name exactly as the person types it, %(username)r: SECRET_HASH %(hash)s")
            % {"flow": self.app_client.auth_flow, "username": username, "hash": typed_hash},
            details={"username": username, "secret_hash": typed_hash, "steps": "InitiateAuth"},
        )]
        if not reachable:
            return [*results, CheckResult("username_internal_hash", SKIPPED, _("Skipped: Cognito did not answer."))]
        return [*results, self._internal_hash(username)]

    def _internal_hash(self, username: str) -> CheckResult:
        try:
            internal = self.admin.internal_username(username)
        except NoCredentials:
            return CheckResult(
                "username_internal_hash", SKIPPED,
                _("The internal username can be looked up only with AWS credentials (AdminGetUser), and there "
                  "are none. PASSWORD_VERIFIER, every other challenge answer and token refreshes hash it, never "
                  "the name typed. It is the challenges' USER_ID_FOR_SRP and the cognito:username claim of the "
                  "person's tokens: the sub in pools where people sign in with an email address or phone "
                  "number."),
            )
        except InvalidCredentials:  # UserNotFoundException
            return CheckResult(
                "username_internal_hash", PROBLEM,
                _("User pool %(pool)s has no user %(username)r.")
                % {"pool": self.app_client.user_pool_id, "username": username},
                _("Check the spelling; in a case-sensitive pool, the case too."),
            )
        except CognitoError as error:
            return CheckResult("username_internal_hash", SKIPPED,
                               _("AdminGetUser failed: %(error)s.") % {"error": _said(error)})
        internal_hash = secret_hash(internal, self.app_client.client_id, self.secret)
        return CheckResult(
            "username_internal_hash", OK,
            _("Every later call hashes the internal username, %(internal)r, the name Cognito's challenges carry "
              "as USER_ID_FOR_SRP, never the name typed: USER_SRP_AUTH's PASSWORD_VERIFIER answer, every "
              "other challenge answer (RespondToAuthChallenge: new password, MFA codes, MFA set-up) and token "
              "refreshes (REFRESH_TOKEN_AUTH): SECRET_HASH %(hash)s") % {"internal": internal, "hash": internal_hash},
            details={
                "username": internal, "secret_hash": internal_hash,
                "steps": "PASSWORD_VERIFIER, RespondToAuthChallenge, REFRESH_TOKEN_AUTH",
            },
        )

    # With AWS credentials ---------------------------------------------------------------------

    def _aws_checks(self) -> list[CheckResult]:
        try:
            described = self.admin.describe_user_pool_client(self.app_client.client_id)
        except NoCredentials:
            return _all_aws_skipped(
                _("No AWS credentials (boto3's default chain: environment, shared files, instance or task "
                  "role), so Cognito's own settings for this app client were not read."),
                _("Optional: give this server credentials allowed cognito-idp:DescribeUserPoolClient, "
                  "DescribeUserPool and AdminGetUser on the pool."),
            )
        except AccessDenied as error:
            return _all_aws_skipped(
                _("AWS refused DescribeUserPoolClient: %(error)s.") % {"error": _said(error)},
                _("Allow cognito-idp:DescribeUserPoolClient, DescribeUserPool and AdminGetUser on the pool."),
            )
        except UnknownClient as error:
            return [
                CheckResult(
                    "aws_client", PROBLEM,
                    _("User pool %(pool)s has no app client %(client_id)s (%(error)s).")
                    % {"pool": self.app_client.user_pool_id, "client_id": self.app_client.client_id,
                       "error": _said(error)},
                    _("Check the user pool id in the admin: it must be the pool the app client belongs to, or "
                      "every sign-in is refused (the ID token's issuer is another pool)."),
                ),
                *(CheckResult(check, SKIPPED, _("Skipped: see aws_client.")) for check in AWS_CHECKS[1:]),
            ]
        except CognitoError as error:
            return _all_aws_skipped(_("DescribeUserPoolClient failed: %(error)s.") % {"error": _said(error)})
        results = [
            CheckResult("aws_client", OK, _("User pool %(pool)s holds app client %(client_id)s (%(name)s).")
                        % {"pool": self.app_client.user_pool_id, "client_id": self.app_client.client_id,
                           "name": described.get("ClientName", "")}),
            self._aws_secret(described.get("ClientSecret") or ""),
            aws.auth_flows(described, self.app_client.auth_flow),
            aws.token_validity(described),
            aws.user_existence_errors(described),
            aws.read_attributes(described),
        ]
        try:
            pool = self.admin.describe_user_pool()
        except CognitoError as error:
            return [*results, CheckResult("aws_username_attributes", SKIPPED,
                                          _("DescribeUserPool failed: %(error)s.") % {"error": _said(error)})]
        return [*results, aws.username_attributes(pool)]

    def _aws_secret(self, cognito_secret: str) -> CheckResult:
        if self.secret_unreadable:
            return CheckResult("aws_secret", SKIPPED, _("Skipped: the stored client secret cannot be decrypted."))
        import_fix = _("Use Import from Cognito, which stores Cognito's secret.")
        if not cognito_secret:
            if self.secret:
                return CheckResult("aws_secret", PROBLEM, _("Cognito's app client has no secret, but one is "
                                                            "stored here."),
                                   _("Tick \"Remove the client secret\" on this app client in the admin."))
            return CheckResult("aws_secret", OK, _("Cognito's app client has no secret, and none is stored here."))
        if not self.secret:
            return CheckResult("aws_secret", PROBLEM, _("Cognito's app client has a secret, and none is stored "
                                                        "here."), import_fix)
        if _same(cognito_secret, self.secret):
            return CheckResult("aws_secret", OK, _("The stored client secret is the one Cognito shows "
                                                   "(DescribeUserPoolClient)."))
        if self.secret_verdict == ACCEPTED:
            # DescribeUserPoolClient shows one secret even while the client holds two.
            return CheckResult("aws_secret", OK, _(
                "Cognito shows another secret than the stored one (DescribeUserPoolClient shows one of two "
                "during a rotation), and it accepts the stored one."))
        if self.previous and _same(cognito_secret, self.previous):
            return CheckResult("aws_secret", PROBLEM, _("The secret Cognito shows is the previous one stored "
                                                        "here, not the current one."),
                               _("Enter it as the client secret (or use Import from Cognito)."))
        return CheckResult("aws_secret", PROBLEM, _("The stored client secret is not the one Cognito shows "
                                                    "(DescribeUserPoolClient)."), import_fix)


def _said(error: CognitoError | None) -> str:
    """Cognito's answer, ready to end a sentence of ours."""
    return str(error).rstrip(".")


def _same(first: str, second: str) -> bool:
    return hmac.compare_digest(first.encode(), second.encode())


def _unreadable(check: str, what: str) -> CheckResult:
    return CheckResult(
        check, PROBLEM,
        _("%(what)s cannot be decrypted with SECRET_KEY or any of SECRET_KEY_FALLBACKS.") % {"what": what},
        _("Add the SECRET_KEY it was saved under to SECRET_KEY_FALLBACKS, or enter the secret again (or use "
          "Import from Cognito)."),
    )


def _all_aws_skipped(message: str, fix: str = "") -> list[CheckResult]:
    first, *rest = AWS_CHECKS
    return [CheckResult(first, SKIPPED, message, fix),
            *(CheckResult(check, SKIPPED, _("Skipped: see aws_client.")) for check in rest)]
