"""Two-factor sign-in clicked through in a real browser: a director whose role requires
it is sent to the set-up page, scans (reads) the key, confirms with a code from the app,
keeps the recovery codes, then signs in again with an app code and with a recovery code."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.people.services import create_person
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser
EMAIL = "tess.factor@btrc.example"


@pytest.fixture
def new_director(live_app, monkeypatch):
    """A director of their own (the demo directors stay without two-factor sign-in), with
    two-factor sign-in required while the test runs."""
    monkeypatch.setitem(live_app.config, "TWO_FACTOR_REQUIRED", True)
    with live_app.app_context():
        create_person(
            email=EMAIL,
            full_name="Tess Factor",
            roles=(Role.DIRECTOR,),
            password=DEMO_PASSWORD,
            actor_id=None,
        )
        db.session.commit()
        db.session.remove()
    return EMAIL


def sign_in_with_password(page: Page) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def is_problem(message: ConsoleMessage) -> bool:
    """A console error, except the browser's own look for a /favicon.ico the app has not."""
    return message.type == "error" and not message.location["url"].endswith("/favicon.ico")


def read_qr_code(page: Page, folder: Path) -> str:
    """What a phone reads from the QR code on the page (zbarimg on a screenshot of it)."""
    qr_code = page.locator(".qr-code svg")
    expect(qr_code).to_be_visible()
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg not installed (zbar-tools; .ci/run installs it)")
    qr_code.screenshot(path=str(folder / "qr.png"))
    return subprocess.run(
        ["zbarimg", "--nodbus", "--raw", "-q", "qr.png"],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_two_factor_journey(browser, live_server, new_director, tmp_path):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    problems: list[str] = []  # e.g. the QR code blocked by the Content-Security-Policy
    page.on("console", lambda m: problems.append(m.text) if is_problem(m) else None)
    try:
        # The password step leads to the set-up, and nothing else opens until it is done.
        sign_in_with_password(page)
        expect(page).to_have_url(f"{live_server}/auth/security/two-factor/setup")
        expect(page.get_by_text("Your role requires two-factor sign-in.")).to_be_visible()
        page.goto("/director")
        expect(page).to_have_url(f"{live_server}/auth/security/two-factor/setup")

        secret = page.locator("#totp-secret").inner_text().strip()
        assert f"secret={secret}" in read_qr_code(page, tmp_path)
        totp = pyotp.TOTP(secret)
        page.get_by_label("Code from the app").fill(totp.now())
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        codes = page.locator(".recovery-codes li").all_inner_texts()
        assert len(codes) == 10
        page.get_by_role("link", name="I have saved them — continue").click()
        expect(page.get_by_role("heading", name="What waits for the programme")).to_be_visible()
        sign_out(page)

        # Signing in again: password, then the app's next code (the last one is used up).
        sign_in_with_password(page)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(totp.at(time.time() + totp.interval))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="What waits for the programme")).to_be_visible()
        sign_out(page)

        # And with a recovery code instead of the app.
        sign_in_with_password(page)
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("You used a recovery code")).to_be_visible()
        page.locator("#account-menu").click()
        page.get_by_role("link", name="Security").click()
        expect(page.get_by_text("Recovery codes left: 9")).to_be_visible()
        assert problems == []
    finally:
        context.close()
