"""Forms that keep work: a warning a few minutes before the idle timeout with "Stay signed
in"; a form sent after the session ended comes back filled in after signing in again (the
copy is kept in the browser's sessionStorage, never on the server); counters for limits;
select-all in the sign-off queue."""

from __future__ import annotations

import re
import time

import pytest
from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import expect

from airm_training.auth.sessions import SEEN_AT
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NOTE = "Group session on pacing; kept across a sign-in."
BACK_TO_THE_FORM = re.compile(r"/auth/login\?next=(/|%2F)hours(/|%2F)new$")


def age_session(page, app, seconds: int) -> None:
    """Make the browser's session look ``seconds`` older, as if nothing had happened since.
    The page's own requests (its icon, say) are let finish first: an answer landing after
    the change would carry a fresh session cookie and undo it."""
    page.wait_for_load_state("networkidle")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    context = page.context
    cookie = next(c for c in context.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"])
    data = serializer.loads(cookie["value"])
    data[SEEN_AT] = int(time.time()) - seconds
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def test_the_warning_comes_before_the_idle_timeout_and_stay_signed_in_renews(open_as, live_app):
    idle = int(live_app.config["SESSION_IDLE_TIMEOUT"].total_seconds())
    page = open_as("aubrey.holden")
    page.clock.install()
    page.goto("/hours/new")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()
    page.clock.fast_forward((idle - 4 * 60) * 1000)
    expect(warning).to_be_hidden()  # not yet: three minutes before the end
    page.clock.fast_forward(90 * 1000)
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out in")
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    with page.expect_response("**/auth/session/keep") as answer:
        stay.click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    page.clock.fast_forward((idle - 5 * 60) * 1000)
    expect(warning).to_be_hidden()  # the timer started again


def test_a_form_sent_after_the_timeout_is_back_after_signing_in(open_as, live_app):
    page = open_as("aubrey.holden")
    page.goto("/hours/new")
    page.get_by_label("Hours", exact=True).fill("2")
    page.get_by_label("Note").fill(NOTE)
    age_session(page, live_app, int(live_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()) + 60)
    page.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_url(BACK_TO_THE_FORM)
    expect(page.get_by_text("You were signed out after")).to_be_visible()
    page.get_by_label("E-mail").fill("aubrey.holden@btrc.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/hours/new")
    expect(page.get_by_role("status").filter(has_text="What you had typed is back")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value(NOTE)
    expect(page.get_by_label("Hours", exact=True)).to_have_value("2")
    # The copy lives in this tab only, and is used once.
    assert page.evaluate("sessionStorage.getItem('airm-kept-form')") is None
    page.reload()
    expect(page.get_by_label("Note")).to_have_value("")


def test_reaching_the_timeout_keeps_the_form_and_asks_to_sign_in(open_as, live_app):
    idle = int(live_app.config["SESSION_IDLE_TIMEOUT"].total_seconds())
    page = open_as("aubrey.holden")
    page.clock.install()
    page.goto("/hours/new")
    page.get_by_label("Note").fill(NOTE)
    age_session(page, live_app, idle + 60)  # the server's view, as the page's clock runs out
    page.clock.fast_forward((idle + 2) * 1000)
    expect(page).to_have_url(BACK_TO_THE_FORM)
    page.get_by_label("E-mail").fill("aubrey.holden@btrc.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Note")).to_have_value(NOTE)


def test_text_boxes_count_against_their_limits(open_as):
    page = open_as("aubrey.holden")
    page.goto("/assessments/cases/new")
    write_up = page.get_by_label("De-identified case write-up")
    write_up.fill("x" * 150)
    expect(
        page.get_by_text("150 of 30,000 characters · 50 more needed (at least 200)")
    ).to_be_visible()
    write_up.fill("x" * 200)
    expect(page.get_by_text("200 of 30,000 characters", exact=True)).to_be_visible()
    page.goto("/hours/new")
    page.get_by_label("Note").fill("Twelve chars")
    expect(page.get_by_text("12 of 1,000 characters", exact=True)).to_be_visible()


def test_select_all_ticks_every_entry_in_the_sign_off_queue(open_as):
    page = open_as("connie.zollner")
    page.goto("/hours/queue")
    entries = page.locator("input[name=entry]")
    assert entries.count() > 1
    page.get_by_label("Select every entry on this page").check()
    assert all(box.is_checked() for box in entries.all())
    entries.first.uncheck()
    expect(page.get_by_label("Select every entry on this page")).not_to_be_checked()
    page.get_by_label("Select every entry on this page").uncheck()
    page.get_by_label("Select every entry on this page").check()
    page.get_by_label("Select every entry on this page").uncheck()
    assert not any(box.is_checked() for box in entries.all())
