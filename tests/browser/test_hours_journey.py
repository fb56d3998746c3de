"""The weekly work, clicked through in a real browser: a candidate completes a module,
logs every kind of hour, imports and exports CSV; a supervisor signs and returns; the
candidate fixes and resubmits; a signed entry changes only through a signed amendment."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CONNIE = "Dr. Connie Zollner, Psy.D, LMHC, LPC"
CATEGORIES = {
    "direct-clinical": "Direct clinical",
    "individual-consultation": "Individual consultation",
    "group-consultation": "Group consultation",
    "didactic": "Didactic training",
    "consultation-of-consultation": "Consultation of consultation",
    "continuing-education": "Continuing education",
}


def log_hours(page: Page, category: str, *, day: date, note: str, minutes: str = "0") -> int:
    page.goto("/hours/new")
    page.get_by_label("Date of the session").fill(day.isoformat())
    page.get_by_label("Hours", exact=True).fill("1")
    page.get_by_label("Minutes", exact=True).fill(minutes)
    page.get_by_label("Category").select_option(category)
    page.get_by_label("Supervisor").select_option(label=CONNIE)
    if category == "group-consultation":
        page.get_by_label("Group size").fill("5")
    page.get_by_label("Attachment awareness").check()
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_text("Submitted for sign-off.")).to_be_visible()
    return int(re.search(r"/hours/(\d+)$", page.url).group(1))


def test_weekly_hours_journey(open_as, tmp_path):
    day = date.today() - timedelta(days=12)
    aubrey = open_as("aubrey.holden")

    # A module: AIRM-201 builds on AIRM-102, which the demo has Aubrey complete.
    aubrey.goto("/curriculum/AIRM-201")
    aubrey.get_by_role("button", name="Mark as complete").click()
    expect(aubrey.get_by_text("AIRM-201 is recorded as complete today.")).to_be_visible()
    expect(aubrey.get_by_text("✓ Completed")).to_be_visible()

    # Every kind of hour.
    ids = {
        code: log_hours(aubrey, code, day=day, note=f"Journey {name}", minutes="0")
        for code, name in CATEGORIES.items()
    }
    aubrey.goto("/hours/?status=submitted")
    for name in CATEGORIES.values():
        expect(aubrey.get_by_role("cell", name=name).first).to_be_visible()

    # Import a CSV, then export everything.
    upload = tmp_path / "hours.csv"
    upload.write_text(
        "session_date,duration_minutes,category,supervisor_email,stages,modalities,group_size,note\n"
        f"{day - timedelta(days=1)},45,didactic,connie.zollner@btrc.example,,,,Imported workshop\n"
        f"{day - timedelta(days=2)},50,direct-clinical,connie.zollner@btrc.example,"
        "disruption-detachment,ACT,,Imported session\n",
        encoding="utf-8",
    )
    aubrey.goto("/hours/import")
    aubrey.get_by_label("CSV file").set_input_files(str(upload))
    aubrey.get_by_role("button", name="Import and submit for sign-off").click()
    expect(
        aubrey.get_by_text("Imported 2 entries and submitted them for sign-off.")
    ).to_be_visible()
    with aubrey.expect_download() as download:
        aubrey.get_by_role("link", name="Export CSV").click()
    exported = download.value.path().read_text(encoding="utf-8")
    notes = {row["note"] for row in csv.DictReader(exported.splitlines())}
    assert {"Imported workshop", "Imported session", "Journey Didactic training"} <= notes

    # The supervisor signs two and returns one.
    connie = open_as("connie.zollner")
    connie.goto("/hours/queue")
    connie.locator(f"#entry-{ids['didactic']}").check()
    connie.locator(f"#entry-{ids['direct-clinical']}").check()
    connie.get_by_label("I confirm the attestation above.").check()
    connie.get_by_role("button", name="Sign selected entries").click()
    expect(connie.get_by_text("Signed 2 entries.")).to_be_visible()
    connie.goto(f"/hours/{ids['group-consultation']}")
    connie.get_by_label("What needs to change").fill("Say which stage the group worked on.")
    connie.get_by_role("button", name="Return to clinician").click()
    expect(connie.get_by_text("Returned to the clinician with your reason.")).to_be_visible()

    # The candidate fixes it and resubmits.
    aubrey.goto(f"/hours/{ids['group-consultation']}")
    expect(aubrey.get_by_role("status")).to_contain_text("Say which stage the group worked on.")
    aubrey.get_by_role("link", name="Edit").click()
    aubrey.get_by_label("Integration of meaning").check()
    aubrey.get_by_role("button", name="Submit for sign-off").click()
    expect(aubrey.get_by_text("Submitted for sign-off.")).to_be_visible()
    expect(aubrey.get_by_text("Waiting for sign-off")).to_be_visible()

    # A signed entry cannot be edited; an amendment, once signed, supersedes it.
    signed = ids["didactic"]
    aubrey.goto(f"/hours/{signed}")
    expect(aubrey.get_by_role("link", name="Edit")).to_have_count(0)
    aubrey.goto(f"/hours/{signed}/edit")
    expect(aubrey.get_by_text("Only drafts and returned entries can be edited.")).to_be_visible()
    aubrey.goto(f"/hours/{signed}")
    aubrey.get_by_role("link", name="Request an amendment").click()
    aubrey.get_by_label("Minutes", exact=True).fill("30")
    aubrey.get_by_role("button", name="Submit for sign-off").click()
    expect(aubrey.get_by_text("Amendment sent to your supervisor for signature.")).to_be_visible()
    amendment = int(re.search(r"/hours/(\d+)$", aubrey.url).group(1))
    connie.goto(f"/hours/{amendment}")
    connie.get_by_label("I confirm the attestation above.").check()
    connie.get_by_role("button", name="Sign this entry").click()
    expect(connie.get_by_text("Signed 1 entry.")).to_be_visible()
    aubrey.goto(f"/hours/{signed}")
    expect(aubrey.get_by_text("Superseded by amendment")).to_be_visible()
    expect(aubrey.get_by_role("link", name=f"Entry {amendment}")).to_be_visible()


def test_logging_hours_on_a_phone(open_as):
    phone = open_as("marcus.bell", width=390, height=844)
    phone.goto("/hours/new")
    phone.get_by_label("Date of the session").fill((date.today() - timedelta(days=3)).isoformat())
    phone.get_by_label("Hours", exact=True).fill("0")
    phone.get_by_label("Minutes", exact=True).fill("50")
    phone.get_by_label("Category").select_option("direct-clinical")
    phone.get_by_label("Supervisor").select_option(label="Dr. Daniel Okafor, Psy.D")
    phone.get_by_label("Note").fill("Stage 1 exploration")
    phone.get_by_role("button", name="Submit for sign-off").click()
    expect(phone.get_by_text("Submitted for sign-off.")).to_be_visible()
    expect(phone.get_by_text("50 min on")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
