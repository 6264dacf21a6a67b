"""What every page a browser journey visits must pass, checked on a copy of the page.

The journeys run with JavaScript off, as a person without it would. The checks need
JavaScript, so each page's HTML, exactly as the journey got it, is served again at the same
URL (Playwright's routing: no second request reaches the site, so no step runs twice) in a
context that has it, 320 CSS pixels wide (WCAG 2.2, 1.4.10 Reflow), where:
- axe-core (from the npm registry, ``package.json`` at the repository's root) finds no
  serious or critical violation;
- nothing scrolls sideways: ``document.documentElement.scrollWidth <= 320``;
- on our own pages (within ``<main>``; on our admin pages, ``#content-main``): every
  input has a label; an input with an error says so
  (``aria-invalid``) and names the error's text (``aria-describedby``); every error is tied
  to an input; the one ``autofocus`` is on the first input with an error, or on the first
  input, and the browser put the focus there.
Django's admin pages get axe and the reflow measure only, recorded rather than asserted:
they are Django's to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
NARROW = {"width": 320, "height": 640}
BLOCKING_IMPACTS = ("serious", "critical")

OUR_PAGE_CHECKS = """(root) => {
  const problems = [];
  const scope = document.querySelector(root);
  if (!scope) return [`no ${root} on the page`];
  const inputs = [...scope.querySelectorAll("input, select, textarea")]
    .filter((e) => !["hidden", "submit", "button", "reset", "image"].includes(e.type));
  const described = (e) => {
    const own = (e.getAttribute("aria-describedby") || "").split(/\\s+/);
    const group = e.closest("fieldset");
    const shared = group ? (group.getAttribute("aria-describedby") || "").split(/\\s+/) : [];
    return [...own, ...shared].filter(Boolean).map((id) => document.getElementById(id)).filter(Boolean);
  };
  for (const input of inputs) {
    const name = input.name || input.id;
    if (!input.labels.length || !input.labels[0].textContent.trim()) problems.push(`${name}: no label`);
    if (input.getAttribute("aria-invalid") === "true"
        && !described(input).some((e) => e.classList.contains("errorlist"))) {
      problems.push(`${name}: marked invalid, but no error is tied to it`);
    }
  }
  for (const list of scope.querySelectorAll(".errorlist")) {
    if (!list.id || !inputs.some((e) => described(e).includes(list))) {
      problems.push(`error tied to no input: ${list.textContent.trim()}`);
    }
  }
  for (const input of inputs) {
    const own = described(input).filter((e) => e.matches(".errorlist:not(.nonfield)"));
    if (own.length && input.getAttribute("aria-invalid") !== "true") {
      problems.push(`${input.name}: has an error but is not marked invalid`);
    }
  }
  const expected = inputs.find((e) => e.getAttribute("aria-invalid") === "true") || inputs[0];
  const autofocused = [...scope.querySelectorAll("[autofocus]")];
  if (expected && (autofocused.length !== 1 || autofocused[0] !== expected)) {
    problems.push(`autofocus on [${autofocused.map((e) => e.name)}], expected on ${expected.name}`);
  }
  if (expected && document.activeElement !== expected) {
    const focused = document.activeElement;
    problems.push(`focus on ${focused.name || focused.tagName}, expected on ${expected.name}`);
  }
  return problems;
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def axe_path() -> Path:
    if not AXE.exists():
        pytest.fail("axe-core is needed for the browser tests: run `npm ci` at the repository's root "
                    "(make test does)")
    return AXE


@dataclass
class PageReport:
    """What the checks found on one page."""

    url: str
    scroll_width: int
    violations: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict]:
        return [v for v in self.violations if v["impact"] in BLOCKING_IMPACTS]


class Journey:
    """One person's walk through the pages: ``journey.step(name)`` keeps a screenshot of
    the page at the browser's width and at 320 px, and checks the page (see the module's
    docstring). Screenshots and axe's findings go under ``test-artifacts/``."""

    def __init__(self, page, checker, test_name: str) -> None:
        self.page, self.checker, self.test_name = page, checker, test_name
        self.count = 0
        self.last_screenshot: Path | None = None
        self.admin_reports: list[tuple[str, PageReport]] = []
        for folder in (ARTIFACTS / "screenshots", ARTIFACTS / "axe"):  # an earlier run's, numbered otherwise
            for stale in folder.glob("*") if folder.is_dir() else ():
                if stale.name.startswith(f"{test_name}-"):
                    stale.unlink()

    def screenshot(self, name: str, *, page=None) -> Path:
        self.count += 1
        path = ARTIFACTS / "screenshots" / f"{self.test_name}-{self.count:02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        (page or self.page).screenshot(path=str(path), full_page=True)
        self.last_screenshot = path
        return path

    def step(self, name: str, *, ours: bool = True) -> PageReport:
        """Screenshot and check the page the journey is on. ``ours=False`` for Django's
        admin pages: their findings are recorded (``admin_reports``), not asserted."""
        self.screenshot(name)
        report = self.check(name, ours=ours)
        if ours:
            assert not report.blocking, f"{name}: axe finds {json.dumps(report.blocking, indent=1)}"
            assert report.scroll_width <= NARROW["width"], f"{name}: scrolls sideways at 320 px ({report.scroll_width})"
            assert not report.problems, f"{name}: {report.problems}"
        else:
            self.admin_reports.append((name, report))
        return report

    def check(self, name: str, *, ours: bool) -> PageReport:
        url, html = self.page.url, self.page.content()
        copy = self.checker

        def serve_copy(route) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        copy.route(lambda requested: requested == url, serve_copy)
        try:
            copy.goto(url, wait_until="load")
        finally:
            copy.unroute_all()
        copy.add_script_tag(path=str(axe_path()))
        report = PageReport(
            url=url,
            scroll_width=copy.evaluate("() => document.documentElement.scrollWidth"),
            violations=copy.evaluate(AXE_RUN),
            problems=copy.evaluate(OUR_PAGE_CHECKS, "main" if ours else "#content-main"),
        )
        self.count += 1
        shot = ARTIFACTS / "screenshots" / f"{self.test_name}-{self.count:02d}-{name}-320px.png"
        copy.screenshot(path=str(shot), full_page=True)
        findings = ARTIFACTS / "axe" / f"{self.test_name}-{self.count:02d}-{name}.json"
        findings.parent.mkdir(parents=True, exist_ok=True)
        findings.write_text(json.dumps(report.__dict__, indent=1))
        return report


def narrow_copy_page(browser) -> Iterator[object]:
    """A page 320 px wide, with JavaScript, for the copies the checks run on."""
    context = browser.new_context(viewport=NARROW, java_script_enabled=True, bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
