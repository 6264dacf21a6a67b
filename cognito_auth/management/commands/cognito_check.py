"""``manage.py cognito_check [--client NAME] [--username NAME] [--json]``.

Checks each stored app client against Cognito (see ``cognito_auth.doctor``) and exits
non-zero when anything is wrong: one line per check, and the fix for each problem.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cognito_auth.doctor import OK, PROBLEM, Report, diagnose
from cognito_auth.models import AppClient


class Command(BaseCommand):
    help = (
        "Check each app client against Cognito: endpoint, client id, client secret (without AWS "
        "credentials, and without signing anyone in or sending anything), auth flows, and with AWS "
        "credentials Cognito's own settings. Exits non-zero when a check finds a problem."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--client", dest="client_name", help="Check only the stored app client of this name.")
        parser.add_argument(
            "--username",
            help="Also show which username that person's SECRET_HASH is made over, and the hash "
                 "(the internal username needs AWS credentials).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Machine-readable output.")

    def handle(self, *args: Any, client_name: str | None, username: str | None, as_json: bool,
               **options: Any) -> None:
        reports = [diagnose(app_client, username) for app_client in self._app_clients(client_name)]
        if as_json:
            output = {"ok": all(report.ok for report in reports), "clients": [report.as_dict() for report in reports]}
            self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
        else:
            for report in reports:
                self._write(report)
        problems = sum(len(report.problems) for report in reports)
        if problems:
            raise CommandError(f"{problems} problem(s) found.")

    def _app_clients(self, name: str | None) -> list[AppClient]:
        clients = AppClient.objects.order_by("name")
        if name is None:
            found = list(clients)
            if not found:
                raise CommandError("No app clients are stored; add one in the admin.")
            return found
        found = list(clients.filter(name=name))
        if not found:
            names = ", ".join(clients.values_list("name", flat=True)) or "none"
            raise CommandError(f"No app client named {name!r} (stored: {names}).")
        return found

    def _write(self, report: Report) -> None:
        self.stdout.write(
            f"App client {report.app_client!r}: client id {report.client_id}, user pool {report.user_pool_id}, "
            f"region {report.region}, endpoint {report.endpoint}"
        )
        styles = {OK: self.style.SUCCESS, PROBLEM: self.style.ERROR}
        width = max(len(result.check) for result in report.results)
        for result in report.results:
            status = styles.get(result.status, self.style.WARNING)(f"{result.status:<7}")
            self.stdout.write(f"  {status} {result.check:<{width}}  {result.message}")
            if result.status == PROBLEM and result.fix:
                self.stdout.write(f"  {'':<7} {'':<{width}}  fix: {result.fix}")
        self.stdout.write("")
