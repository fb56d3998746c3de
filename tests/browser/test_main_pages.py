"""Every main page of every role opens in Chromium without a console error (a blocked
script or style under the Content-Security-Policy shows up there), passes axe-core with no
serious or critical violation, and never shows a status by colour alone. With
AIRM_SCREENSHOTS=1 the pages are also saved to docs/screenshots/ for the README."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_problems
from tests.browser.pages import ANONYMOUS, ROLES

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE_PAGES = (
    "/candidate",
    "/hours/",
    "/hours/new",
    "/records/hours-verification",
    "/directory/profile",
)


def textless_badges(page) -> list[str]:
    """Badges whose only signal would be their colour."""
    return page.locator(".badge").evaluate_all(
        "badges => badges.filter(b => !b.textContent.trim()).map(b => b.outerHTML)"
    )


@pytest.mark.parametrize("who", ROLES)
def test_main_pages_are_accessible(browser, live_server, open_as, main_pages, who):
    if who == ANONYMOUS:
        page = browser.new_context(base_url=live_server).new_page()
    else:
        page = open_as(who)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    problems: list[str] = []
    for main_page in main_pages[who]:
        response = page.goto(main_page.path)
        assert response.status == main_page.status, main_page.path
        assert response.request.redirected_from is None, main_page.path
        problems += axe_problems(page)
        problems += [f"{main_page.path}: badge without text {b}" for b in textless_badges(page)]
        if main_page.screenshot and os.environ.get("AIRM_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{main_page.screenshot}.png"), full_page=True)
    if who == ANONYMOUS:
        page.context.close()
    # A 4xx page logs its own status as a console error; anything else is a problem.
    unexpected = [m for m in console if "the server responded with a status of 4" not in m]
    assert not problems, "\n".join(problems)
    assert unexpected == []


def test_pages_on_a_phone_are_accessible_with_the_menu_closed_and_open(open_as):
    page = open_as("aubrey.holden", width=390, height=844)
    problems: list[str] = []
    for path in PHONE_PAGES:
        page.goto(path)
        problems += axe_problems(page)
    menu = page.get_by_role("button", name="Toggle navigation")
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="My progress")).to_be_visible()
    problems += axe_problems(page)
    assert not problems, "\n".join(problems)
