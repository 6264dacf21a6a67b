"""``make demo``: a local Cognito, a pool with a secret-holding app client, the example site.

The app client uses choice-based sign-in (USER_AUTH): a password, an emailed code (shown
on this console) or a passkey. The site is served on 127.0.0.1:8000 and announced as
http://localhost:8000: browsers refuse an IP address as a passkey's relying party ID, so
the pool's is ``localhost`` and passkeys work only on that name.

Everything lives for one run: the emulator keeps its users in memory, so the demo
database under ``.demo/`` is made anew each time, with fresh random passwords.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = BASE_DIR / ".demo"
ADDRESS = "127.0.0.1:8000"  # where runserver listens
SITE = "http://localhost:8000"  # the URL to open: localhost, the passkeys' relying party ID
# The app client's flows: choice-based sign-in for the site; USER_PASSWORD_AUTH for the
# demo's own set-up (the TOTP user's authenticator); refresh for sessions.
CLIENT_FLOWS = ("ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
SIGN_IN_METHODS = "PASSWORD EMAIL_OTP WEB_AUTHN"


def random_password() -> str:
    # Meets Cognito's default policy: upper, lower, digit and symbol, 8+ characters.
    return f"Demo-{secrets.token_urlsafe(9)}-7a"


ENV_FILE = DEMO_DIR / "demo.env"


def configure_environment(emulator_url: str) -> None:
    """The demo's settings, for this process and the runserver it starts, and in
    ``.demo/demo.env`` for manage.py commands run by hand against the demo.

    The endpoint allow-list names the emulator's own host and port, nothing else on this
    machine: any other loopback port may be someone else's server.
    """
    settings = {
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": f"sqlite:///{DEMO_DIR / 'db.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS": urlsplit(emulator_url).netloc,
    }
    os.environ.update(settings)
    ENV_FILE.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    ENV_FILE.chmod(0o600)  # it holds the demo's SECRET_KEY


def address_is_free(address: str = ADDRESS) -> bool:
    """Whether a server can listen on `address` ("host:port"; another demo or stack may
    still hold it). `make stack` asks too."""
    host, port = address.rsplit(":", 1)
    with socket.socket() as probe:
        # As gunicorn and runserver bind: a listener holding the port still refuses it, but
        # the closed connections a server stopped a moment ago left in TIME_WAIT do not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError:
            return False
    return True


def main() -> None:
    if not address_is_free():
        sys.exit(f"{ADDRESS} is in use (another `make demo`?): stop that server, then run `make demo` again.")
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir()
    from cognito_auth.testing.process import EmulatorProcess  # needs no Django

    # The emulator first: its port goes into the settings, which Django reads once.
    with EmulatorProcess(echo=sys.stdout) as emulator:
        configure_environment(emulator.endpoint_url)
        import django  # only once the environment names the settings

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from cognito_auth.models import AppClient, AuthFlow
        from cognito_auth.testing.pytest_plugin import PASSWORDLESS_POLICIES

        # Every first factor allowed (password, email and SMS codes, passkeys on localhost).
        pool_id = emulator.create_user_pool("demo-pool", Policies=PASSWORDLESS_POLICIES)
        emulator.enable_passkeys(pool_id, "localhost")
        client_id, client_secret = emulator.create_app_client(pool_id, "demo-site", secret=True, flows=CLIENT_FLOWS)
        user_password = random_password()
        emulator.create_user(
            pool_id, "demo", user_password,
            {"email": "demo@example.com", "email_verified": "true", "given_name": "Demo"},
        )
        # The sign-in steps: an invited user (NEW_PASSWORD_REQUIRED on the first sign-in)
        # and one with an authenticator app (SOFTWARE_TOKEN_MFA; the pool allows TOTP MFA).
        invited_password = random_password()
        emulator.create_invited_user(pool_id, "invited", invited_password, {"email": "invited@example.com"})
        emulator.allow_mfa(pool_id, totp=True)
        totp_password = random_password()
        emulator.create_user(pool_id, "totp", totp_password, {"email": "totp@example.com"})
        totp_secret = emulator.register_totp(client_id, client_secret, "totp", totp_password)
        call_command("migrate", verbosity=0)
        AppClient.objects.create(
            name="demo", region=pool_id.split("_", 1)[0], user_pool_id=pool_id, client_id=client_id,
            client_secret=client_secret, endpoint_url=emulator.endpoint_url, is_default=True,
            auth_flow=AuthFlow.USER_AUTH, sign_in_methods=SIGN_IN_METHODS,
        )
        admin_password = random_password()
        get_user_model().objects.create_superuser("admin", "admin@example.com", admin_password)

        print(f"\nCognito emulator: {emulator.endpoint_url} (pool {pool_id}, app client {client_id}, with secret)")
        print(f"Example site:     {SITE}/   admin: {SITE}/admin/   (listening on {ADDRESS})")
        print("  Open it as localhost, not 127.0.0.1: browsers refuse an IP address as a passkey's relying "
              "party ID, and this pool's is localhost.")
        print("Sign in with a password, \"Email me a sign-in code\" (the code appears here) or, once you have "
              f"added one under {SITE}/accounts/passkeys/, a passkey.")
        # A throwaway secret of a throwaway emulator: shown so you can put it back after
        # trying a wrong one in the admin. The app itself never prints or logs a secret.
        print(f"App client secret (emulator only, for the admin exercise): {client_secret}")
        print("Codes (sign-in, password reset) are printed here, where a real pool would email them.")
        print("Commands against the demo: env $(cat .demo/demo.env) .venv/bin/python manage.py cognito_check\n")
        print(f"Demo user: demo / {user_password}")
        print(f"Admin: admin / {admin_password}")
        print(f"Invited user: invited / {invited_password} (temporary: the site asks for a new password)")
        print(f"TOTP user: totp / {totp_password} (then the code of an authenticator app with this key)")
        print(f"TOTP key (add it to an authenticator app): {totp_secret}")
        code_command = f"import pyotp; print(pyotp.TOTP('{totp_secret}').now())"
        print(f'  or the current code: .venv/bin/python -c "{code_command}"\n', flush=True)
        try:
            subprocess.run(
                [sys.executable, str(BASE_DIR / "manage.py"), "runserver", ADDRESS, "--noreload"],
                check=False,
            )
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
