"""``manage.py cognito_secret_hash USERNAME [CLIENT_ID CLIENT_SECRET | --client NAME]``.

Prints ``SECRET HASH: <value>``, byte for byte what AWS's knowledge-center script prints.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from cognito_auth.client import secret_hash
from cognito_auth.models import AppClient, SecretState


class Command(BaseCommand):
    help = (
        "Compute the SECRET_HASH Cognito expects for USERNAME: give CLIENT_ID and "
        "CLIENT_SECRET (or '-' to read the secret from standard input, keeping it out of "
        "shell history), or --client NAME to use a stored app client."
    )

    def run_from_argv(self, argv: list[str]) -> None:
        # Usernames and secrets may begin with "-", which argparse would take for options.
        # AWS's script reads plain argv, so every argument that is not one of this
        # command's options is passed on as a value, after "--".
        parser = self.create_parser(argv[0], argv[1])
        options: list[str] = []
        values: list[str] = []
        remaining = iter(argv[2:])
        for arg in remaining:
            if arg == "--":
                values.extend(remaining)
                break
            action = parser._option_string_actions.get(arg.split("=", 1)[0])
            if action is None:
                values.append(arg)
                continue
            options.append(arg)
            if action.nargs != 0 and "=" not in arg:
                options.append(next(remaining, ""))
        super().run_from_argv([*argv[:2], *options, "--", *values])

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("client_id", nargs="?")
        parser.add_argument("client_secret", nargs="?")
        parser.add_argument("--client", dest="client_name", help="Name of a stored app client.")

    def handle(self, *args, username: str, client_id: str | None, client_secret: str | None,
               client_name: str | None, **options) -> None:
        if client_name:
            if client_id or client_secret:
                raise CommandError("Give either CLIENT_ID and CLIENT_SECRET or --client, not both.")
            client_id, client_secret = self._stored(client_name)
        elif not client_id or client_secret is None:
            raise CommandError("Give CLIENT_ID and CLIENT_SECRET, or --client NAME.")
        elif client_secret == "-":  # noqa: S105 - the stdin marker
            client_secret = sys.stdin.readline().rstrip("\r\n")
        self.stdout.write(f"SECRET HASH: {secret_hash(username, client_id, client_secret)}")

    def _stored(self, name: str) -> tuple[str, str]:
        try:
            app_client = AppClient.objects.get(name=name)
        except AppClient.DoesNotExist:
            names = ", ".join(AppClient.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No app client named {name!r} (stored: {names}).") from None
        state = app_client.secret_state
        if state is SecretState.NONE:
            raise CommandError(f"App client {name!r} has no client secret: Cognito expects no SECRET_HASH.")
        if state is SecretState.UNREADABLE:
            raise CommandError(
                f"The client secret of app client {name!r} cannot be decrypted with SECRET_KEY or "
                "SECRET_KEY_FALLBACKS: add the key it was saved under to SECRET_KEY_FALLBACKS, or enter it again."
            )
        return app_client.client_id, app_client.client_secret
