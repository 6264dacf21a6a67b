"""Run the strict local Cognito in a child process, and talk to it.

`EmulatorProcess` starts ``python -m cognito_auth.testing`` on a free loopback port and
learns the port from the one line the emulator prints once it listens, so nothing here
waits or polls. `EmulatorClient` (which `EmulatorProcess` is) has the helpers that tests
and the demo use: an admin boto3 client, the control endpoints, and one-line set-up of
pools, app clients and users.

This module imports neither moto nor the emulator: only the child process needs them.
pyotp (the testing extra) computes TOTP codes for the helpers that set up authenticators.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TextIO

import boto3
import pyotp
from botocore import UNSIGNED
from botocore.config import Config

# Printed by emulator.main once the socket listens; kept in step with LISTENING_PREFIX there.
LISTENING_PREFIX = "COGNITO EMULATOR LISTENING "
# Moto accepts any credentials, but admin APIs must be signed with some.
DUMMY_CREDENTIAL = "testing"
DEFAULT_APP_CLIENT_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
CONTROL_TIMEOUT = 10.0
# Seconds the emulator may take to shut down once its stdin closes (its server checks for
# shutdown every half second), then again after SIGTERM, before it is killed.
STOP_TIMEOUT = 10.0
OUTPUT_TAIL_LINES = 200
# What SetUserPoolMfaConfig needs for each factor; the emulator sends nothing anywhere.
SMS_MFA_CONFIGURATION = {
    "SmsAuthenticationMessage": "Your sign-in code is {####}",
    "SmsConfiguration": {
        "SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-emulator-sms",
        "ExternalId": "emulator",
    },
}
EMAIL_MFA_CONFIGURATION = {"Message": "Your sign-in code is {####}", "Subject": "Your sign-in code"}

# The emulator is on loopback: never send its requests through an HTTP(S)_PROXY.
_DIRECT_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorClient:
    """Helpers for an emulator that is already running at `endpoint_url`."""

    def __init__(self, endpoint_url: str, region: str = "us-east-1") -> None:
        self._endpoint_url = endpoint_url
        self.region = region
        self._admin_client: Any = None

    @property
    def endpoint_url(self) -> str:
        return self._endpoint_url

    def boto3_admin_client(self) -> Any:
        """A signed cognito-idp client (dummy credentials) for the admin APIs."""
        if self._admin_client is None:
            self._admin_client = boto3.client(
                "cognito-idp",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=DUMMY_CREDENTIAL,
                aws_secret_access_key=DUMMY_CREDENTIAL,
                config=Config(proxies={}),
            )
        return self._admin_client

    # Control endpoints ------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._control("GET", "health")

    def calls(self) -> list[dict[str, Any]]:
        """Every Cognito call so far: action, client_id, username, secret_hash, auth_flow,
        parameter_names (the sorted names, never the values, of AuthParameters and
        ChallengeResponses), ip_address (UserContextData's IpAddress, or None), encoded_data ("present" or "absent":
        UserContextData's EncodedData, never its value), outcome."""
        return self._control("GET", "calls")

    def outbox(self) -> list[dict[str, Any]]:
        """Every code "sent" so far, oldest first."""
        return self._control("GET", "outbox")

    def reset_log(self) -> None:
        """Forget recorded calls and the outbox; pools, users and open codes stay."""
        self._control("POST", "reset-log")

    def latest_code(self, username: str, kind: str = "forgot_password", *, pool_id: str | None = None) -> str:
        """The newest code of `kind` ("forgot_password" or "sign_up") sent to `username`.

        `username` is the internal username (the sub in a pool that signs in by email).
        """
        for message in reversed(self.outbox()):
            if message["kind"] == kind and message["username"] == username:
                if pool_id is None or message["pool_id"] == pool_id:
                    return message["code"]
        raise LookupError(f"no {kind} code for {username!r} in the emulator's outbox")

    def expire_sessions(self, *, pool_id: str = "", client_id: str = "") -> int:
        """Expire the open sign-in sessions (challenge Sessions) of a pool or app client
        (every one, with neither), as if their AuthSessionValidity had passed: their next
        answer gets NotAuthorizedException. Returns how many were expired."""
        return self._control("POST", "expire-sessions", {"pool_id": pool_id, "client_id": client_id})["expired"]

    def fail_next(self, action: str, client_id: str, code: str, message: str, times: int = 1) -> None:
        """Make the next `times` `action` calls (e.g. "ForgotPassword") of app client
        `client_id` fail with this Cognito error, such as LimitExceededException: what a
        real pool answers under load. botocore retries throttling errors, so a client with
        retries needs `times` > 1."""
        body = {"action": action, "client_id": client_id, "code": code, "message": message}
        for _ in range(times):
            self._control("POST", "fail-next", body)

    def answer_late(self, action: str, client_id: str) -> None:
        """Make the emulator do the work of the next `action` call of app client
        `client_id` and record it, then hold the answer until `release_late()`: a slow
        Lambda trigger outlasting the caller's read timeout. The caller sees a timeout
        although the change happened."""
        self._control("POST", "answer-late", {"action": action, "client_id": client_id})

    def release_late(self) -> None:
        """Let every answer held by `answer_late` go."""
        self._control("POST", "release-late")

    def set_answer_time(self, seconds: float) -> None:
        """Hold every Cognito answer `seconds` (0 to 5) after its work: the network round
        trip and service time of a real Cognito, for benchmarks. 0 turns it off.

        :raises ValueError: the emulator refused the value (out of range, not a number).
        """
        self._control("POST", "answer-time", {"seconds": seconds})

    def _control(self, method: str, endpoint: str, body: Any = None) -> Any:
        """The endpoint's JSON answer.

        :raises ValueError: the emulator refused the request (400), with its reason.
        """
        url = f"{self.endpoint_url}/_emulator/{endpoint}"
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an emulator URL: {url}")
        # The scheme is checked just above: no file: or custom-scheme URLs get opened.
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(  # noqa: S310
            url, method=method, data=data if method == "POST" else None
        )
        try:
            with _DIRECT_OPENER.open(request, timeout=CONTROL_TIMEOUT) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                if error.code != 400:
                    raise
                reason = json.load(error).get("error") or "refused"
            raise ValueError(reason) from None

    # Set-up -------------------------------------------------------------------------------

    def create_user_pool(
        self,
        name: str,
        *,
        alias_attributes: Sequence[str] = (),
        username_attributes: Sequence[str] = (),
        case_sensitive: bool | None = None,
        **kwargs: Any,
    ) -> str:
        """Create a pool and return its id.

        The sign-in options, as CreateUserPool takes them: `alias_attributes` (any of
        "email", "phone_number", "preferred_username": the user also signs in with a
        verified email or phone, or a preferred_username), or `username_attributes`
        ("email" and/or "phone_number" sign in instead of a username; the internal
        username is then the sub), not both; `case_sensitive=False` makes usernames and
        aliases match in any letter case (None leaves UsernameConfiguration unset, which
        Cognito treats as case-sensitive). Any other CreateUserPool parameter goes in kwargs.
        """
        if alias_attributes:
            kwargs["AliasAttributes"] = list(alias_attributes)
        if username_attributes:
            kwargs["UsernameAttributes"] = list(username_attributes)
        if case_sensitive is not None:
            kwargs["UsernameConfiguration"] = {"CaseSensitive": case_sensitive}
        return self.boto3_admin_client().create_user_pool(PoolName=name, **kwargs)["UserPool"]["Id"]

    def create_app_client(
        self,
        pool_id: str,
        name: str,
        secret: bool,
        flows: Sequence[str] | None = DEFAULT_APP_CLIENT_FLOWS,
        prevent_user_existence_errors: str | None = "ENABLED",
    ) -> tuple[str, str]:
        """Create an app client; return (client id, client secret or "").

        `flows=None` sets no ExplicitAuthFlows (so Cognito's defaults apply), and
        `prevent_user_existence_errors=None` leaves that unset (LEGACY).
        """
        options: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": name, "GenerateSecret": secret}
        if flows is not None:
            options["ExplicitAuthFlows"] = list(flows)
        if prevent_user_existence_errors is not None:
            options["PreventUserExistenceErrors"] = prevent_user_existence_errors
        client = self.boto3_admin_client().create_user_pool_client(**options)["UserPoolClient"]
        return client["ClientId"], client.get("ClientSecret", "")

    def add_client_secret(self, pool_id: str, client_id: str, secret: str | None = None) -> tuple[str, str]:
        """AddUserPoolClientSecret: give the app client a second secret, as a rotation does.

        `secret` chooses its value (24 to 64 of letters, digits, "_", "+"); by default the
        emulator makes one. Returns (secret id, secret value).
        """
        options = {"ClientSecret": secret} if secret is not None else {}
        added = self.boto3_admin_client().add_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client_id, **options
        )["ClientSecretDescriptor"]
        return added["ClientSecretId"], added.get("ClientSecretValue", secret or "")

    def client_secret_ids(self, pool_id: str, client_id: str) -> list[str]:
        """ListUserPoolClientSecrets: the ids of the client's secrets, oldest first."""
        listed = self.boto3_admin_client().list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
        return [secret["ClientSecretId"] for secret in listed["ClientSecrets"]]

    def delete_client_secret(self, pool_id: str, client_id: str, secret_id: str) -> None:
        """DeleteUserPoolClientSecret: Cognito stops accepting hashes made with that secret."""
        self.boto3_admin_client().delete_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client_id, ClientSecretId=secret_id
        )

    def create_user(
        self,
        pool_id: str,
        username: str,
        password: str,
        attributes: Mapping[str, str] | None = None,
        enabled: bool = True,
    ) -> str:
        """Create a CONFIRMED user with a permanent password; return the internal username.

        Like a user an administrator set up with known contact details, an email or phone
        number is marked verified unless `attributes` says otherwise (password recovery
        needs a verified one).
        """
        admin = self.boto3_admin_client()
        given = dict(attributes or {})
        created = admin.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": name, "Value": value} for name, value in given.items()],
        )["User"]
        internal_username = created["Username"]
        admin.admin_set_user_password(UserPoolId=pool_id, Username=internal_username, Password=password, Permanent=True)
        present = {attribute["Name"] for attribute in created.get("Attributes", [])}
        verified = [
            {"Name": f"{name}_verified", "Value": "true"}
            for name in ("email", "phone_number")
            if name in present and f"{name}_verified" not in given
        ]
        if verified:
            admin.admin_update_user_attributes(UserPoolId=pool_id, Username=internal_username, UserAttributes=verified)
        if not enabled:
            admin.admin_disable_user(UserPoolId=pool_id, Username=internal_username)
        return internal_username


    # Groups ---------------------------------------------------------------------------------

    def set_user_groups(self, pool_id: str, username: str, groups: Sequence[str]) -> None:
        """Make the user a member of exactly `groups` (CreateGroup for each one missing,
        AdminAddUserToGroup / AdminRemoveUserFromGroup): tokens issued from now on list
        them in ``cognito:groups``, as Cognito's ID and access tokens do."""
        admin = self.boto3_admin_client()
        existing = {group["GroupName"] for group in admin.list_groups(UserPoolId=pool_id)["Groups"]}
        for group in groups:
            if group not in existing:
                admin.create_group(UserPoolId=pool_id, GroupName=group)
        current = {
            group["GroupName"]
            for group in admin.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
        }
        for group in current - set(groups):
            admin.admin_remove_user_from_group(UserPoolId=pool_id, Username=username, GroupName=group)
        for group in groups:
            if group not in current:
                admin.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)

    # Sign-in steps: invited users, MFA ----------------------------------------------------

    def create_invited_user(
        self, pool_id: str, username: str, temporary_password: str, attributes: Mapping[str, str] | None = None
    ) -> str:
        """A user as an administrator invites one (AdminCreateUser with a TemporaryPassword,
        FORCE_CHANGE_PASSWORD): their first sign-in gets NEW_PASSWORD_REQUIRED. An email or
        phone number given is marked verified unless `attributes` says otherwise. Returns
        the internal username."""
        given = dict(attributes or {})
        for name in ("email", "phone_number"):
            if name in given:
                given.setdefault(f"{name}_verified", "true")
        created = self.boto3_admin_client().admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            TemporaryPassword=temporary_password,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": name, "Value": value} for name, value in given.items()],
        )["User"]
        return created["Username"]

    def mfa_config(self, pool_id: str) -> dict[str, Any]:
        """GetUserPoolMfaConfig, without the response metadata."""
        config = self.boto3_admin_client().get_user_pool_mfa_config(UserPoolId=pool_id)
        config.pop("ResponseMetadata", None)
        return config

    def set_mfa_config(
        self, pool_id: str, mfa_configuration: str, *, sms: bool = False, totp: bool = False, email: bool = False
    ) -> None:
        """SetUserPoolMfaConfig: MFA "OFF", "ON" (required) or "OPTIONAL", with SMS, TOTP
        and/or email codes as the factors a user may have."""
        options: dict[str, Any] = {"UserPoolId": pool_id, "MfaConfiguration": mfa_configuration}
        if sms:
            options["SmsMfaConfiguration"] = SMS_MFA_CONFIGURATION
        options["SoftwareTokenMfaConfiguration"] = {"Enabled": totp}
        if email:
            options["EmailMfaConfiguration"] = EMAIL_MFA_CONFIGURATION
        self.boto3_admin_client().set_user_pool_mfa_config(**options)

    def enable_passkeys(self, pool_id: str, relying_party_id: str | None = "localhost", **webauthn: str) -> None:
        """Let the pool's users register and sign in with passkeys, as an operator would:
        WEB_AUTHN among the pool's AllowedFirstAuthFactors (UpdateUserPool, keeping the
        other factors) and the relying party ID in its WebAuthnConfiguration
        (SetUserPoolMfaConfig, with any other field such as UserVerification="required").
        `relying_party_id=None` leaves it unset, so the pool's domain serves, if it has one.

        "localhost" suits a site on http://localhost:<port>: browsers refuse an IP address
        (127.0.0.1) as a relying party ID.
        """
        admin = self.boto3_admin_client()
        policies = admin.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Policies") or {}
        sign_in = policies.get("SignInPolicy") or {}
        factors = list(sign_in.get("AllowedFirstAuthFactors") or ["PASSWORD"])
        if "WEB_AUTHN" not in factors:
            factors.append("WEB_AUTHN")
        policies["SignInPolicy"] = {**sign_in, "AllowedFirstAuthFactors": factors}
        admin.update_user_pool(UserPoolId=pool_id, Policies=policies)
        config = dict(webauthn)
        if relying_party_id is not None:
            config["RelyingPartyId"] = relying_party_id
        admin.set_user_pool_mfa_config(UserPoolId=pool_id, WebAuthnConfiguration=config)

    def allow_mfa(self, pool_id: str, *, sms: bool = False, totp: bool = False, email: bool = False) -> None:
        """Add factors to the pool's MFA configuration, keeping those it has; MFA that is
        OFF becomes OPTIONAL (only users with a factor on are asked for a code)."""
        config = self.mfa_config(pool_id)
        mode = config.get("MfaConfiguration", "OFF")
        self.set_mfa_config(
            pool_id,
            "OPTIONAL" if mode == "OFF" else mode,
            sms=sms or bool(config.get("SmsMfaConfiguration")),
            totp=totp or (config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled") is True,
            email=email or bool(config.get("EmailMfaConfiguration")),
        )

    def set_user_mfa(
        self,
        pool_id: str,
        username: str,
        *,
        sms: bool | None = None,
        totp: bool | None = None,
        email: bool | None = None,
        preferred: str | None = None,
    ) -> None:
        """AdminSetUserMFAPreference: turn factors on (True) or off (False), None leaves one
        as it is; `preferred` is "SMS_MFA", "SOFTWARE_TOKEN_MFA" or "EMAIL_OTP"."""
        options: dict[str, Any] = {"UserPoolId": pool_id, "Username": username}
        for key, enabled, mfa_type in (
            ("SMSMfaSettings", sms, "SMS_MFA"),
            ("SoftwareTokenMfaSettings", totp, "SOFTWARE_TOKEN_MFA"),
            ("EmailMfaSettings", email, "EMAIL_OTP"),
        ):
            if enabled is not None or preferred == mfa_type:
                options[key] = {"Enabled": enabled is not False, "PreferredMfa": preferred == mfa_type}
        self.boto3_admin_client().admin_set_user_mfa_preference(**options)

    def register_totp(self, client_id: str, client_secret: str, username: str, password: str) -> str:
        """Give a user a TOTP authenticator the way an app does, and return its secret
        (base32, for pyotp.TOTP(secret).now()).

        Signs in with USER_PASSWORD_AUTH; then AssociateSoftwareToken and
        VerifySoftwareToken, by the MFA_SETUP challenge's session in a pool that requires
        MFA, else by the access token followed by AdminSetUserMFAPreference (TOTP on and
        preferred). The app client needs ALLOW_USER_PASSWORD_AUTH.
        """
        public = self.boto3_public_client()
        signed_in = public.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters=_with_hash({"USERNAME": username, "PASSWORD": password}, client_id, client_secret, username),
        )
        if signed_in.get("ChallengeName") == "MFA_SETUP":
            internal = signed_in["ChallengeParameters"]["USER_ID_FOR_SRP"]
            associated = public.associate_software_token(Session=signed_in["Session"])
            secret = associated["SecretCode"]
            verified = public.verify_software_token(Session=associated["Session"], UserCode=pyotp.TOTP(secret).now())
            public.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="MFA_SETUP",
                Session=verified["Session"],
                ChallengeResponses=_with_hash({"USERNAME": internal}, client_id, client_secret, internal),
            )
            return secret
        if "AuthenticationResult" not in signed_in:
            raise RuntimeError(f"cannot register TOTP: sign-in answered {signed_in.get('ChallengeName')}")
        access_token = signed_in["AuthenticationResult"]["AccessToken"]
        secret = public.associate_software_token(AccessToken=access_token)["SecretCode"]
        public.verify_software_token(AccessToken=access_token, UserCode=pyotp.TOTP(secret).now())
        public.set_user_mfa_preference(
            AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        return secret

    def boto3_public_client(self) -> Any:
        """An unsigned cognito-idp client, as an app makes for the user-facing calls."""
        return boto3.client(
            "cognito-idp",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=Config(signature_version=UNSIGNED, proxies={}),
        )


def _with_hash(parameters: dict[str, str], client_id: str, client_secret: str, username: str) -> dict[str, str]:
    """`parameters` with SECRET_HASH over `username` when the client has a secret."""
    if not client_secret:
        return parameters
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return {**parameters, "SECRET_HASH": base64.b64encode(digest).decode()}


class EmulatorProcess(EmulatorClient):
    """The emulator in a child process; a context manager that starts and stops it.

    `echo`, if given, receives everything the emulator prints (the demo passes
    sys.stdout so that reset codes show on its console). `serve_moto_api` passes
    moto's own /moto-api/ through (--serve-moto-api); it dumps every password and secret.
    """

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        secret_hash_wording: str = "legacy",  # noqa: S107 - a choice of wording, not a secret
        echo: TextIO | None = None,
        startup_timeout: float = 30.0,
        serve_moto_api: bool = False,
    ) -> None:
        super().__init__("", region)
        self.secret_hash_wording = secret_hash_wording
        self.serve_moto_api = serve_moto_api
        self.startup_timeout = startup_timeout
        self._echo = echo
        self._process: subprocess.Popen[str] | None = None
        self._returncode: int | None = None
        self._reader: threading.Thread | None = None
        self._listening = threading.Event()
        self._output: collections.deque[str] = collections.deque(maxlen=OUTPUT_TAIL_LINES)
        self._output_added = threading.Condition()

    @property
    def endpoint_url(self) -> str:
        if not self._endpoint_url:
            raise RuntimeError("the Cognito emulator is not running; start() it first")
        return self._endpoint_url

    @property
    def output_tail(self) -> str:
        """The last lines the emulator printed, for diagnosing a failure."""
        with self._output_added:
            return "".join(self._output)

    @property
    def returncode(self) -> int | None:
        """How the last run ended, once stop() has waited for it (0: a clean exit); None
        before the first stop and while the emulator runs."""
        return self._returncode

    @property
    def pid(self) -> int | None:
        """The emulator's process id while it runs (benchmarks read its CPU time), else None."""
        return self._process.pid if self._process is not None else None

    def wait_for_output(self, text: str, timeout: float = 5.0) -> str:
        """The first recent output line containing `text`, waiting for it to arrive.

        The emulator prints before it answers, but this process reads its output on
        another thread, so a line may land a moment after the call that caused it.
        """
        with self._output_added:
            found = self._output_added.wait_for(lambda: self._line_with(text), timeout)
        if not found:
            raise TimeoutError(f"the Cognito emulator printed no line with {text!r} within {timeout}s")
        return found

    def _line_with(self, text: str) -> str | None:
        return next((line.rstrip("\n") for line in self._output if text in line), None)

    def start(self) -> EmulatorProcess:
        if self._process is not None:
            raise RuntimeError("the Cognito emulator is already running")
        self._listening.clear()
        self._returncode = None
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            self._command(),
            # Never written to: it closes at stop(), or when this process ends however it
            # ends, and then the emulator stops too (--exit-when-stdin-closes).
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=self._environment(),
        )
        self._reader = threading.Thread(
            target=self._read_output,
            args=(self._process.stdout,),
            name="cognito-emulator-output",
            daemon=True,
        )
        self._reader.start()
        self._wait_until_listening()
        return self

    def stop(self) -> None:
        """Stop the emulator and wait for it; a no-op when it is not running.

        Closing its stdin lets it shut its server down and exit by itself
        (--exit-when-stdin-closes); SIGTERM, then SIGKILL, only if it does not in time.
        """
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._returncode = process.returncode
        if self._reader is not None:
            self._reader.join(timeout=STOP_TIMEOUT)  # its output ends with the process
        self._endpoint_url = ""
        self._admin_client = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "cognito_auth.testing",
            "--port",
            "0",
            "--secret-hash-wording",
            self.secret_hash_wording,
            "--exit-when-stdin-closes",
        ]
        if self.serve_moto_api:
            command.append("--serve-moto-api")
        return command

    @staticmethod
    def _environment() -> dict[str, str]:
        env = dict(os.environ)
        # The child must import this very cognito_auth, installed or not.
        package_parent = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        # Code lines may name a user in any script.
        env["PYTHONIOENCODING"] = "utf-8"
        return env

    def _wait_until_listening(self) -> None:
        # The reader sets the event on the LISTENING line, or when the output ends.
        if not self._listening.wait(self.startup_timeout):
            self.stop()
            raise TimeoutError(
                f"the Cognito emulator did not listen within {self.startup_timeout}s; its output:\n{self.output_tail}"
            )
        if not self._endpoint_url:
            self.stop()
            raise RuntimeError(f"the Cognito emulator exited before listening; its output:\n{self.output_tail}")

    def _read_output(self, stream: IO[str]) -> None:
        """Drain the emulator's output for its whole life, so it never blocks on a full pipe."""
        for line in stream:
            with self._output_added:
                self._output.append(line)
                self._output_added.notify_all()
            if not self._listening.is_set() and line.startswith(LISTENING_PREFIX):
                self._endpoint_url = line.removeprefix(LISTENING_PREFIX).strip()
                self._listening.set()
            if self._echo is not None:
                self._echo.write(line)
                self._echo.flush()
        stream.close()
        # Output over means the process is gone: wake start() now rather than at its timeout.
        self._listening.set()
