""" "Pending" means submitted and waiting for a signature: drafts and returned entries are
counted apart, and a supervisor never sees a clinician's drafts."""

from __future__ import annotations

import re
from datetime import timedelta

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.queries import supervisee_totals, totals_by_category
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, return_entry, sign_entries
from tests.factories import login, make_candidate, make_director, make_supervisor


def entry(person, supervisor, minutes: int, *, submit: bool, days_ago: int = 2):
    return log_entry(
        person,
        EntryInput(
            session_date=today() - timedelta(days=days_ago),
            minutes=minutes,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=submit,
    )


def a_history(app):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=60))
    draft = entry(candidate, supervisor, 30, submit=False)
    submitted = entry(candidate, supervisor, 45, submit=True)
    returned = entry(candidate, supervisor, 60, submit=True)
    return_entry(returned, supervisor, "Add the stage you worked on.")
    signed = entry(candidate, supervisor, 90, submit=True)
    sign_entries(supervisor, [signed.id], attested=True)
    db.session.commit()
    return candidate, supervisor, draft, submitted


def test_pending_is_submitted_only_and_drafts_and_returned_are_apart(app):
    candidate, supervisor, _draft, _submitted = a_history(app)
    mine = totals_by_category([candidate.id])[candidate.id]["individual-consultation"]
    assert (mine.signed_minutes, mine.pending_minutes) == (90, 45)
    assert (mine.returned_minutes, mine.draft_minutes) == (60, 30)
    ((person, theirs),) = supervisee_totals(supervisor.id)
    assert person.id == candidate.id
    seen = theirs["individual-consultation"]
    assert (seen.signed_minutes, seen.pending_minutes, seen.draft_minutes) == (90, 45, 0)


def test_the_pages_show_pending_and_never_show_a_supervisor_drafts(app, client):
    candidate, supervisor, draft, submitted = a_history(app)
    login(client, candidate)
    page = client.get("/hours/").get_data(as_text=True)
    headings = ("Signed", "Pending", "Returned", "Drafts")
    for heading in headings:
        assert f'<th scope="col" class="text-end">{heading}</th>' in page
    row = page.split(">Individual consultation</th>", 1)[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("</td>")[:4]]
    assert cells == ["1 h 30", "45 min", "1 h", "30 min"]  # signed, pending, returned, drafts
    browser = app.test_client()
    login(browser, supervisor)
    supervisees = browser.get("/hours/supervisees").get_data(as_text=True)
    assert '+ <span class="duration">45 min</span> pending' in supervisees
    assert browser.get(f"/hours/{draft.id}").status_code == 403
    assert browser.get(f"/hours/{submitted.id}").status_code == 200
