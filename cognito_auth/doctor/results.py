"""What the doctor reports: one result per check, and a report per app client."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OK, PROBLEM, SKIPPED = "ok", "problem", "skipped"


@dataclass(frozen=True)
class CheckResult:
    """One check: its id, ``ok`` / ``problem`` / ``skipped``, what was found, and the fix."""

    check: str
    status: str
    message: str
    fix: str = ""
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """Every check's result for one app client."""

    app_client: str
    client_id: str
    user_pool_id: str
    region: str
    endpoint: str
    results: tuple[CheckResult, ...]

    @property
    def problems(self) -> list[CheckResult]:
        return [result for result in self.results if result.status == PROBLEM]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "results": [asdict(result) for result in self.results], "ok": self.ok}
