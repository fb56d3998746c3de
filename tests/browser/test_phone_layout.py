"""Phones first: every main page of every role at 390 px (and the home pages at 360 px)
fits the screen — the document is never wider than the viewport, no table scrolls
sideways (lists become stacked cards), and no date breaks across lines; the unread count
stays in the bar while the menu is closed."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser.pages import ANONYMOUS, ROLES
from tests.browser.test_main_pages import SCREENSHOTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}

# Everything on the page that is wider than the screen or scrolls sideways, and every
# ISO date whose text is laid out on more than one line.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`document is ${root.scrollWidth} px wide in a ${root.clientWidth} px viewport`);
  }
  for (const box of document.querySelectorAll(".table-responsive, pre, .overflow-auto")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      problems.push(`${box.className} scrolls sideways (${box.scrollWidth} > ${box.clientWidth})`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const match of node.textContent.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) problems.push(`the date ${match[0]} wraps`);
    }
  }
  return problems;
}"""


def layout_problems(page) -> list[str]:
    return [f"{page.url}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]


@pytest.mark.parametrize("who", ROLES)
def test_every_main_page_fits_a_phone(browser, live_server, open_as, main_pages, who):
    if who == ANONYMOUS:
        context = browser.new_context(base_url=live_server, viewport=PHONE)
        page = context.new_page()
    else:
        page = open_as(who, **PHONE)
    problems: list[str] = []
    for main_page in main_pages[who]:
        response = page.goto(main_page.path)
        assert response.status == main_page.status, main_page.path
        problems += layout_problems(page)
        if main_page.screenshot and os.environ.get("AIRM_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOTS / f"{main_page.screenshot}-phone.png"
            page.screenshot(path=str(path), full_page=True)
    if who == ANONYMOUS:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", [who for who in ROLES if who != ANONYMOUS])
def test_the_home_page_fits_the_smallest_phone(open_as, who):
    page = open_as(who, **SMALL_PHONE)
    page.goto("/home")
    assert layout_problems(page) == []


def test_the_unread_count_shows_while_the_menu_is_closed(open_as):
    page = open_as("connie.zollner", **PHONE)
    page.goto("/home")
    expect(page.locator("#main-nav")).to_be_hidden()
    bell = page.locator("#notification-bell")
    expect(bell).to_be_visible()
    expect(bell.locator(".badge")).to_be_visible()
    expect(bell.locator(".badge")).to_contain_text("unread")


def test_a_table_inside_a_stacked_card_names_its_own_columns(open_as):
    """The audit trail's values before and after, inside each event's card, read
    "Field …", "Before …", "After …", not the outer table's "Time", "Who", "What"."""
    page = open_as("connie.zollner", **PHONE)
    page.goto("/audit/")
    changes = page.locator("table.audit-changes").first
    changes.evaluate("table => { table.closest('details').open = true; }")
    labels = changes.locator("tbody tr").first.evaluate(
        "row => [...row.children].map((cell) => cell.dataset.label)"
    )
    assert labels == ["Field", "Before", "After"]
    outer = page.locator("table.table-stack").first.locator(":scope > tbody > tr").first
    assert outer.evaluate("row => row.children[0].dataset.label") == "Time"
