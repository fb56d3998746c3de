"""Browser tests: the app served for real on loopback with its own fresh SQLite database
(migrated, programme and demo data loaded), driven by Debian's Chromium via Playwright.

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it); when it is
missing the tests are skipped with a loud message, never silently."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import warnings

import flask_migrate
import pytest
from werkzeug.serving import make_server

from airm_training import create_app
from airm_training.assessments.bank import load_question_bank
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.programme.loader import load_programme_file
from tests.browser import pages

CHROMIUM = os.environ.get("AIRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEMO_PASSWORD = "airm-demo-password"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app behind the live server, for reading what the server knows (e.g. a quiz key)."""
    database = tmp_path_factory.mktemp("live") / "airm-live.sqlite3"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
        SERVER_NAME=None,
        LOGIN_RATE_LIMIT="1000 per minute",
    )
    with app.app_context():
        flask_migrate.upgrade()
        load_programme_file()
        load_question_bank()
        seed_demo()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the app running in a background thread."""
    app = live_app
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = (
            f"BROWSER TESTS SKIPPED: Chromium not found at {CHROMIUM}. "
            "Install it with `apt-get install chromium` (.ci/run does)."
        )
        warnings.warn(message, stacklevel=1)
        print(f"\n{'!' * 20} {message} {'!' * 20}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(email_local_part, width=..., height=...)`` → a signed-in page."""
    contexts = []

    def sign_in(who: str, *, width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server,
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/auth/login")
        page.get_by_label("E-mail").fill(f"{who}@btrc.example")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    yield sign_in
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def main_pages(live_app):
    """Who → the main pages they open (tests/browser/pages.py)."""
    return pages.main_pages(live_app)
