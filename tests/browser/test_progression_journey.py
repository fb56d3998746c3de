"""The path to AIRT-S in a real browser: apply, endorse, two board approvals, issue,
download the certificate, follow its QR code as an anonymous visitor, sign hours as the
new supervisor, then revoke and see the verification page say so."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_problems

pytestmark = pytest.mark.browser


def qr_url(pdf_path, tmp_path) -> str:
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm and zbarimg are needed to read the QR code (.ci/run installs them)")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf_path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--nodbus", "--raw", "-q", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_from_everything_met_to_a_verified_certificate(open_as, browser, tmp_path):
    sofia = open_as("sofia.alvarez")
    sofia.get_by_role("link", name="Apply for AIRT-S").click()
    sofia.get_by_label("Supervisor who will endorse your application").select_option(
        label="Elizabeth Abbruzza, MA, LMHC, LPC"
    )
    sofia.get_by_label("Personal statement (optional)").fill("Ready to consult on AIRM work.")
    sofia.get_by_role("button", name="Apply").click()
    expect(sofia.get_by_text("Application submitted.")).to_be_visible()
    application_url = sofia.url

    elizabeth = open_as("elizabeth.abbruzza")
    elizabeth.goto(application_url)
    assert axe_problems(elizabeth) == []
    elizabeth.get_by_label("Endorse", exact=True).check()
    elizabeth.get_by_role("button", name="Record my decision").click()
    expect(elizabeth.get_by_text("Your decision is recorded.")).to_be_visible()

    for member in ("connie.zollner", "jessica.lamar"):
        page = open_as(member)
        page.goto("/board")
        page.get_by_role("link", name=re.compile("Sofia Alvarez")).click()
        assert axe_problems(page) == []
        page.get_by_label("Approve").check()
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.get_by_text("Your vote is recorded.")).to_be_visible()

    director = open_as("connie.zollner")
    director.goto(application_url)
    director.get_by_role("button", name=re.compile("Issue AIRT-S")).click()
    expect(director.get_by_text(re.compile(r"Issued certificate AIRM-\d{4}-\d{5}"))).to_be_visible()
    certificate_url = director.url

    sofia.goto("/candidate")
    sofia.get_by_role("link", name="Certificate and PDF").click()
    with sofia.expect_download() as download:
        sofia.get_by_role("link", name="Download the PDF").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    url = qr_url(pdf, tmp_path)
    assert re.search(r"/verify/[A-Za-z0-9_-]{16,}$", url), url

    visitor = browser.new_context().new_page()
    visitor.goto(url)
    expect(visitor.get_by_text("✓ Valid")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Sofia Alvarez, MS, LPC")).to_be_visible()

    # The new AIRT-S signs hours logged with her (her AIRT-S starts today, so the
    # session is direct clinical work: consultation needs a supervisor current on its date).
    marcus = open_as("marcus.bell")
    marcus.goto("/hours/new")
    marcus.get_by_label("Date of the session").fill((date.today() - timedelta(days=2)).isoformat())
    marcus.get_by_label("Category").select_option("direct-clinical")
    marcus.get_by_label("Supervisor").select_option(label="Sofia Alvarez, MS, LPC")
    marcus.get_by_role("button", name="Submit for sign-off").click()
    expect(marcus.get_by_text("Submitted for sign-off.")).to_be_visible()
    entry_url = marcus.url
    sofia.goto(entry_url)
    sofia.get_by_label("I confirm the attestation above.").check()
    sofia.get_by_role("button", name="Sign this entry").click()
    expect(sofia.get_by_text("Signed 1 entry.")).to_be_visible()

    director.goto(certificate_url)
    director.get_by_label("Reason for revocation").fill("Issued in error during a review.")
    director.once("dialog", lambda dialog: dialog.accept())
    director.get_by_role("button", name="Revoke the certificate").click()
    expect(director.get_by_text("revoked. The verification page says so now.")).to_be_visible()
    visitor.reload()
    expect(visitor.get_by_text("✗ Revoked")).to_be_visible()
    expect(visitor.get_by_text("Issued in error")).to_have_count(0)
