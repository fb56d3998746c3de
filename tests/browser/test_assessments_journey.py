"""Assessments in a real browser: a candidate takes and passes a quiz; a case
presentation returned for revision is resubmitted and passed; a supervisor's
competency evaluation reaches the candidate."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from airm_training.assessments.models import QuizAttempt
from airm_training.extensions import db
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.browser


def answer_key(app, attempt_id: int) -> dict[int, list[int]]:
    """Position → correct option ids, read on the server side (never sent to the page)."""
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        key = {item.position: item.snapshot["correct"] for item in attempt.items}
        db.session.remove()
    return key


def test_candidate_takes_and_passes_a_quiz(open_as, live_app):
    marcus = open_as("marcus.bell")
    marcus.get_by_role("link", name="Assessments").click()
    row = marcus.get_by_role("row").filter(has_text="AIRM-101")
    row.get_by_role("button", name="Start").click()
    attempt_id = int(re.search(r"/attempts/(\d+)$", marcus.url).group(1))
    key = answer_key(live_app, attempt_id)
    assert marcus.locator("input[name^=q]").count() >= 8 * 4
    for position, option_ids in key.items():
        for option_id in option_ids:
            marcus.locator(f"#q{position}-{option_id}").check()
    marcus.get_by_role("button", name="Submit answers").click()
    expect(marcus.get_by_text("You scored 100 % and passed.")).to_be_visible()
    expect(marcus.get_by_text("✓ Passed")).to_be_visible()
    marcus.get_by_role("link", name="Back to my assessments").click()
    expect(marcus.get_by_role("row").filter(has_text="AIRM-101")).to_contain_text("100 %")


def test_case_presentation_submitted_returned_for_revision_then_passed(open_as, tmp_path):
    pdf = tmp_path / "case.pdf"
    pdf.write_bytes(pdf_bytes(2000))
    marcus = open_as("marcus.bell")
    marcus.goto("/assessments/")
    marcus.get_by_role("link", name="Submit a case presentation").click()
    marcus.get_by_label("Title").fill("Habitual reliance on a companion app: first steps")
    marcus.get_by_label("Supervisor who will grade it").select_option(
        label="Dr. Connie Zollner, Psy.D, LMHC, LPC"
    )
    marcus.get_by_label("Bond type").select_option("Habitual reliance")
    marcus.get_by_label("Attachment awareness").check()
    marcus.get_by_label("De-identified case write-up").fill(
        "A clinician's account of exploring a habitual reliance on a companion app: what "
        "the bond offered, which needs it met, and how the first sessions were paced. " * 3
    )
    marcus.get_by_label("Optional PDF").set_input_files(str(pdf))
    marcus.get_by_label(re.compile("I confirm this case is de-identified")).check()
    marcus.get_by_role("button", name="Submit for grading").click()
    expect(marcus.get_by_text("Case presentation submitted for grading.")).to_be_visible()
    case_url = marcus.url

    connie = open_as("connie.zollner")
    connie.get_by_role("link", name="Grading").click()
    connie.get_by_role("link", name="Habitual reliance on a companion app: first steps").click()
    _rate_every_criterion(connie, "Partly met")
    connie.get_by_label("Revise and resubmit").check()
    connie.get_by_label("Feedback").fill("Say how you will pace stage 2.")
    connie.get_by_role("button", name="Record the grade").click()
    expect(connie.get_by_text("Grade recorded; the candidate sees it now.")).to_be_visible()

    marcus.goto(case_url)
    expect(marcus.get_by_text("Say how you will pace stage 2.").first).to_be_visible()
    marcus.get_by_role("link", name="Submit a new version").click()
    marcus.get_by_label("Revised write-up").fill(
        "Revised: stage 2 will start with one evening a week without the app, agreed with "
        "the client and reviewed each session against their window of tolerance. " * 3
    )
    marcus.get_by_label(re.compile("I confirm this case is de-identified")).check()
    marcus.get_by_role("button", name="Submit the new version").click()
    expect(marcus.get_by_text("New version submitted for grading.")).to_be_visible()

    connie.goto(case_url)
    _rate_every_criterion(connie, "Met")
    connie.get_by_label("Pass", exact=True).check()
    connie.get_by_label("Feedback").fill("Clear pacing and a sound rationale.")
    connie.get_by_role("button", name="Record the grade").click()
    expect(connie.get_by_text("Grade recorded; the candidate sees it now.")).to_be_visible()

    marcus.goto(case_url)
    expect(marcus.get_by_text("Version 2")).to_be_visible()
    expect(marcus.get_by_text("Version 1")).to_be_visible()
    expect(marcus.get_by_text("Clear pacing and a sound rationale.")).to_be_visible()
    marcus.goto("/assessments/")
    expect(
        marcus.get_by_role("listitem").filter(has_text="Habitual reliance on a companion app")
    ).to_contain_text("Passed")


def test_demo_case_waiting_for_revision_can_be_resubmitted(open_as):
    aubrey = open_as("aubrey.holden")
    aubrey.goto("/assessments/")
    aubrey.get_by_role("link", name="Emotional-support bond and EMDR resourcing").click()
    expect(aubrey.get_by_text("Revise and resubmit").first).to_be_visible()
    aubrey.get_by_role("link", name="Submit a new version").click()
    aubrey.get_by_label("Revised write-up").fill(
        "Revised: resourcing came first, then a graded plan for evenings without the "
        "companion, paced to the window of tolerance. " * 4
    )
    aubrey.get_by_label(re.compile("I confirm this case is de-identified")).check()
    aubrey.get_by_role("button", name="Submit the new version").click()
    expect(aubrey.get_by_text("New version submitted for grading.")).to_be_visible()


def test_competency_evaluation_reaches_the_candidate(open_as):
    connie = open_as("connie.zollner")
    connie.goto("/assessments/evaluations/new")
    # Hannah, whose AIRT-S is in its grace period, has no level ahead that asks for an
    # evaluation: evaluating her leaves the demo's "evaluations due" (and the README's
    # screenshots, taken later in the same run) as they are.
    connie.get_by_label("Candidate").select_option(label="Hannah Price, MA, LMHC")
    connie.get_by_label("Date of the observed session").fill(
        (date.today() - timedelta(days=5)).isoformat()
    )
    connie.get_by_label("Live").check()
    for radio in connie.locator("input[type=radio][value='3']").all():
        radio.check()
    connie.get_by_label("Overall comment").fill("Warm, well-paced first stage work.")
    connie.get_by_role("button", name=re.compile("Submit the evaluation")).click()
    expect(connie.get_by_text("Evaluation submitted.")).to_be_visible()

    hannah = open_as("hannah.price")
    hannah.goto("/assessments/")
    hannah.get_by_role("link", name=re.compile("Session of")).first.click()
    expect(hannah.get_by_text("Warm, well-paced first stage work.")).to_be_visible()


RUBRIC_CRITERIA = (
    "Formulation of the bond and its function",
    "Use of the AIRM stages",
    "Integration of other modalities",
    "Ethics, boundaries and de-identification",
)


def _rate_every_criterion(page, rating: str) -> None:
    """The grader chooses a rating for each criterion: none is preselected."""
    for criterion in RUBRIC_CRITERIA:
        page.get_by_label(criterion).select_option(label=rating)
