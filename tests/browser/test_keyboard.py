"""Keyboard only (Tab, Shift+Tab, typing, Space and Enter; never a click): a candidate signs
in and logs hours, then their supervisor signs the entry in the sign-off queue. Every
stop of the focus has an accessible name and a visible focus indicator, and the form's
fields come in the order they are read. And what a screen reader reads with a field: its
help text and, after a refused submission, its error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import axe_problems
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# A date no other journey logs hours on, so the queue row is unambiguous.
DAY = date.today() - timedelta(days=6)
NOTE = "Keyboard-only session note"
FOCUS_RING = """element => {
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return outline || style.boxShadow !== "none";
}"""


@dataclass(frozen=True)
class Stop:
    """Where the focus is: the element's role and accessible name, from the accessibility
    tree, and whether a focus indicator is drawn around it."""

    role: str
    name: str
    ring: bool


def focus(page: Page) -> Stop:
    # By id when it has one: inside a date field the focus can sit on the browser's own
    # calendar button, which ``:focus`` does not find.
    active_id = page.evaluate("document.activeElement.id")
    element = page.locator(f"[id='{active_id}']" if active_id else "*:focus")
    snapshot = element.aria_snapshot()
    match = re.match(r'- ([\w-]+)(?: "((?:[^"\\]|\\.)*)")?', snapshot)
    assert match, snapshot
    return Stop(match.group(1), match.group(2) or "", element.evaluate(FOCUS_RING))


def tab(page: Page, stops: list[Stop], key: str = "Tab") -> Stop:
    page.keyboard.press(key)
    stop = focus(page)
    assert stop.name.strip(), f"a focusable {stop.role} without an accessible name"
    assert stop.ring, f"no visible focus indicator on {stop.role} {stop.name!r}"
    if not stops or stops[-1] != stop:  # a date field takes a Tab per part
        stops.append(stop)
    return stop


def tab_to(page: Page, name: str, stops: list[Stop], limit: int = 60) -> None:
    for _ in range(limit):
        if tab(page, stops).name == name:
            return
    pytest.fail(f"Tab never reached {name!r}; stops: {[s.name for s in stops[-10:]]}")


CONTROL_ROLES = "textbox|searchbox|spinbutton|combobox|listbox|checkbox|radio|button|slider"


def unlabelled_controls(page: Page) -> list[str]:
    """Form controls in the page's accessibility tree that have no name."""
    tree = page.locator("main").aria_snapshot()
    controls = re.findall(rf"^\s*- ({CONTROL_ROLES})\b(.*)$", tree, flags=re.M)
    assert controls, "no form controls on the page"
    return [f"{role}{rest}" for role, rest in controls if not rest.startswith(' "')]


def sign_in(browser, live_server, who: str) -> Page:
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/auth/login")
    assert focus(page).name == "E-mail"  # the field has the focus on arrival
    page.keyboard.type(f"{who}@btrc.example")
    stops: list[Stop] = []
    assert tab(page, stops).name == "Password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(candidate|supervision|director|board)$"))
    return page


def follow(page: Page, link: str, url: str) -> None:
    stops: list[Stop] = []
    tab_to(page, link, stops)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{url}")


def test_hours_are_logged_and_signed_with_the_keyboard_only(browser, live_server):
    marcus = sign_in(browser, live_server, "marcus.bell")
    follow(marcus, "My hours", "/hours/")
    follow(marcus, "Log hours", "/hours/new")
    assert unlabelled_controls(marcus) == []

    typing = {
        "Date of the session": DAY.strftime("%m%d%Y"),  # en-US: month, day, year
        "Minutes": "30",
        "Category": "Direct",  # a closed select picks the option whose label is typed
        "Supervisor": "Dr. Daniel",
        "Note": NOTE,
    }
    stops: list[Stop] = []
    for _ in range(80):
        stop = tab(marcus, stops)
        if stop.name in typing:
            if stop.role == "spinbutton":
                marcus.keyboard.press("Control+a")
            marcus.keyboard.type(typing[stop.name])
        elif stop.name == "Attachment awareness":
            marcus.keyboard.press("Space")
        elif stop.name == "Submit for sign-off":
            break
    else:
        pytest.fail("Tab never reached the submit button")

    # Shift+Tab walks back through the same stops.
    assert tab(marcus, [], "Shift+Tab").name == "Save as draft"
    assert tab(marcus, [], "Shift+Tab").name == "Note"
    tab(marcus, [], "Tab")
    assert tab(marcus, [], "Tab").name == "Submit for sign-off"

    names = [s.name for s in stops]
    form = names[names.index("Date of the session") :]
    assert form[:6] == [
        "Date of the session",
        "Hours",
        "Minutes",
        "Category",
        "Supervisor",
        "Group size",
    ]
    assert form[-3:] == ["Note", "Save as draft", "Submit for sign-off"]
    choices = stops[len(names) - len(form) + 6 : -3]
    assert {s.role for s in choices} == {"checkbox"}
    assert {"Attachment awareness", "EMDR"} <= {s.name for s in choices}

    marcus.keyboard.press("Enter")
    expect(marcus.get_by_text("Submitted for sign-off.")).to_be_visible()
    entry_url = marcus.url
    expect(marcus.get_by_role("heading", level=1)).to_have_text(
        f"Direct clinical · 1 h 30 on {DAY.isoformat()}"
    )
    expect(marcus.get_by_text(NOTE)).to_be_visible()
    expect(marcus.get_by_text("Dr. Daniel Okafor, Psy.D")).to_be_visible()

    daniel = sign_in(browser, live_server, "daniel.okafor")
    follow(daniel, "Sign-off", "/hours/queue")
    assert unlabelled_controls(daniel) == []
    stops = []
    tab_to(daniel, f"Select the entry of {DAY.isoformat()}", stops)
    daniel.keyboard.press("Space")
    tab_to(daniel, "I confirm the attestation above.", stops)
    daniel.keyboard.press("Space")
    assert tab(daniel, stops).name == "Sign selected entries"
    daniel.keyboard.press("Enter")
    expect(daniel.get_by_text("Signed 1 entry.")).to_be_visible()

    marcus.goto(entry_url)
    expect(marcus.locator("main .badge").first).to_have_text("Signed")
    marcus.context.close()
    daniel.context.close()


def test_help_and_errors_are_read_with_their_field(open_as):
    page = open_as("marcus.bell")
    page.goto("/hours/new")
    supervisor = page.get_by_label("Supervisor")
    expect(supervisor).to_have_accessible_description(re.compile("The AIRT-S who will sign"))
    expect(supervisor).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Minutes", exact=True).fill("75")
    page.get_by_role("button", name="Submit for sign-off").click()
    minutes = page.get_by_label("Minutes", exact=True)
    expect(minutes).to_have_attribute("aria-invalid", "true")
    message = page.locator("#duration_minutes ~ .invalid-feedback").inner_text()
    assert message.strip()
    expect(minutes).to_have_accessible_description(re.compile(re.escape(message)))
    assert axe_problems(page) == []
