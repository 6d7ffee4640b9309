"""axe-core (from npm, ``tools/axe``: installed by ``tools/test``) run in the page under test.

``assert_accessible(page, what)`` evaluates axe's script in the page (through the DevTools
protocol, so the pages' content policy stays as it is), runs every rule axe runs by default
(WCAG 2.0/2.1/2.2 A and AA and best practices) over the whole document as it stands, and fails
on any violation, naming the rule, what it means and where.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core"
RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


@cache
def _axe_source() -> str:
    script = AXE / "axe.min.js"
    if not script.exists():
        raise AssertionError(f"{script} is missing: run `npm ci` in tools/axe (tools/test does it)")
    return script.read_text()


def assert_accessible(page: Page, what: str) -> None:
    """No axe-core violation on ``page`` as it is now (``what`` names the page and state)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(RUN)
    lines = [f"{v['id']} ({v['help']}): " + "; ".join(v["nodes"][:5]) for v in violations]
    assert not lines, f"axe-core on {what}:\n" + "\n".join(lines)
