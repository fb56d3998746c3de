"""axe-core (bundled by axe-playwright-python, run offline in the page): the serious and
critical violations of WCAG 2 A/AA and of axe's best practices."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


def axe_problems(page: Page) -> list[str]:
    """The serious and critical axe-core violations on the page, one line per element."""
    violations = AXE.run(page).response["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {node['target']}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
        for node in v["nodes"]
    ]
