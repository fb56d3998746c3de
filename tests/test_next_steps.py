"""The supervisor's "evaluations due" and the candidate's "next steps" (reports/work.py,
progression/due.py): each figure equals the list it links to, and the list holds exactly
the people or records the figure counts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from airm_training.assessments.cases import CaseInput, submit_case
from airm_training.assessments.models import CaseStatus, Quiz
from airm_training.assessments.quizzes import start_attempt
from airm_training.core.clock import today, utcnow
from airm_training.demo_activity import CASE_TEXT
from airm_training.extensions import db
from airm_training.hours.models import HoursStatus
from airm_training.progression.due import evaluations_due
from airm_training.reports.work import candidate_queue, supervisor_queue
from tests.browser.test_home_queues import items_behind, tiles_of
from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.test_engine import evaluated
from tests.test_notifications import entry_input, submitted

DUE = "/progression/evaluations-due"


def by_key(items) -> dict:
    return {item.key: item for item in items}


def supervised(director, supervisor, *, days_enrolled: int):
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days_enrolled))
    candidate.primary_supervisor_id = supervisor.id
    db.session.commit()
    return candidate


def logout(client) -> None:
    client.post("/auth/logout", data={"csrf_token": client.form_token("/auth/security")})


def test_evaluations_due_are_the_supervisees_without_a_good_evaluation(app, client):
    director = make_director()
    supervisor = make_supervisor(director=director)
    newer = supervised(director, supervisor, days_enrolled=30)
    older = supervised(director, supervisor, days_enrolled=90)
    evaluated_well = supervised(director, supervisor, days_enrolled=60)
    evaluated(evaluated_well, supervisor, 3)
    rated_low = supervised(director, supervisor, days_enrolled=10)
    evaluated(rated_low, supervisor, 2)
    left = supervised(director, supervisor, days_enrolled=120)
    left.active = False
    someone_elses = make_candidate(director=director)  # neither primary nor logged with them
    logged_with_them = make_candidate(director=director, enrolled_on=today() - timedelta(200))
    submitted(logged_with_them, supervisor)
    db.session.commit()

    due = evaluations_due(supervisor.id)
    assert [d.person.id for d in due] == [logged_with_them.id, older.id, newer.id, rated_low.id]
    assert {d.progress for d in due if d.person.id != rated_low.id} == {"no evaluation yet"}
    assert due[-1].progress == "lowest rating 2 (needs 3)"
    with app.test_request_context():
        tile = by_key(supervisor_queue(supervisor.id, today()))["evaluations"]
    assert (tile.count, tile.url) == (4, DUE)
    assert tile.note == f"enrolled since {(today() - timedelta(200)).isoformat()}"

    login(client, supervisor)
    shown = {tile["key"]: tile for tile in tiles_of(client, "/supervision")}["evaluations"]
    assert (shown["count"], shown["url"]) == (4, DUE)
    assert items_behind(client, DUE)[0] == 4
    page = client.get(DUE).get_data(as_text=True)
    for person in (logged_with_them, older, newer, rated_low):
        assert f"/assessments/evaluations/new?candidate={person.id}" in page
    for person in (evaluated_well, left, someone_elses):
        assert f"candidate={person.id}" not in page


def test_an_evaluation_recorded_takes_the_supervisee_off_the_list(app, client):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = supervised(director, supervisor, days_enrolled=30)
    assert [d.person.id for d in evaluations_due(supervisor.id)] == [candidate.id]
    evaluated(candidate, supervisor, 4)
    assert evaluations_due(supervisor.id) == []
    login(client, supervisor)
    assert items_behind(client, DUE)[0] == 0
    assert "No evaluations due" in client.get(DUE).get_data(as_text=True)


def test_only_supervisors_open_the_evaluations_due(client):
    director = make_director()
    candidate = make_candidate(director=director)
    assert client.get(DUE).status_code == 302
    login(client, candidate)
    assert client.get(DUE).status_code == 403
    logout(client)
    login(client, make_supervisor(director=director))
    assert client.get(DUE).status_code == 200


def _next_steps(director, supervisor):
    """A candidate with one entry returned, two drafts, a case to revise and a quiz open."""
    from airm_training.hours.services import log_entry

    candidate = make_candidate(director=director)
    returned = submitted(candidate, supervisor, days_ago=3)
    returned.status = HoursStatus.RETURNED.value
    returned.returned_at = utcnow() - timedelta(days=2)
    for days in (1, 2):
        log_entry(candidate, entry_input(supervisor, days_ago=days), submit=False)
    submitted(candidate, supervisor, days_ago=4)  # waiting for a signature: not a next step
    case = submit_case(
        candidate,
        CaseInput(
            title="Romantic bond, stage 2 pacing",
            stages=["attachment-awareness"],
            bond_type="Romantic",
            modalities=["CBT"],
            text=CASE_TEXT,
            deidentified_confirmed=True,
            supervisor_id=supervisor.id,
        ),
        bond_types={"Romantic"},
    )
    case.status = CaseStatus.REVISE.value
    case.versions[-1].grade, case.versions[-1].graded_at = "revise", utcnow() - timedelta(5)
    start_attempt(candidate, db.session.scalar(sa.select(Quiz).where(Quiz.code == "AIRM-101-Q")))
    db.session.commit()
    return candidate


def test_the_candidates_next_steps_count_what_waits_for_them(app):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = _next_steps(director, supervisor)
    with app.test_request_context():
        steps = by_key(candidate_queue(candidate.id, 3, today()))
        none_yet = by_key(candidate_queue(make_candidate(director=director).id, None, today()))
    assert {key: item.count for key, item in steps.items()} == {
        "returned": 1,
        "drafts": 2,
        "revise": 1,
        "quizzes": 1,
        "requirements": 3,
    }
    assert steps["returned"].note == "oldest returned 2 days ago"
    assert steps["revise"].note == "oldest returned 5 days ago"
    assert steps["drafts"].note == "started today"
    assert steps["quizzes"].note == "started today"
    assert steps["returned"].urgent and not steps["drafts"].urgent
    assert "requirements" not in none_yet
    assert {item.note for item in none_yet.values()} == {"nothing waiting"}


def test_the_candidates_next_steps_equal_the_lists_they_link_to(client):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = _next_steps(director, supervisor)
    login(client, candidate)
    tiles = tiles_of(client, "/candidate")
    assert {tile["key"] for tile in tiles} == {
        "returned",
        "drafts",
        "revise",
        "quizzes",
        "requirements",
    }
    counted = {tile["key"]: (tile["count"], items_behind(client, tile["url"])[0]) for tile in tiles}
    assert {key: shown for key, (shown, _) in counted.items()} == {
        key: listed for key, (_, listed) in counted.items()
    }
    assert counted["drafts"] == (2, 2)
    assert counted["requirements"][0] > 0
    # The case and quiz tiles open the assessments narrowed to what waits.
    urls = {tile["key"]: tile["url"] for tile in tiles}
    assert "show=revise" in urls["revise"] and "show=started" in urls["quizzes"]
